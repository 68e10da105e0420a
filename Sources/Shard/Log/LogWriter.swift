import Foundation

/// The writer thread of a `ChannelLog`: group commit.
///
/// The loop takes every pending append (up to `Options.maxBatchBytes`), encodes them into one buffer, writes it
/// with one `pwrite` and makes it durable with one `fdatasync`, then publishes the new records to readers and
/// completes every append of the batch. Appends arriving while the fsync is in flight queue up and form the next
/// batch, so under load one fsync acknowledges many appends (`Options.syncOnCommit == false` skips the sync,
/// for volatile copies). `fdatasync` suffices: it flushes the data and the
/// file-size change, everything needed to read the records back (rollover and creation use a full directory
/// fsync).
///
/// Runs on a dedicated OS thread, not the cooperative pool, because it blocks in `pwrite`/`fdatasync`. All
/// mutable fields are confined to that thread (hence `@unchecked Sendable`).
final class LogWriter: @unchecked Sendable {
    private let core: LogCore
    /// The segment being appended to, its size in bytes and record count (durable, as published).
    private var active: LogSegmentFile
    private var activeSize: Int
    private var activeCount: Int
    private var nextLSN: UInt64
    /// Reused encode buffer.
    private var buffer: [UInt8] = []

    init(core: LogCore, active: LogSegmentFile, activeSize: Int, activeCount: Int, nextLSN: UInt64) {
        self.core = core
        self.active = active
        self.activeSize = activeSize
        self.activeCount = activeCount
        self.nextLSN = nextLSN
    }

    /// Starts the thread.
    static func start(_ writer: LogWriter, name: String) {
        let thread = Thread { writer.run() }
        thread.name = name
        thread.start()
    }

    private func run() {
        let maxBatch = core.options.maxBatchBytes
        while true {
            core.wake.wait()
            let (batch, failure, exit) = core.state.withLock { s -> ([LogAppendRequest], IOFailure?, Bool) in
                var bytes = 0
                var count = 0
                while count < s.pending.count {
                    let size = LogFrame.frameSize(payloadCount: s.pending[count].payload.count)
                    if count > 0 && bytes + size > maxBatch { break }
                    bytes += size
                    count += 1
                }
                let batch = Array(s.pending.prefix(count))
                s.pending.removeFirst(count)
                return (batch, s.failure, s.closed && s.pending.isEmpty)
            }
            if let failure {
                for append in batch { append.completion(.failure(.writerFailed(failure))) }
            } else if !batch.isEmpty {
                commit(batch)
            }
            if exit { break }
        }
        core.writerExited.signal()
    }

    /// Writes, syncs, publishes and acknowledges `batch`, split into pieces at segment boundaries.
    private func commit(_ batch: [LogAppendRequest]) {
        let segmentBytes = core.options.segmentBytes
        var i = 0
        while i < batch.count {
            let pieceStart = i
            do {
                let firstSize = LogFrame.frameSize(payloadCount: batch[i].payload.count)
                if activeCount > 0 && activeSize + firstSize > segmentBytes { try rollOver() }
                buffer.removeAll(keepingCapacity: true)
                var offsets: [UInt32] = []
                var size = activeSize
                while i < batch.count {
                    let append = batch[i]
                    let frame = LogFrame.frameSize(payloadCount: append.payload.count)
                    if activeCount + offsets.count > 0 && size + frame > segmentBytes { break }
                    offsets.append(UInt32(size))
                    LogFrame.appendRecord(
                        to: &buffer, kind: append.kind, timestamp: append.timestamp,
                        lsn: nextLSN + UInt64(offsets.count - 1), payload: append.payload)
                    size += frame
                    i += 1
                }
                let fd = active.fd, path = active.path, at = activeSize, sync = core.options.syncOnCommit
                var result: Result<Void, IOFailure> = .success(())
                buffer.withUnsafeBytes { b in
                    result = Result { () throws(IOFailure) in
                        try FileIO.pwriteAll(fd, b, at: at, path: path)
                        if sync { try FileIO.fdatasync(fd, path: path) }
                    }
                }
                try result.get()
                let firstLSN = nextLSN
                activeSize = size
                activeCount += offsets.count
                nextLSN += UInt64(offsets.count)
                publish(offsets: offsets, bytes: buffer.count)
                for k in pieceStart..<i {
                    batch[k].completion(.success(LogPosition(firstLSN + UInt64(k - pieceStart))))
                }
            } catch {
                fail(batch[pieceStart...], error)
                return
            }
        }
    }

    /// Makes a piece's records visible to readers and wakes the tailers waiting for them.
    private func publish(offsets: [UInt32], bytes: Int) {
        let end = nextLSN, size = activeSize
        let ready = core.state.withLock { s -> [LogTailWaiter] in
            s.segments[s.segments.count - 1].offsets.append(contentsOf: offsets)
            s.segments[s.segments.count - 1].endOffset = size
            s.endLSN = end
            s.statistics.appendedRecords += offsets.count
            s.statistics.appendedBytes += bytes
            s.statistics.groupCommits += 1
            return s.takeSatisfiedWaiters()
        }
        for waiter in ready { waiter.resume(true) }
    }

    /// Closes the full active segment (already durable) and starts the next one.
    private func rollOver() throws(IOFailure) {
        let file = try LogSegmentFile.create(directory: core.directory, firstLSN: nextLSN)
        active = file
        activeSize = LogFrame.segmentHeaderSize
        activeCount = 0
        core.state.withLock { s in
            s.segments.append(LogState.Segment(file: file, offsets: [], endOffset: LogFrame.segmentHeaderSize))
            s.statistics.segmentsCreated += 1
        }
    }

    /// Records a write failure: the file tail is now unknown, so this batch and every later append fail.
    private func fail(_ appends: ArraySlice<LogAppendRequest>, _ error: IOFailure) {
        core.state.withLock { $0.failure = error }
        for append in appends { append.completion(.failure(.writerFailed(error))) }
    }
}
