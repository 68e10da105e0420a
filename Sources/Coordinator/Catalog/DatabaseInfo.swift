import Wire

/// A database: a namespace of collections. `default` always exists.
public struct DatabaseInfo: Sendable, Equatable, WireCodable {
    public var id: Int64
    public var name: String
    public var createdTimestamp: Timestamp

    public init(id: Int64, name: String, createdTimestamp: Timestamp) {
        self.id = id
        self.name = name
        self.createdTimestamp = createdTimestamp
    }

    /// Wire and meta-store encoding: id i64, name string, created timestamp u64.
    public func encode(into w: inout WireWriter) {
        w.writeInt64(id)
        w.writeString(name)
        w.writeUInt64(createdTimestamp.rawValue)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        id = try r.readInt64()
        name = try r.readString(limit: Catalog.maxNameLength)
        createdTimestamp = Timestamp(rawValue: try r.readUInt64())
    }
}

/// A partition of a collection. Every collection has `_default`.
public struct PartitionInfo: Sendable, Equatable, WireCodable {
    public var id: PartitionID
    public var name: String
    public var createdTimestamp: Timestamp

    public init(id: PartitionID, name: String, createdTimestamp: Timestamp) {
        self.id = id
        self.name = name
        self.createdTimestamp = createdTimestamp
    }

    /// Wire and meta-store encoding: id i64, name string, created timestamp u64.
    public func encode(into w: inout WireWriter) {
        id.encode(into: &w)
        w.writeString(name)
        w.writeUInt64(createdTimestamp.rawValue)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        id = try PartitionID(from: &r)
        name = try r.readString(limit: Catalog.maxNameLength)
        createdTimestamp = Timestamp(rawValue: try r.readUInt64())
    }
}
