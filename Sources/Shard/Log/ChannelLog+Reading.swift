import Foundation

extension ChannelLog {
    /// Reads durable records in position order, starting at `position`.
    ///
    /// Returns at most `maxRecords` records and stops before exceeding `maxBytes` of record frames (payload plus
    /// the 28-byte header each; always at least one record if one exists, however large). Returns `[]` when `position == endPosition`. Every
    /// record is re-verified (CRC, length, position) as it is read.
    ///
    /// - Throws: `LogError.positionTruncated`, `.positionBeyondEnd`, `.closed`, `.corrupt` (the data changed on
    ///   disk since it was written), `.io`.
    public func read(from position: LogPosition, maxRecords: Int, maxBytes: Int = 16 << 20) throws -> [LogRecord] {
        precondition(maxRecords > 0 && maxBytes > 0, "maxRecords and maxBytes must be positive")
        let plan = try core.state.withLock { s throws(LogError) -> [LogReadPiece] in
            if s.closed { throw .closed }
            let first = s.segments[0].file.firstLSN
            if position.rawValue < first {
                throw .positionTruncated(requested: position, first: LogPosition(first))
            }
            if position.rawValue > s.endLSN {
                throw .positionBeyondEnd(requested: position, end: LogPosition(s.endLSN))
            }
            var pieces: [LogReadPiece] = []
            var lsn = position.rawValue
            var records = 0
            var bytes = 0
            var index = lsn < s.endLSN ? s.segmentIndex(containing: lsn) : s.segments.count
            planning: while index < s.segments.count && records < maxRecords {
                let segment = s.segments[index]
                let local = Int(lsn - segment.file.firstLSN)
                var end = local
                while end < segment.offsets.count && records < maxRecords {
                    let next = end + 1 < segment.offsets.count ? Int(segment.offsets[end + 1]) : segment.endOffset
                    let size = next - Int(segment.offsets[end])
                    if records > 0 && bytes + size > maxBytes {
                        break
                    }
                    bytes += size
                    records += 1
                    end += 1
                }
                if end > local {
                    var bounds = Array(segment.offsets[local..<end])
                    bounds.append(end < segment.offsets.count ? segment.offsets[end] : UInt32(segment.endOffset))
                    pieces.append(LogReadPiece(file: segment.file, firstLSN: lsn, bounds: bounds))
                    lsn += UInt64(end - local)
                }
                if end < segment.offsets.count { break planning }  // a limit was reached inside this segment
                index += 1
            }
            return pieces
        }
        var out: [LogRecord] = []
        out.reserveCapacity(plan.reduce(0) { $0 + $1.bounds.count - 1 })
        for piece in plan { try piece.read(into: &out) }
        return out
    }

    /// Waits until the record at `position` is durable (that is, `endPosition > position`).
    ///
    /// Returns `true` as soon as it is (immediately if it already is), `false` after `timeout`, on task
    /// cancellation, or when the log is closed. Consumers tail the log with `tail(from:maxRecords:timeout:)`.
    public func waitForRecord(at position: LogPosition, timeout: Duration) async -> Bool {
        let core = self.core
        let id = core.state.withLock { s -> UInt64 in
            defer { s.nextWaiterID += 1 }
            return s.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate = core.state.withLock { s -> Bool? in
                    if s.endLSN > position.rawValue { return true }
                    if s.closed || Task.isCancelled { return false }
                    s.waiters[id] = LogTailWaiter(position: position.rawValue, continuation: continuation)
                    return nil
                }
                if let immediate {
                    continuation.resume(returning: immediate)
                    return
                }
                let timer = Task {
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled { core.resumeWaiter(id, false) }
                }
                let stillWaiting = core.state.withLock { s -> Bool in
                    guard s.waiters[id] != nil else { return false }
                    s.waiters[id]!.timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
            }
        } onCancel: {
            core.resumeWaiter(id, false)
        }
    }

    /// Returns the records from `position` on, waiting up to `timeout` for the first one to become durable;
    /// `[]` on timeout. The consumer's loop: `let batch = try await log.tail(from: next, …)`, apply it, then
    /// `next = batch.last.position.next`.
    ///
    /// - Throws: as `read(from:maxRecords:maxBytes:)`.
    public func tail(from position: LogPosition, maxRecords: Int, maxBytes: Int = 16 << 20, timeout: Duration)
        async throws -> [LogRecord]
    {
        if position < firstPosition {
            throw LogError.positionTruncated(requested: position, first: firstPosition)
        }
        guard await waitForRecord(at: position, timeout: timeout) else { return [] }
        return try read(from: position, maxRecords: maxRecords, maxBytes: maxBytes)
    }
}

/// Consecutive records of one segment to read: `bounds[i]` is record `firstLSN + i`'s offset, the last entry
/// the end of the range.
struct LogReadPiece {
    let file: LogSegmentFile
    let firstLSN: UInt64
    let bounds: [UInt32]

    func read(into out: inout [LogRecord]) throws(LogError) {
        let start = Int(bounds[0]), end = Int(bounds[bounds.count - 1])
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: end - start, alignment: 16)
        defer { buffer.deallocate() }
        let n: Int
        do { n = try FileIO.pread(file.fd, into: buffer, at: start, path: file.path) } catch { throw .io(error) }
        guard n == end - start else {
            throw .corrupt(file: file.path, offset: start + n, reason: "segment is shorter than its durable records (truncated behind the log's back?)")
        }
        for i in 0..<(bounds.count - 1) {
            let a = Int(bounds[i]) - start, b = Int(bounds[i + 1]) - start
            switch LogFrame.decodeRecord(UnsafeRawBufferPointer(rebasing: buffer[a..<b]), expectedLSN: firstLSN + UInt64(i)) {
            case .success(let record): out.append(record)
            case .failure(let problem): throw .corrupt(file: file.path, offset: Int(bounds[i]), reason: problem.reason)
            }
        }
    }
}
