import Foundation
import HNSW
import VecCore

/// One shard of a collection, usable in-process: durable writes through a `ChannelLog`, a growing segment in
/// memory, sealed segments in an `ObjectStore`, MVCC reads at a timestamp, flush, compaction and recovery.
/// The query/data nodes and the standalone server build on it.
///
/// ## Directory layout
/// `<directory>/log/` is the shard's `ChannelLog`; `<directory>/objects/` a `LocalObjectStore` holding the
/// `manifest` and `segments/<id>/…` objects. Formats: docs/storage.md.
///
/// ## Durability
/// A write (`insert`, `upsert`, `delete`) returns only after its log record is fsynced; it is then applied in
/// memory. `flush()` seals the growing segment, writes it, commits a manifest naming the log checkpoint, and
/// truncates the log below it. `open` loads the manifest's segments and replays the log from the checkpoint.
///
/// ## Threading contract
/// All methods are synchronous and may block on disk I/O and CPU (searches, index builds): call them from
/// dedicated threads, never from Swift's cooperative pool. The class is thread-safe: reads (`get`, `query`,
/// `search`) run concurrently with each other; concurrent inserts/upserts share log fsyncs (group commit,
/// `WriteSequencer`) and are applied one at a time in log order, excluding reads while they apply; deletes,
/// flush and compaction wait for earlier writes and run alone. Searches fan out over (segment, query)
/// pairs on the shard's own `WorkerPool`.
///
/// ## Timestamps
/// Every write carries a hybrid timestamp (`HybridTimestamp`); timestamps must not decrease from one write
/// to the next. Writes with equal timestamps are ordered by their log order.
public final class Shard: @unchecked Sendable {
    /// The collection schema.
    public let schema: CollectionSchema
    /// One index spec per vector field (fields without one given to `open` get FLAT / L2).
    public let indexes: [IndexSpec]
    /// The shard's directory.
    public let directory: String

    let options: ShardOptions
    let log: ChannelLog
    let store: any ObjectStore
    let pool: WorkerPool
    let lock = ReadWriteLock()
    /// Orders writes (group commit, log order = apply order).
    let sequencer: WriteSequencer
    /// Mutable state; every access holds `lock`.
    let state: ShardState

    init(schema: CollectionSchema, indexes: [IndexSpec], directory: String, options: ShardOptions, log: ChannelLog,
         store: any ObjectStore, state: ShardState, pool: WorkerPool) {
        self.schema = schema
        self.indexes = indexes
        self.directory = directory
        self.options = options
        self.log = log
        self.store = store
        self.state = state
        self.pool = pool
        self.sequencer = WriteSequencer(lastTimestamp: state.lastTimestamp)
    }

    deinit { pool.shutdown() }

    var primaryKeyField: FieldSchema { schema.primaryKey! }

    // MARK: - Writes

    /// Inserts `batch` at `timestamp`. A row whose primary key already exists replaces it (latest write wins).
    /// Returns once the batch is durable in the log and applied. Concurrent inserts share log fsyncs.
    /// - Throws: `ShardError.timestampRegression` (retry with a fresh timestamp), `.invalidArgument` (foreign
    ///   schema, zero vector for COSINE, batch over the log's record limit), `.log` (the log failed), `.closed`.
    public func insert(_ batch: RowBatch, timestamp: UInt64) throws(ShardError) {
        try write(batch, timestamp: timestamp, kind: .insertBatch)
    }

    /// Upsert: deletes the rows with the batch's primary keys and inserts the batch, atomically at one
    /// timestamp (one log record). Same errors as `insert`.
    public func upsert(_ batch: RowBatch, timestamp: UInt64) throws(ShardError) {
        try write(batch, timestamp: timestamp, kind: Self.upsertKind)
    }

    /// Deletes the rows with these primary keys at `timestamp` (tombstones: reads before `timestamp` still see
    /// them). Keys that do not exist are ignored. Waits for earlier writes to be applied.
    /// - Returns: how many live rows were deleted.
    @discardableResult
    public func delete(primaryKeys keys: [PrimaryKey], timestamp: UInt64) throws(ShardError) -> Int {
        for key in keys { try checkKeyType(key) }
        return try sequencer.exclusively(timestamp: timestamp) { () throws(ShardError) -> Int in
            try lock.writing { () throws(ShardError) -> Int in
                try checkOpen()
                return try logAndApplyDelete(keys, timestamp: timestamp)
            }
        }
    }

