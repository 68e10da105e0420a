import Shard
import Wire

/// Everything the catalog knows about one collection. Stored as one meta-store record
/// (`catalog/collection/<id>`), so every DDL on a collection is one atomic write.
public struct CollectionInfo: Sendable, Equatable, WireCodable {
    public var id: CollectionID
    /// The database holding it.
    public var database: String
    public var name: String
    public var schema: CollectionSchema
    /// Number of shards (log channels) rows are hashed to; fixed at creation.
    public var shardsNum: Int
    public var consistencyLevel: ConsistencyLevel
    /// Free-form key/value properties (Milvus collection properties), sorted by key.
    public var properties: [CollectionProperty]
    public var createdTimestamp: Timestamp
    /// Partitions in creation order; the first is `_default`.
    public var partitions: [PartitionInfo]
    /// Index specs, at most one per vector field, in creation order.
    public var indexes: [IndexSpec]
    /// Aliases pointing at this collection, sorted.
    public var aliases: [String]

    public init(
        id: CollectionID, database: String, name: String, schema: CollectionSchema, shardsNum: Int,
        consistencyLevel: ConsistencyLevel, properties: [CollectionProperty], createdTimestamp: Timestamp,
        partitions: [PartitionInfo], indexes: [IndexSpec] = [], aliases: [String] = []
    ) {
        self.id = id
        self.database = database
        self.name = name
        self.schema = schema
        self.shardsNum = shardsNum
        self.consistencyLevel = consistencyLevel
        self.properties = properties
        self.createdTimestamp = createdTimestamp
        self.partitions = partitions
        self.indexes = indexes
        self.aliases = aliases
    }

    /// The partition named `name`, if any.
    public func partition(named name: String) -> PartitionInfo? { partitions.first { $0.name == name } }

    static let formatVersion: UInt8 = 1

    /// Wire and meta-store encoding (wire body codec):
    ///
    /// | field | encoding |
    /// | --- | --- |
    /// | format version | u8, 1 |
    /// | id | i64 |
    /// | database, name | string each |
    /// | schema | bytes: `CollectionSchema.encode()` (checksummed, validated on decode) |
    /// | shards_num | u32 |
    /// | consistency level | u8 |
    /// | properties | array of (key string, value string) |
    /// | created timestamp | u64 |
    /// | partitions | array of `PartitionInfo` |
    /// | indexes | array of bytes: `IndexSpec.encode()` |
    /// | aliases | array of string |
    public func encode(into w: inout WireWriter) {
        w.writeUInt8(Self.formatVersion)
        id.encode(into: &w)
        w.writeString(database)
        w.writeString(name)
        w.writeBytes(schema.encode())
        w.writeUInt32(UInt32(clamping: shardsNum))
        consistencyLevel.encode(into: &w)
        w.writeArray(properties)
        w.writeUInt64(createdTimestamp.rawValue)
        w.writeArray(partitions)
        w.writeArray(indexes) { w, spec in w.writeBytes(spec.encode()) }
        w.writeArray(aliases)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        let version = try r.readUInt8()
        guard version == Self.formatVersion else { throw .invalidValue("collection record version \(version)") }
        id = try CollectionID(from: &r)
        database = try r.readString(limit: Catalog.maxNameLength)
        name = try r.readString(limit: Catalog.maxNameLength)
        do { schema = try CollectionSchema(decoding: try r.readBytes(limit: 16 << 20)) } catch let e as WireDecodingError {
            throw e
        } catch {
            throw .invalidValue("collection schema: \(error)")
        }
        shardsNum = Int(try r.readUInt32())
        consistencyLevel = try ConsistencyLevel(from: &r)
        properties = try r.readArray(of: CollectionProperty.self, maxCount: Catalog.maxProperties)
        createdTimestamp = Timestamp(rawValue: try r.readUInt64())
        partitions = try r.readArray(of: PartitionInfo.self, maxCount: Catalog.maxPartitions)
        indexes = try r.readArray(maxCount: CollectionSchema.Limits.maxFields) {
            (r: inout WireReader) throws(WireDecodingError) -> IndexSpec in
            do { return try IndexSpec(decoding: try r.readBytes(limit: 1 << 16)) } catch let e as WireDecodingError {
                throw e
            } catch {
                throw .invalidValue("index spec: \(error)")
            }
        }
        aliases = try r.readArray(of: String.self, maxCount: Catalog.maxAliasesPerCollection)
    }
}

/// One collection property.
public struct CollectionProperty: Sendable, Equatable, WireCodable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
    public func encode(into w: inout WireWriter) {
        w.writeString(key)
        w.writeString(value)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        key = try r.readString(limit: Catalog.maxPropertyKeyBytes)
        value = try r.readString(limit: Catalog.maxPropertyValueBytes)
    }
}
