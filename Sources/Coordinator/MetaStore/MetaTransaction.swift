import Wire

/// An atomic multi-key write: every condition must hold, then every operation is applied under one new
/// store revision and one WAL record (etcd's `Txn`). The catalog uses it so that, for example, a
/// collection and its aliases change together or not at all.
public struct MetaTransaction: Sendable, Equatable {
    /// A precondition on one key.
    public enum Condition: Sendable, Equatable {
        /// The key's `modRevision` equals the revision; 0 means the key must not exist.
        case revision(key: String, equals: UInt64)
    }

    /// A write.
    public enum Operation: Sendable, Equatable {
        case put(key: String, value: [UInt8])
        case delete(key: String)

        var key: String {
            switch self {
            case .put(let key, _), .delete(let key): return key
            }
        }
    }

    public var conditions: [Condition]
    public var operations: [Operation]

    public init(conditions: [Condition] = [], operations: [Operation] = []) {
        self.conditions = conditions
        self.operations = operations
    }
}

/// The write-ahead-log record of one committed transaction (WAL record kind `user(1)`; the log record's
/// timestamp field holds the revision too). Payload, in the wire body codec (little-endian, varint lengths):
///
/// | field | encoding |
/// | --- | --- |
/// | format version | u8, 1 |
/// | revision | u64 |
/// | operation count | varint |
/// | per operation: tag | u8: 1 put, 2 delete |
/// | key | string |
/// | value (put only) | bytes |
///
/// Conditions are not logged: they were checked before the record was written.
struct MetaWALRecord: Equatable {
    static let formatVersion: UInt8 = 1
    var revision: UInt64
    var operations: [MetaTransaction.Operation]

    func encode() -> [UInt8] {
        var w = WireWriter(capacity: 64)
        w.writeUInt8(Self.formatVersion)
        w.writeUInt64(revision)
        w.writeVarUInt(UInt64(operations.count))
        for op in operations {
            switch op {
            case .put(let key, let value):
                w.writeUInt8(1)
                w.writeString(key)
                w.writeBytes(value)
            case .delete(let key):
                w.writeUInt8(2)
                w.writeString(key)
            }
        }
        return w.bytes
    }

    init(revision: UInt64, operations: [MetaTransaction.Operation]) {
        self.revision = revision
        self.operations = operations
    }

    init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var r = WireReader(bytes)
        let version = try r.readUInt8()
        guard version == Self.formatVersion else { throw .invalidValue("meta WAL record version \(version)") }
        revision = try r.readUInt64()
        operations = try r.readArray { (r: inout WireReader) throws(WireDecodingError) -> MetaTransaction.Operation in
            switch try r.readUInt8() {
            case 1:
                let key = try r.readString(limit: MetaStore.maxKeyBytes)
                return .put(key: key, value: try r.readBytes())
            case 2:
                return .delete(key: try r.readString(limit: MetaStore.maxKeyBytes))
            case let tag:
                throw .invalidValue("meta WAL operation tag \(tag)")
            }
        }
        try r.finish()
    }
}