    /// Deletes every row live now that matches `filter` (Milvus's `delete(expr)`), at `timestamp`.
    /// - Returns: how many rows were deleted.
    @discardableResult
    public func delete(where filter: String, parameters: [String: FieldValue] = [:], timestamp: UInt64) throws(ShardError) -> Int {
        let expression: FilterExpression
        do { expression = try FilterExpression(filter, schema: schema, parameters: parameters) } catch { throw .filter(error) }
        return try sequencer.exclusively(timestamp: timestamp) { () throws(ShardError) -> Int in
            try lock.writing { () throws(ShardError) -> Int in
                try checkOpen()
                var keys: [PrimaryKey] = []
                for segment in state.allSegments {
                    let allow = try segment.allowList(at: HybridTimestamp.latest, filter: expression)
                    let pk = segment.primaryKeyColumn
                    allow.forEachSet { keys.append(PrimaryKey.key(of: pk, at: $0)) }
                }
                return try logAndApplyDelete(keys, timestamp: timestamp)
            }
        }
    }

    static let upsertKind = LogRecordKind.user(1)

    /// Group-committed write: ticket + enqueue (log order), wait for the fsync unlocked, apply in turn.
    func write(_ batch: RowBatch, timestamp: UInt64, kind: LogRecordKind, channelPosition: LogPosition? = nil) throws(ShardError) {
        guard batch.schema == schema else { throw .invalidArgument("the batch was built for a different schema") }
        try checkVectors(batch)
        if batch.rowCount == 0 {
            if let channelPosition { try noteChannelRecord(channelPosition) }
            return
        }
        let payload = Data(batch.encode())
        guard payload.count <= log.options.maxRecordBytes else {
            throw .invalidArgument("the batch encodes to \(payload.count) bytes, over the log's record limit of "
                + "\(log.options.maxRecordBytes); split it")
        }
        let outcome = AppendOutcome()
        let ticket = try sequencer.admit(timestamp: timestamp) {
            log.core.enqueue(LogAppendRequest(kind: kind, timestamp: timestamp, payload: payload) { outcome.complete($0) })
        }
        let result = outcome.wait()
        try sequencer.inTurn(ticket) { () throws(ShardError) in
            let position: LogPosition
            switch result {
            case .success(let p): position = p
            case .failure(let e):
                sequencer.refuse("the log failed: \(e); reopen the shard")
                throw .log("append failed: \(e)")
            }
            try lock.writing { () throws(ShardError) in
                try checkOpen()
                do throws(ShardError) {
                    try state.applyInsert(batch, timestamp: timestamp, encodedBytes: payload.count,
                                          now: options.clock(), pool: pool)
                } catch {
                    fail("applying logged record \(position) failed: \(error)")
                    throw error
                }
                state.lastTimestamp = timestamp
                state.appliedEnd = position.next
                if let channelPosition { state.channelEnd = channelPosition.next }
                sealIfDueLocked()
            }
        }
    }

    /// Deletes `keys` at `timestamp` as the channel record at `channelPosition` (which becomes part of the next
    /// flush even when no key was live).
    func delete(primaryKeys keys: [PrimaryKey], timestamp: UInt64, channelPosition: LogPosition) throws(ShardError) -> Int {
        for key in keys { try checkKeyType(key) }
        return try sequencer.exclusively(timestamp: timestamp) { () throws(ShardError) -> Int in
            try lock.writing { () throws(ShardError) -> Int in
                try checkOpen()
                let n = try logAndApplyDelete(keys, timestamp: timestamp, channelPosition: channelPosition)
                if n == 0 { state.channelEnd = channelPosition.next }
                return n
            }
        }
    }

    /// Records that the channel record at `position` needed no change (an empty batch).
    private func noteChannelRecord(_ position: LogPosition) throws(ShardError) {
        try sequencer.exclusively { () throws(ShardError) in
            try lock.writing { () throws(ShardError) in
                try checkOpen()
                state.channelEnd = position.next
            }
        }
    }

    /// With the write lock held and no other write in flight.
    private func logAndApplyDelete(_ keys: [PrimaryKey], timestamp: UInt64, channelPosition: LogPosition? = nil) throws(ShardError) -> Int {
        let live = keys.filter { state.latest[$0] != nil }
        if live.isEmpty { return 0 }
        let payload = Data(PrimaryKeyList.encode(live, type: primaryKeyField.dataType))
        let position: LogPosition
        do { position = try log.appendSynchronously(kind: .deleteBatch, timestamp: timestamp, payload: payload) } catch {
            sequencer.refuse("the log failed: \(error); reopen the shard")
            throw .log("append failed: \(error)")
        }
        let n = state.applyDelete(live, timestamp: timestamp)
        state.lastTimestamp = timestamp
        state.appliedEnd = position.next
        if let channelPosition { state.channelEnd = channelPosition.next }
        sealIfDueLocked()
        return n
    }

