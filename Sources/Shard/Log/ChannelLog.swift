#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation

/// A durable, ordered, append-only log for one channel (the Pulsar role): proxies append insert/delete batches
/// and time ticks; query and data nodes read and tail it from a position; data nodes' checkpoints let it drop
/// old segments.
///
/// Guarantees:
/// - `append` returns only after the record is on stable storage (`fdatasync`). Concurrent appends share
///   fsyncs (group commit, see `LogWriter`), on a dedicated writer thread.
/// - Positions are consecutive and records are read back in position order, byte for byte.
/// - Readers see only durable records.
/// - After a crash, opening the log keeps every acknowledged record; a torn tail (a write in flight when the
///   process or machine died) is cut off. Damage anywhere else is reported as `LogError.corrupt` with the file
///   and offset — never skipped, never a crash.
/// - One `ChannelLog` per directory at a time (a `flock`ed `LOCK` file, released if the process dies).
///
/// ## On-disk format (all integers little-endian)
/// The directory holds `LOCK`, segment files named `<first position, 20 decimal digits>.seg`, and possibly a
/// `<name>.seg.tmp` left by a crash during segment creation (removed on open). Segments are created atomically
/// (temporary file, fsync, rename, directory fsync), so a final-named segment always has a valid header.
///
/// Segment header, 32 bytes:
///
/// | offset | size | field                                      |
/// |--------|------|--------------------------------------------|
/// | 0      | 8    | magic `"VNLOGSEG"`                         |
/// | 8      | 2    | format version, currently 1                |
/// | 10     | 2    | reserved, 0                                |
/// | 12     | 4    | reserved, 0                                |
/// | 16     | 8    | position (LSN) of the segment's first record |
/// | 24     | 4    | CRC-32C of bytes 0..<24                    |
/// | 28     | 4    | reserved, 0                                |
///
/// Then records back to back, each `28 + n` bytes:
///
/// | offset | size | field                                                         |
/// |--------|------|---------------------------------------------------------------|
/// | 0      | 4    | CRC-32C of bytes 4..<28+n (the rest of the header and the payload) |
/// | 4      | 4    | payload length n (at most 256 MiB)                            |
/// | 8      | 1    | kind (`LogRecordKind`: 1 insert, 2 delete, 3 time tick, 4 opaque, 128–255 user) |
/// | 9      | 3    | reserved, 0                                                   |
/// | 12     | 8    | timestamp                                                     |
/// | 20     | 8    | position (LSN): the segment's first position + index in segment |
/// | 28     | n    | payload                                                       |
///
/// A record is valid when its length fits in the file and under the limit, its CRC matches, its kind is
/// defined, its reserved bytes are zero and its position is the expected next one.
///
/// ## Threads
/// All methods are safe to call from any thread or task. `append` suspends without blocking a thread;
/// `appendSynchronously`, `read`, `truncate` and `close` block the calling thread on disk I/O (short, but prefer
/// calling them off the cooperative pool in servers).
public final class ChannelLog: Sendable {
    /// The directory holding the segments.
    public let directory: String
    /// What recovery found and repaired when the log was opened.
    public let recoveryReport: RecoveryReport
    let core: LogCore

    /// Opens the log in `directory` (created if missing), recovering it, and starts its writer thread.
    ///
    /// - Throws: `LogError.invalidOptions`, `.locked` (already open elsewhere), `.corrupt` (damage recovery must
    ///   not discard), `.io`.
    public init(directory: String, options: Options = Options()) throws {
        try options.validate()
        let directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let lockFD: Int32
        do {
            try FileIO.makeDirectories(directory)
            lockFD = try FileIO.open(directory + "/LOCK", O_RDWR | O_CREAT, mode: 0o644)
        } catch {
            throw LogError.io(error)
        }
        do {
            try ChannelLog.lock(lockFD, directory: directory, wait: options.lockWait)
        } catch {
            FileIO.close(lockFD)
            throw error
        }
        let recovered: Recovered
        do { recovered = try ChannelLog.recover(directory: directory) } catch {
            FileIO.close(lockFD)
            throw error
        }
        self.directory = directory
        self.recoveryReport = recovered.report
        let last = recovered.segments[recovered.segments.count - 1]
        core = LogCore(
            directory: directory, options: options,
            state: LogState(segments: recovered.segments, endLSN: recovered.endLSN), lockFD: lockFD)
        let writer = LogWriter(
            core: core, active: last.file, activeSize: last.endOffset, activeCount: last.offsets.count,
            nextLSN: recovered.endLSN)
        LogWriter.start(writer, name: "log-writer")
    }

