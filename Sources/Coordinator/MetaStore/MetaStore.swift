import Foundation
import Shard
import Synchronization

/// The coordinator's durable key-value store (etcd's role in Milvus): string keys → byte values with
/// revisions, compare-and-set, atomic multi-key transactions and prefix listing.
///
/// Durability: every mutation is one record in a write-ahead log (a `ChannelLog` in `<directory>/wal`,
/// record kind `user(1)`, see `MetaWALRecord`) and is fsynced before the call returns; only then does the
/// change become visible to readers. Once the WAL has grown by `Options.snapshotThresholdBytes`, the whole
/// state is written to `<directory>/snapshot.meta` (a `ChecksummedFile` written atomically, see
/// `MetaStoreState.encodeSnapshot`) and WAL segments below the snapshot's position are deleted.
/// Opening = read the snapshot (if any), replay the WAL from the snapshot's position; a revision gap or an
/// undecodable record is `MetaStoreError.corrupt`, while a torn last record (a crash mid-append, never
/// acknowledged) is cut off by the log's own recovery.
///
/// Revisions: each committed transaction gets the next revision (1, 2, 3…), strictly increasing across
/// restarts. A key's `modRevision` is what compare-and-set compares.
///
/// Threads: all methods are safe from any thread. Writes block the calling thread for an fsync (about a
/// millisecond on SSD) while holding the store's lock, so writes are serialized; call them from a dedicated
/// thread (the `RootCoord` actor runs on one), not from a busy cooperative pool. One `MetaStore` per
/// directory (the WAL's `flock` enforces it, also across processes).
public final class MetaStore: Sendable {
    /// Longest key in UTF-8 bytes.
    public static let maxKeyBytes = 1024
    /// Name of the snapshot file inside the store directory.
    static let snapshotFileName = "snapshot.meta"
    static let walKind = LogRecordKind.user(1)

    /// Tuning; defaults suit coordinator metadata (small, rarely written).
    public struct Options: Sendable, Equatable {
        /// WAL bytes written since the last snapshot that trigger the next one. Default 4 MiB.
        public var snapshotThresholdBytes: Int = 4 << 20
        /// Size of one WAL segment file (truncation after a snapshot deletes whole segments). Default 1 MiB.
        public var walSegmentBytes: Int = 1 << 20
        /// Largest transaction (the encoded WAL record). Default 8 MiB.
        public var maxTransactionBytes: Int = 8 << 20
        /// Largest snapshot accepted when opening. Default 1 GiB.
        public var maxSnapshotBytes: Int = 1 << 30
        /// How long opening waits for another holder of the directory (e.g. a process that is exiting).
        /// Default 2 s.
        public var lockWait: Duration = .seconds(2)

        public init() {}

        func validate() throws(MetaStoreError) {
            guard snapshotThresholdBytes >= 1 else { throw .tooLarge("snapshotThresholdBytes must be positive") }
            guard maxTransactionBytes >= 1024, maxTransactionBytes <= 16 << 20 else {
                throw .tooLarge("maxTransactionBytes must be in 1 KiB…16 MiB, got \(maxTransactionBytes)")
            }
        }
    }

    /// What opening found.
    public struct RecoveryReport: Sendable, Equatable {
        /// Revision restored from the snapshot (0 if there was none).
        public var snapshotRevision: UInt64 = 0
        /// WAL records replayed on top of it.
        public var replayedRecords = 0
        /// Bytes the log cut from a torn tail (an append in flight at the crash, never acknowledged).
        public var truncatedWALBytes = 0
    }

    private struct Guarded {
        var state: MetaStoreState
        var walBytesSinceSnapshot = 0
        var closed = false
    }

    /// The store directory.
    public let directory: String
    public let options: Options
    /// What recovery did when the store was opened.
    public let recoveryReport: RecoveryReport
    private let log: ChannelLog
    private let guarded: Mutex<Guarded>