    /// Memory and log may disagree from here on: refuse everything until reopened (replay repairs it).
    func fail(_ reason: String) {
        state.failure = reason
        sequencer.refuse(reason)
    }

    func checkOpen() throws(ShardError) {
        if state.closed { throw .closed("the shard is closed") }
        if let f = state.failure { throw .closed(f) }
    }

    private func checkKeyType(_ key: PrimaryKey) throws(ShardError) {
        switch (key, primaryKeyField.dataType) {
        case (.int, .int64), (.string, .varChar): return
        default: throw .invalidArgument("primary key \(key) does not match the \(primaryKeyField.dataType) key field")
        }
    }

    /// COSINE cannot normalise zero vectors; reject them before they reach the log.
    private func checkVectors(_ batch: RowBatch) throws(ShardError) {
        for spec in indexes where spec.metric == .cosine {
            guard let v = batch.column(named: spec.fieldName)?.data.floatVectors, v.dimension > 0 else { continue }
            for r in 0..<(v.values.count / v.dimension) {
                var zero = true
                for j in 0..<v.dimension where v.values[r * v.dimension + j] != 0 { zero = false; break }
                if zero { throw .invalidArgument("row \(r): field '\(spec.fieldName)' is a zero vector, which COSINE cannot normalise") }
            }
        }
    }

    // MARK: - Lifecycle

    /// Closes the log and stops the workers. Later calls throw `ShardError.closed`. Idempotent.
    /// Unflushed rows are safe in the log and come back on the next `open`.
    public func close() {
        try? sequencer.exclusively { () -> Void in
            lock.writing { () -> Void in
                if state.closed { return }
                state.closed = true
                log.close()
            }
        }
        sequencer.refuse("the shard is closed")
        pool.shutdown()
    }

    /// Counters for tests and monitoring.
    public struct Statistics: Sendable, Equatable {
        /// Sealed segments loaded.
        public var sealedSegments: Int
        /// Rows stored in sealed segments, superseded versions included.
        public var sealedRows: Int
        /// Rows in the growing segment, superseded versions included.
        public var growingRows: Int
        /// Rows visible now (one per live primary key).
        public var liveRows: Int
        /// Timestamp of the last write applied.
        public var lastTimestamp: UInt64
        /// Log position recovery would replay from (the last flush's checkpoint).
        public var checkpoint: LogPosition
        /// Whether the growing segment's HNSW fields use a graph yet.
        public var growingUsesHNSW: Bool
        /// Why the last automatic seal failed (nil once one succeeds); it is retried on the next write.
        public var lastSealError: String?
        /// The channel checkpoint of the last committed manifest (the one found at open, or written by the
        /// last flush): a loader of that manifest consumes the channel from here. Nil: none recorded.
        public var channelCheckpoint: LogPosition?
        /// Whether writes were applied since the last flush (a flush would write something new).
        public var hasUnflushedChanges: Bool
        /// Sealed segments' vector indexes loaded from index objects at `open`.
        public var indexObjectsLoaded: Int = 0
        /// Sealed segments' vector indexes built in memory at `open` (no usable index object).
        public var indexesBuiltOnLoad: Int = 0
        /// Sealed segments' vector fields left to an exact scan at `open` (deferred builds, no index object).
        public var deferredIndexScans: Int = 0
        /// Index objects present at `open` but rejected (damaged, or built for other rows or another spec).
        public var rejectedIndexObjects: [SegmentIndexError] = []
    }

    public var statistics: Statistics {
        lock.reading {
            Statistics(
                sealedSegments: state.sealed.count, sealedRows: state.sealed.reduce(0) { $0 + $1.rowCount },
                growingRows: state.growing.rowCount, liveRows: state.latest.count, lastTimestamp: state.lastTimestamp,
                checkpoint: state.checkpoint, growingUsesHNSW: state.growing.vectorIndexes.values.contains { $0.isHNSW },
                lastSealError: state.sealError.map { "\($0)" }, channelCheckpoint: state.flushedChannelCheckpoint,
                hasUnflushedChanges: state.appliedEnd > state.checkpoint, indexObjectsLoaded: state.indexLoad.objectsLoaded,
                indexesBuiltOnLoad: state.indexLoad.builtInMemory, deferredIndexScans: state.indexLoad.deferredScans,
                rejectedIndexObjects: state.indexLoad.rejected)
        }
    }

    /// The shard log's counters (appended records, fsyncs shared by group commit, …).
    public var logStatistics: ChannelLog.Statistics { log.statistics }

    /// The ids of the sealed segments, ascending.
    public var sealedSegmentIDs: [SegmentID] { lock.reading { state.sealed.map(\.id) } }
}
