import Foundation
import VecCore

extension Shard {
    /// Opens (creating if needed) the shard in `directory`, recovering its state: loads the sealed segments the
    /// manifest names, then replays the log from the manifest's checkpoint into a new growing segment.
    ///
    /// - Parameters:
    ///   - schema: the collection schema; must equal the one the shard was created with.
    ///   - indexes: index specs per vector field (fields without one get FLAT / L2); must equal the stored ones.
    /// - Throws: `ShardError.schema` (invalid or different schema/specs), `.corrupt` (a damaged manifest,
    ///   segment, index object or log), `.log` / `.objectStore` (I/O, or the directory is in use).
    public static func open(directory: String, schema: CollectionSchema, indexes: [IndexSpec],
                            options: ShardOptions = ShardOptions()) throws(ShardError) -> Shard {
        try open(location: ShardLocation(directory: directory), schema: schema, indexes: indexes, options: options)
    }

    /// Opens the shard whose log and objects live where `location` says (see `ShardLocation`); otherwise as
    /// `open(directory:schema:indexes:options:)`. With a scratch log the manifest's segments are loaded and
    /// nothing is replayed; `statistics.channelCheckpoint` tells where to resume the channel.
    public static func open(location: ShardLocation, schema: CollectionSchema, indexes: [IndexSpec],
                            options: ShardOptions = ShardOptions()) throws(ShardError) -> Shard {
        try options.validate()
        do {
            try schema.validate()
            try schema.validate(indexes: indexes)
        } catch {
            throw .schema("\(error)")
        }
        var specs: [IndexSpec] = []
        for field in schema.vectorFields {
            specs.append(indexes.first { $0.fieldName == field.name } ?? IndexSpec(fieldName: field.name, kind: .flat, metric: .l2))
        }
        let store: LocalObjectStore
        do { store = try LocalObjectStore(root: location.objectDirectory) } catch { throw .objectStore("\(error)") }
        let log: ChannelLog
        do { log = try ChannelLog(directory: location.logDirectory, options: options.log) } catch {
            if let e = error as? LogError, case .corrupt = e { throw .corrupt(what: "log", reason: "\(e)") }
            throw .log("opening: \(error)")
        }
        // Created before recovery: segments without an index object build theirs on it.
        let pool = WorkerPool(threads: options.workerThreads)
        do throws(ShardError) {
            if location.scratchLog && log.firstPosition != log.endPosition {
                throw ShardError.invalidArgument("the scratch log in \(location.logDirectory) is not empty; wipe it before opening")
            }
            let state = try recoverState(store: store, log: log, schema: schema, specs: specs, options: options,
                                         scratchLog: location.scratchLog, pool: pool)
            let directory = (location.logDirectory as NSString).deletingLastPathComponent
            let shard = Shard(schema: schema, indexes: specs, directory: directory, options: options, log: log,
                              store: store, state: state, pool: pool)
            try shard.replay()
            shard.sequencer.resume(lastTimestamp: state.lastTimestamp)
            return shard
        } catch {
            log.close()
            pool.shutdown()
            throw error
        }
    }

    private static func recoverState(store: LocalObjectStore, log: ChannelLog, schema: CollectionSchema, specs: [IndexSpec],
                                     options: ShardOptions, scratchLog: Bool, pool: WorkerPool) throws(ShardError) -> ShardState {
        var manifest: ShardManifest?
        let exists: Bool
        do { exists = try store.exists(ShardManifest.key) } catch { throw .objectStore("\(error)") }
        if exists {
            let bytes: Data
            do { bytes = try store.get(ShardManifest.key) } catch {
                if let e = error as? ObjectStoreError, case .corrupt = e { throw .corrupt(what: "shard manifest", reason: "\(e)") }
                throw .objectStore("reading the manifest: \(error)")
            }
            manifest = try ShardManifest(decoding: [UInt8](bytes))
        }
        // A scratch log starts empty: its first position is where the manifest's rows end.
        let checkpoint = scratchLog ? log.endPosition : manifest?.checkpoint ?? .start
        if let m = manifest {
            guard m.schema == schema else { throw .schema("the schema differs from the one this shard was created with") }
            guard m.specs == specs else { throw .schema("the index specs differ from the ones this shard was created with") }
        }
        guard log.firstPosition <= checkpoint, checkpoint <= log.endPosition else {
            throw .corrupt(what: "log", reason: "it holds positions \(log.firstPosition)..<\(log.endPosition) but the "
                + "manifest's checkpoint is \(checkpoint)\(manifest == nil ? " (manifest missing)" : "")")
        }
        let next = manifest?.nextSegmentID ?? SegmentID(1)
        let growing = try GrowingSegment(id: next, schema: schema, specs: specs, hnswThreshold: options.effectiveGrowingHNSWThreshold)
        let state = ShardState(growing: growing, nextSegmentID: SegmentID(next.rawValue + 1), checkpoint: checkpoint)
        state.lastTimestamp = manifest?.lastTimestamp ?? 0
        state.channelEnd = manifest?.channelCheckpoint
        state.flushedChannelCheckpoint = manifest?.channelCheckpoint
        for entry in manifest?.segments ?? [] {
            let segment = try SealedSegment.load(id: entry.id, rowCount: entry.rowCount, schema: schema, specs: specs,
                                                 supersededAt: entry.supersededAt, from: store,
                                                 deferIndexBuilds: options.deferIndexBuilds, pool: pool,
                                                 report: &state.indexLoad)
            state.add(sealed: segment)
            try state.indexLiveRows(of: segment)
        }
        return state
    }

    /// Re-applies the log records from the checkpoint to the end, exactly as the writes applied them.
    private func replay() throws(ShardError) {
        var position = state.checkpoint
        let end = log.endPosition
        let pkType = primaryKeyField.dataType
        while position < end {
            let records: [LogRecord]
            do { records = try log.read(from: position, maxRecords: 256) } catch {
                if let e = error as? LogError, case .corrupt = e { throw .corrupt(what: "log", reason: "\(e)") }
                throw .log("reading \(position): \(error)")
            }
            guard !records.isEmpty else { throw .corrupt(what: "log", reason: "no record at \(position) before the end \(end)") }
            for record in records {
                let what = "log record \(record.position)"
                guard record.timestamp >= state.lastTimestamp else {
                    throw .corrupt(what: what, reason: "timestamp \(record.timestamp) below \(state.lastTimestamp)")
                }
                switch record.kind {
                case .insertBatch, Self.upsertKind:
                    let batch: RowBatch
                    do { batch = try RowBatch(decoding: [UInt8](record.payload), schema: schema) } catch {
                        throw .corrupt(what: what, reason: "\(error)")
                    }
                    try state.applyInsert(batch, timestamp: record.timestamp, encodedBytes: record.payload.count,
                                          now: options.clock(), pool: pool)
                case .deleteBatch:
                    let keys: [PrimaryKey]
                    do { keys = try PrimaryKeyList.decode([UInt8](record.payload), type: pkType) } catch {
                        throw .corrupt(what: what, reason: error.reason)
                    }
                    _ = state.applyDelete(keys, timestamp: record.timestamp)
                case .timeTick:
                    break
                default:
                    throw .corrupt(what: what, reason: "unexpected record kind \(record.kind)")
                }
                state.lastTimestamp = record.timestamp
                position = record.position.next
                state.appliedEnd = position
            }
        }
    }
}
