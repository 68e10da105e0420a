import Foundation

/// One write to a shard in the form it travels on a shard channel: what the proxy appends to the log node
/// and what every replica of the shard (and the shard's own log) applies in channel order. The payloads
/// are exactly those of the shard's own log records (docs/storage.md), so one format serves both.
public enum ShardOperation: Sendable, Equatable {
    /// New rows; a row whose key exists replaces it (latest write wins).
    case insert(RowBatch)
    /// Rows that replace existing rows with the same key, or are added.
    case upsert(RowBatch)
    /// Keys to delete.
    case delete([PrimaryKey])

    /// The log record kind that carries this operation.
    public var logKind: LogRecordKind {
        switch self {
        case .insert: .insertBatch
        case .upsert: Shard.upsertKind
        case .delete: .deleteBatch
        }
    }

    /// Rows (or keys) the operation touches.
    public var rowCount: Int {
        switch self {
        case .insert(let b), .upsert(let b): b.rowCount
        case .delete(let keys): keys.count
        }
    }

    /// The record payload. `keyType` is the collection's primary-key type.
    public func payload(keyType: DataType) -> [UInt8] {
        switch self {
        case .insert(let b), .upsert(let b): b.encode()
        case .delete(let keys): PrimaryKeyList.encode(keys, type: keyType)
        }
    }

    /// Decodes a record of `kind` with `payload` for a collection with `schema`.
    /// - Throws: ``ShardError/corrupt(what:reason:)`` for an unknown kind or a damaged payload.
    public init(kind: LogRecordKind, payload: [UInt8], schema: CollectionSchema) throws(ShardError) {
        switch kind {
        case .insertBatch, Shard.upsertKind:
            let batch: RowBatch
            do { batch = try RowBatch(decoding: payload, schema: schema) } catch {
                throw .corrupt(what: "channel record", reason: "\(error)")
            }
            self = kind == .insertBatch ? .insert(batch) : .upsert(batch)
        case .deleteBatch:
            guard let pk = schema.primaryKey else { throw .schema("the schema has no primary key") }
            do throws(DecodeFailure) { self = .delete(try PrimaryKeyList.decode(payload, type: pk.dataType)) } catch {
                throw .corrupt(what: "channel record", reason: error.reason)
            }
        default:
            throw .corrupt(what: "channel record", reason: "kind \(kind) is not a shard write")
        }
    }
}

extension Shard {
    /// Applies `operation` at `timestamp` (through this shard's own log, like the individual write methods).
    /// - Returns: rows written, or for a delete the rows that were live and are now deleted.
    @discardableResult
    public func apply(_ operation: ShardOperation, timestamp: UInt64) throws(ShardError) -> Int {
        switch operation {
        case .insert(let b):
            try insert(b, timestamp: timestamp)
            return b.rowCount
        case .upsert(let b):
            try upsert(b, timestamp: timestamp)
            return b.rowCount
        case .delete(let keys):
            return try delete(primaryKeys: keys, timestamp: timestamp)
        }
    }

    /// Applies `operation`, the channel record at `channelPosition` of the log-node channel this shard is fed
    /// from: like `apply(_:timestamp:)`, and the next flush's manifest records `channelPosition.next` as its
    /// channel checkpoint (atomically with the rows: a flush never splits a record from its position).
    @discardableResult
    public func apply(_ operation: ShardOperation, timestamp: UInt64, channelPosition: LogPosition) throws(ShardError) -> Int {
        switch operation {
        case .insert(let b):
            try write(b, timestamp: timestamp, kind: .insertBatch, channelPosition: channelPosition)
            return b.rowCount
        case .upsert(let b):
            try write(b, timestamp: timestamp, kind: Self.upsertKind, channelPosition: channelPosition)
            return b.rowCount
        case .delete(let keys):
            return try delete(primaryKeys: keys, timestamp: timestamp, channelPosition: channelPosition)
        }
    }
}
