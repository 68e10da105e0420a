import Foundation
import Shard
import Synchronization
import Wire

/// One channel hosted by a `LogNode`: its `ChannelLog` and the last timestamp stored in it.
///
/// Appends choose their stored timestamp (`max(given, last)`) and queue the record under one lock, so the
/// order of positions is the order of timestamps whatever order concurrent appends arrive in, while the
/// log's writer thread still commits them in groups (one fsync for every append queued meanwhile).
final class LogNodeChannel: Sendable {
    let name: ChannelName
    let log: ChannelLog
    /// The last stored (or queued) timestamp. Held only while choosing a timestamp and queueing the record.
    private let lastTimestamp: Mutex<UInt64>
    /// Set by `DropChannel` before the log is closed, so appends and reads caught by the close report the drop.
    private let dropped = Atomic<Bool>(false)

    /// Opens (or creates) the channel's log in `directory`, recovering it, and reads its last record's
    /// timestamp. Blocks on disk I/O: call it on a dedicated thread.
    ///
    /// - Throws: `LogNodeError` (`channelCorrupt` for damage recovery must not discard, `storage` otherwise).
    init(name: ChannelName, directory: String, options: ChannelLog.Options) throws(LogNodeError) {
        self.name = name
        do {
            log = try ChannelLog(directory: directory, options: options)
        } catch {
            throw LogNodeError.from(error, channel: name)
        }
        var last: UInt64 = 0
        let end = log.endPosition
        if end > log.firstPosition {
            do {
                last = try log.read(from: LogPosition(end.rawValue - 1), maxRecords: 1).last?.timestamp ?? 0
            } catch {
                log.close()
                throw LogNodeError.from(error, channel: name)
            }
        }
        lastTimestamp = Mutex(last)
    }

    /// Appends one record and returns where it landed and the timestamp it was stored with, once it is
    /// durable. Never blocks a thread: the fsync happens on the log's writer thread.
    func append(kind: LogRecordKind, timestamp: UInt64, payload: Data) async throws(LogNodeError) -> AppendAck {
        let log = self.log
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AppendAck, any Error>) in
                lastTimestamp.withLock { last in
                    let stored = max(timestamp, last)
                    do {
                        try log.enqueueAppend(kind: kind, timestamp: stored, payload: payload) { result in
                            switch result {
                            case .success(let position):
                                continuation.resume(returning: AppendAck(position: position, timestamp: stored))
                            case .failure(let error):
                                continuation.resume(throwing: error)
                            }
                        }
                        last = stored
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        } catch {
            throw mapped(error)
        }
    }

    /// The channel's retained range and last stored timestamp.
    var state: ChannelState {
        ChannelState(first: log.firstPosition, end: log.endPosition, lastTimestamp: lastTimestamp.withLock { $0 })
    }

    /// Serves a `ReadChannel`: the records from `request.from` on, waiting up to the request's wait for the
    /// first one. The wait suspends (no thread is held); the read itself is a short blocking `pread`, so
    /// callers run this with a dedicated-thread executor preference.
    func read(_ request: ReadChannel) async throws(LogNodeError) -> ChannelRecords {
        let first = log.firstPosition, end = log.endPosition
        if request.from < first {
            throw .positionTruncated(name, requested: request.from, first: first)
        }
        if request.from > end {
            throw .positionBeyondEnd(name, requested: request.from, end: end)
        }
        let records: [LogRecord]
        do {
            records = try await log.tail(
                from: request.from, maxRecords: request.maxRecords, maxBytes: request.maxBytes,
                timeout: .milliseconds(request.waitMilliseconds))
        } catch {
            throw mapped(error)
        }
        if records.isEmpty && dropped.load(ordering: .acquiring) { throw .channelDropped(name) }
        let out = records.map {
            ChannelRecord(position: $0.position, recordKind: $0.kind, timestamp: $0.timestamp, payload: [UInt8]($0.payload))
        }
        return ChannelRecords(records: out, end: log.endPosition)  // read after the records: never below them
    }

    /// Marks the channel dropped and closes its log (waits for the appends already queued). Blocking.
    func closeForDrop() {
        dropped.store(true, ordering: .releasing)
        log.close()
    }

    /// Closes the log (waits for the appends already queued). Blocking.
    func close() { log.close() }

    private func mapped(_ error: any Error) -> LogNodeError {
        if let log = error as? LogError, log == .closed, dropped.load(ordering: .acquiring) {
            return .channelDropped(name)
        }
        return LogNodeError.from(error, channel: name)
    }
}

extension ChannelName {
    /// The channel's directory name under `<data dir>/channels/`: its description, `c<collection>-s<shard>`.
    var directoryName: String { description }

    /// Parses a directory name written by `directoryName`; `nil` for anything else.
    init?(directoryName name: String) {
        guard name.hasPrefix("c"), let split = name.range(of: "-s", options: .backwards) else { return nil }
        guard let collection = Int64(name[name.index(after: name.startIndex)..<split.lowerBound]),
              let shard = Int(name[split.upperBound...]), (0..<1024).contains(shard)
        else { return nil }
        self.init(collection: collection, shard: shard)
        guard description == name else { return nil }  // canonical spelling only ("c01-s1" is not ours)
    }
}