    /// Opens (or creates) the store in `directory`, recovering snapshot + WAL.
    ///
    /// - Throws: `MetaStoreError.log` (including `.locked` when another process has it open), `.storage`,
    ///   `.corrupt`.
    public init(directory: String, options: Options = Options()) throws(MetaStoreError) {
        try options.validate()
        self.directory = directory
        self.options = options
        var logOptions = ChannelLog.Options()
        logOptions.segmentBytes = max(4096, options.walSegmentBytes)
        logOptions.maxRecordBytes = options.maxTransactionBytes
        logOptions.lockWait = options.lockWait
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .corrupt("cannot create meta directory \(directory): \(error)")
        }
        let log: ChannelLog
        do { log = try ChannelLog(directory: directory + "/wal", options: logOptions) } catch {
            throw MetaStore.wrap(error)
        }
        var report = RecoveryReport()
        report.truncatedWALBytes = log.recoveryReport.truncatedBytes
        var state = MetaStoreState()
        var replayFrom: UInt64 = log.firstPosition.rawValue
        let snapshotPath = directory + "/" + MetaStore.snapshotFileName
        do {
            let payload = try ChecksummedFile.read(path: snapshotPath, maxPayloadBytes: options.maxSnapshotBytes)
            (state, replayFrom) = try MetaStoreState.decodeSnapshot([UInt8](payload))
            report.snapshotRevision = state.revision
        } catch StorageError.notFound {
            guard log.firstPosition == .start else {
                throw .corrupt("the WAL starts at \(log.firstPosition) but there is no snapshot for the records before it")
            }
        } catch {
            throw MetaStore.wrap(error)
        }
        guard replayFrom >= log.firstPosition.rawValue, replayFrom <= log.endPosition.rawValue else {
            throw .corrupt(
                "snapshot continues at WAL position \(replayFrom) but the WAL holds \(log.firstPosition)..<\(log.endPosition)")
        }
        var walBytes = 0
        var position = LogPosition(replayFrom)
        while position < log.endPosition {
            let records: [LogRecord]
            do { records = try log.read(from: position, maxRecords: 1024) } catch { throw MetaStore.wrap(error) }
            for record in records {
                guard record.kind == MetaStore.walKind else {
                    throw .corrupt("WAL record \(record.position) has kind \(record.kind), expected \(MetaStore.walKind)")
                }
                let decoded: MetaWALRecord
                do { decoded = try MetaWALRecord(decoding: [UInt8](record.payload)) } catch {
                    throw .corrupt("WAL record \(record.position) does not decode: \(error)")
                }
                guard decoded.revision == state.revision + 1 else {
                    throw .corrupt("WAL record \(record.position) has revision \(decoded.revision), expected \(state.revision + 1)")
                }
                state.apply(decoded.operations, revision: decoded.revision)
                walBytes += record.payload.count
                report.replayedRecords += 1
            }
            position = records.last!.position.next
        }
        self.log = log
        self.recoveryReport = report
        self.guarded = Mutex(Guarded(state: state, walBytesSinceSnapshot: walBytes))
    }

    deinit { log.close() }

    // MARK: Reads

    /// The revision of the last committed transaction (0 for a new store).
    public var revision: UInt64 { guarded.withLock { $0.state.revision } }

    /// The entry at `key`, or nil.
    public func get(_ key: String) -> MetaEntry? { guarded.withLock { $0.state.entry(key) } }

    /// Every key starting with `prefix` (all keys for ""), sorted by UTF-8 byte order.
    public func list(prefix: String) -> [(key: String, entry: MetaEntry)] {
        guarded.withLock { $0.state.list(prefix: prefix) }
    }

    // MARK: Writes

    /// Sets `key` to `value`; returns the new revision.
    @discardableResult
    public func put(_ key: String, _ value: [UInt8]) throws(MetaStoreError) -> UInt64 {
        try commit(MetaTransaction(operations: [.put(key: key, value: value)]))
    }

    /// Deletes `key`; returns the new revision, or nil (and writes nothing) if the key did not exist.
    @discardableResult
    public func delete(_ key: String) throws(MetaStoreError) -> UInt64? {
        try withWriteLock { g throws(MetaStoreError) -> UInt64? in
            guard g.state.entry(key) != nil else { return nil }
            return try commitLocked(&g, MetaTransaction(operations: [.delete(key: key)]))
        }
    }

    /// Sets `key` to `value` only if its `modRevision` is `expectedRevision` (0: only if it does not exist).
    ///
    /// - Returns: the new revision.
    /// - Throws: `MetaStoreError.revisionMismatch` with the actual revision.
    @discardableResult
    public func compareAndSet(_ key: String, expectedRevision: UInt64, value: [UInt8]) throws(MetaStoreError) -> UInt64 {
        try commit(MetaTransaction(
            conditions: [.revision(key: key, equals: expectedRevision)], operations: [.put(key: key, value: value)]))
    }

    /// Checks every condition, then applies every operation atomically under one new revision, durably.
    ///
    /// - Returns: the new revision (the current one, unchanged, if the transaction has no operations).
    /// - Throws: `.revisionMismatch`, `.invalidKey`, `.tooLarge`, `.log` (nothing was applied), `.closed`.
    @discardableResult
    public func commit(_ transaction: MetaTransaction) throws(MetaStoreError) -> UInt64 {
        try withWriteLock { g throws(MetaStoreError) -> UInt64 in try commitLocked(&g, transaction) }
    }

    /// Writes a snapshot now and truncates the WAL below it (normally automatic).
    public func snapshot() throws(MetaStoreError) {
        try withWriteLock { g throws(MetaStoreError) in try snapshotLocked(&g) }
    }

    /// Closes the WAL; later calls throw `.closed`. Idempotent. A store dropped without `close` (a crash)
    /// loses nothing acknowledged.
    public func close() {
        guarded.withLock { $0.closed = true }
        log.close()
    }

    private func withWriteLock<T>(_ body: (inout Guarded) throws(MetaStoreError) -> T) throws(MetaStoreError) -> T {
        try guarded.withLock { g throws(MetaStoreError) -> T in
            if g.closed { throw .closed }
            return try body(&g)
        }
    }

    private func commitLocked(_ g: inout Guarded, _ transaction: MetaTransaction) throws(MetaStoreError) -> UInt64 {
        for key in transaction.operations.map(\.key) { try MetaStore.validate(key: key) }
        try g.state.check(transaction.conditions)
        guard !transaction.operations.isEmpty else { return g.state.revision }
        let revision = g.state.revision + 1
        let payload = MetaWALRecord(revision: revision, operations: transaction.operations).encode()
        guard payload.count <= options.maxTransactionBytes else {
            throw .tooLarge("transaction encodes to \(payload.count) bytes, over the limit of \(options.maxTransactionBytes)")
        }
        do {
            _ = try log.appendSynchronously(kind: MetaStore.walKind, timestamp: revision, payload: Data(payload))
        } catch {
            throw MetaStore.wrap(error)
        }
        g.state.apply(transaction.operations, revision: revision)
        g.walBytesSinceSnapshot += payload.count
        if g.walBytesSinceSnapshot >= options.snapshotThresholdBytes {
            // The transaction is durable in the WAL already; a failed snapshot is retried at the next commit.
            try? snapshotLocked(&g)
        }
        return revision
    }

    private func snapshotLocked(_ g: inout Guarded) throws(MetaStoreError) {
        let position = log.endPosition
        let payload = g.state.encodeSnapshot(replayFrom: position.rawValue)
        do {
            try ChecksummedFile.write(path: directory + "/" + MetaStore.snapshotFileName, payload: Data(payload))
            try log.truncate(below: position)
        } catch {
            throw MetaStore.wrap(error)
        }
        g.walBytesSinceSnapshot = 0
    }

    static func validate(key: String) throws(MetaStoreError) {
        let n = key.utf8.count
        guard n > 0 else { throw .invalidKey("keys must not be empty") }
        guard n <= maxKeyBytes else { throw .invalidKey("key of \(n) bytes exceeds \(maxKeyBytes) bytes") }
        guard !key.utf8.contains(0) else { throw .invalidKey("key contains a NUL byte") }
    }

    private static func wrap(_ error: any Error) -> MetaStoreError {
        switch error {
        case let e as MetaStoreError: return e
        case let e as LogError: return .log(e)
        case let e as StorageError: return .storage(e)
        default: return .corrupt("unexpected error: \(error)")
        }
    }
}