    deinit { close() }

    /// Takes the exclusive `flock` on the `LOCK` file, polling every 5 ms for up to `wait`.
    private static func lock(_ fd: Int32, directory: String, wait: Duration) throws(LogError) {
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else {
                throw .io(IOFailure(operation: "flock", path: directory + "/LOCK", code: code))
            }
            guard clock.now < deadline else { throw .locked(directory: directory) }
            usleep(5_000)
        }
    }

    /// The options the log was opened with.
    public var options: Options { core.options }

    /// The oldest retained position (records below it were truncated).
    public var firstPosition: LogPosition { core.state.withLock { LogPosition($0.segments[0].file.firstLSN) } }

    /// The position the next append will get; every position below it (and at or above `firstPosition`) is
    /// durable and readable.
    public var endPosition: LogPosition { core.state.withLock { LogPosition($0.endLSN) } }

    /// Counters since open.
    public var statistics: Statistics { core.state.withLock { $0.statistics } }

    /// Appends a record and returns its position once it is durable.
    ///
    /// Cancelling the calling task does not withdraw an append that was already accepted: it is written, and its
    /// position is returned.
    ///
    /// - Throws: `LogError.recordTooLarge`, `.closed`, `.writerFailed` (an earlier write failed; reopen).
    public func append(kind: LogRecordKind, timestamp: UInt64, payload: Data) async throws -> LogPosition {
        try checkSize(payload)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<LogPosition, any Error>) in
            core.enqueue(
                LogAppendRequest(kind: kind, timestamp: timestamp, payload: payload) { result in
                    continuation.resume(with: result.mapError { $0 as any Error })
                })
        }
    }

    /// `append` for threads outside Swift concurrency (tools, tests, dedicated worker threads): blocks the
    /// calling thread until the record is durable. Never call it from the cooperative pool.
    public func appendSynchronously(kind: LogRecordKind, timestamp: UInt64, payload: Data) throws -> LogPosition {
        try checkSize(payload)
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        core.enqueue(
            LogAppendRequest(kind: kind, timestamp: timestamp, payload: payload) { result in
                box.set(result)
                done.signal()
            })
        done.wait()
        return try box.get()
    }

    /// Queues an append and returns at once; `completion` runs exactly once, when the record is durable (with
    /// its position) or has failed. Positions follow the order of the calls that queued the appends, so a caller
    /// that picks each record's timestamp under its own lock around this call stores timestamps in position
    /// order (the log node keeps channel timestamps non-decreasing this way). `completion` runs on the log's
    /// writer thread (or on the calling thread when a closed or failed log rejects the append at once), so it
    /// must be quick and must not block: resume a continuation, signal a semaphore.
    ///
    /// - Throws: `LogError.recordTooLarge`, and then nothing was queued and `completion` is not called.
    public func enqueueAppend(
        kind: LogRecordKind, timestamp: UInt64, payload: Data,
        completion: @escaping @Sendable (Result<LogPosition, LogError>) -> Void
    ) throws {
        try checkSize(payload)
        core.enqueue(LogAppendRequest(kind: kind, timestamp: timestamp, payload: payload, completion: completion))
    }

    private func checkSize(_ payload: Data) throws {
        if payload.count > core.options.maxRecordBytes {
            throw LogError.recordTooLarge(size: payload.count, limit: core.options.maxRecordBytes)
        }
    }

    /// Stops accepting appends, waits for the writer to finish the appends already accepted, wakes every waiting
    /// tailer (with `false`) and releases the directory lock. Idempotent; also called on deinit.
    public func close() {
        let first = core.state.withLock { s -> Bool in
            if s.closed { return false }
            s.closed = true
            return true
        }
        guard first else { return }
        core.wake.signal()
        core.writerExited.wait()
        let waiters = core.state.withLock { s -> [LogTailWaiter] in
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume(false) }
        FileIO.close(core.lockFD)
    }
}

/// Carries a result from the writer thread to a thread blocked in `appendSynchronously`.
private final class ResultBox: @unchecked Sendable {
    // Written once by the writer before it signals the semaphore, read after the wait: the semaphore orders them.
    private var result: Result<LogPosition, LogError> = .failure(.closed)
    func set(_ r: Result<LogPosition, LogError>) { result = r }
    func get() throws -> LogPosition { try result.get() }
}
