import Shard
import Wire

// Catalog calls of the root coordinator (kinds 0x0201…0x0241; docs/coordinator.md has the table).
// Every request names its database ("default" unless the client chose one).

private let nameLimit = Catalog.maxNameLength

/// A list of names (databases, collections).
public struct NameList: WireCodable, Equatable {
    public var names: [String]
    public init(names: [String]) { self.names = names }
    public func encode(into w: inout WireWriter) { w.writeArray(names) }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        names = try r.readArray(of: String.self, maxCount: Catalog.maxCollectionsPerDatabase)
    }
}

public struct CreateDatabase: WireRequest, Equatable {
    public static let kind = MessageKind(0x0201)
    public typealias Response = DatabaseInfo
    public var name: String
    public init(name: String) { self.name = name }
    public func encode(into w: inout WireWriter) { w.writeString(name) }
    public init(from r: inout WireReader) throws(WireDecodingError) { name = try r.readString(limit: nameLimit) }
}

public struct DropDatabase: WireRequest, Equatable {
    public static let kind = MessageKind(0x0202)
    public typealias Response = WireEmpty
    public var name: String
    public init(name: String) { self.name = name }
    public func encode(into w: inout WireWriter) { w.writeString(name) }
    public init(from r: inout WireReader) throws(WireDecodingError) { name = try r.readString(limit: nameLimit) }
}

public struct ListDatabases: WireRequest, Equatable {
    public static let kind = MessageKind(0x0203)
    public typealias Response = NameList
    public init() {}
    public func encode(into w: inout WireWriter) {}
    public init(from r: inout WireReader) throws(WireDecodingError) {}
}

/// Creates a collection with its `_default` partition; replies with the stored `CollectionInfo`.
public struct CreateCollection: WireRequest, Equatable {
    public static let kind = MessageKind(0x0210)
    public typealias Response = CollectionInfo
    public var request: Catalog.CollectionRequest
    public init(_ request: Catalog.CollectionRequest) { self.request = request }

    /// database, name (strings), schema (bytes: `CollectionSchema.encode()`), shards_num u32, consistency
    /// level u8, properties (array of key/value strings).
    public func encode(into w: inout WireWriter) {
        w.writeString(request.database)
        w.writeString(request.name)
        w.writeBytes(request.schema.encode())
        w.writeUInt32(UInt32(clamping: request.shardsNum))
        request.consistencyLevel.encode(into: &w)
        w.writeArray(request.properties)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        let database = try r.readString(limit: nameLimit)
        let name = try r.readString(limit: nameLimit)
        let schemaBytes = try r.readBytes(limit: 16 << 20)
        let schema: CollectionSchema
        do { schema = try CollectionSchema(decoding: schemaBytes) } catch {
            throw .invalidValue("collection schema: \(error)")
        }
        let shards = Int(try r.readUInt32())
        let level = try ConsistencyLevel(from: &r)
        let properties = try r.readArray(of: CollectionProperty.self, maxCount: Catalog.maxProperties)
        request = Catalog.CollectionRequest(
            database: database, name: name, schema: schema, shardsNum: shards, consistencyLevel: level,
            properties: properties)
    }
}

/// Names one collection (or alias, where accepted) in a database. Shared by several calls.
public struct CollectionRef: Sendable, Equatable {
    public var database: String
    public var name: String
    public init(database: String = Catalog.defaultDatabase, name: String) {
        self.database = database
        self.name = name
    }
    func encode(into w: inout WireWriter) {
        w.writeString(database)
        w.writeString(name)
    }
    init(from r: inout WireReader) throws(WireDecodingError) {
        database = try r.readString(limit: nameLimit)
        name = try r.readString(limit: nameLimit)
    }
}

/// Describes a collection by name or alias.
public struct DescribeCollection: WireRequest, Equatable {
    public static let kind = MessageKind(0x0211)
    public typealias Response = CollectionInfo
    public var collection: CollectionRef
    public init(_ collection: CollectionRef) { self.collection = collection }
    public func encode(into w: inout WireWriter) { collection.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { collection = try CollectionRef(from: &r) }
}

/// Names of the collections of a database, sorted.
public struct ListCollections: WireRequest, Equatable {
    public static let kind = MessageKind(0x0212)
    public typealias Response = NameList
    public var database: String
    public init(database: String = Catalog.defaultDatabase) { self.database = database }
    public func encode(into w: inout WireWriter) { w.writeString(database) }
    public init(from r: inout WireReader) throws(WireDecodingError) { database = try r.readString(limit: nameLimit) }
}

public struct DropCollection: WireRequest, Equatable {
    public static let kind = MessageKind(0x0213)
    public typealias Response = WireEmpty
    public var collection: CollectionRef
    public init(_ collection: CollectionRef) { self.collection = collection }
    public func encode(into w: inout WireWriter) { collection.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { collection = try CollectionRef(from: &r) }
}

public struct RenameCollection: WireRequest, Equatable {
    public static let kind = MessageKind(0x0214)
    public typealias Response = WireEmpty
    public var collection: CollectionRef
    public var newName: String
    public init(_ collection: CollectionRef, to newName: String) {
        self.collection = collection
        self.newName = newName
    }
    public func encode(into w: inout WireWriter) {
        collection.encode(into: &w)
        w.writeString(newName)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collection = try CollectionRef(from: &r)
        newName = try r.readString(limit: nameLimit)
    }
}

/// Creates a partition; replies with it.
public struct CreatePartition: WireRequest, Equatable {
    public static let kind = MessageKind(0x0220)
    public typealias Response = PartitionInfo
    public var collection: CollectionRef
    public var partition: String
    public init(_ collection: CollectionRef, partition: String) {
        self.collection = collection
        self.partition = partition
    }
    public func encode(into w: inout WireWriter) {
        collection.encode(into: &w)
        w.writeString(partition)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collection = try CollectionRef(from: &r)
        partition = try r.readString(limit: nameLimit)
    }
}

public struct DropPartition: WireRequest, Equatable {
    public static let kind = MessageKind(0x0221)
    public typealias Response = WireEmpty
    public var collection: CollectionRef
    public var partition: String
    public init(_ collection: CollectionRef, partition: String) {
        self.collection = collection
        self.partition = partition
    }
    public func encode(into w: inout WireWriter) {
        collection.encode(into: &w)
        w.writeString(partition)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collection = try CollectionRef(from: &r)
        partition = try r.readString(limit: nameLimit)
    }
}

/// The partitions of a collection (by name or alias), in creation order.
public struct ListPartitions: WireRequest, Equatable {
    public static let kind = MessageKind(0x0222)
    public typealias Response = PartitionList
    public var collection: CollectionRef
    public init(_ collection: CollectionRef) { self.collection = collection }
    public func encode(into w: inout WireWriter) { collection.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { collection = try CollectionRef(from: &r) }
}

public struct PartitionList: WireCodable, Equatable {
    public var partitions: [PartitionInfo]
    public init(partitions: [PartitionInfo]) { self.partitions = partitions }
    public func encode(into w: inout WireWriter) { w.writeArray(partitions) }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        partitions = try r.readArray(of: PartitionInfo.self, maxCount: Catalog.maxPartitions)
    }
}

/// Alias operations: `create` a new alias, `drop` it, `alter` (move) it to another collection.
public struct AliasRequest: Sendable, Equatable {
    public var database: String
    public var alias: String
    /// The target collection's name (ignored for drop).
    public var collection: String
    public init(database: String = Catalog.defaultDatabase, alias: String, collection: String = "") {
        self.database = database
        self.alias = alias
        self.collection = collection
    }
    func encode(into w: inout WireWriter) {
        w.writeString(database)
        w.writeString(alias)
        w.writeString(collection)
    }
    init(from r: inout WireReader) throws(WireDecodingError) {
        database = try r.readString(limit: nameLimit)
        alias = try r.readString(limit: nameLimit)
        collection = try r.readString(limit: nameLimit)
    }
}

public struct CreateAlias: WireRequest, Equatable {
    public static let kind = MessageKind(0x0230)
    public typealias Response = WireEmpty
    public var request: AliasRequest
    public init(_ request: AliasRequest) { self.request = request }
    public func encode(into w: inout WireWriter) { request.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { request = try AliasRequest(from: &r) }
}

public struct DropAlias: WireRequest, Equatable {
    public static let kind = MessageKind(0x0231)
    public typealias Response = WireEmpty
    public var request: AliasRequest
    public init(_ request: AliasRequest) { self.request = request }
    public func encode(into w: inout WireWriter) { request.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { request = try AliasRequest(from: &r) }
}

public struct AlterAlias: WireRequest, Equatable {
    public static let kind = MessageKind(0x0232)
    public typealias Response = WireEmpty
    public var request: AliasRequest
    public init(_ request: AliasRequest) { self.request = request }
    public func encode(into w: inout WireWriter) { request.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { request = try AliasRequest(from: &r) }
}

/// Aliases of a database as (alias, collection) pairs, sorted by alias.
public struct ListAliases: WireRequest, Equatable {
    public static let kind = MessageKind(0x0233)
    public typealias Response = AliasList
    public var database: String
    public init(database: String = Catalog.defaultDatabase) { self.database = database }
    public func encode(into w: inout WireWriter) { w.writeString(database) }
    public init(from r: inout WireReader) throws(WireDecodingError) { database = try r.readString(limit: nameLimit) }
}

public struct AliasList: WireCodable, Equatable {
    public var aliases: [AliasBinding]
    public init(aliases: [AliasBinding]) { self.aliases = aliases }
    public func encode(into w: inout WireWriter) { w.writeArray(aliases) }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        aliases = try r.readArray(of: AliasBinding.self, maxCount: 1 << 20)
    }
}

/// An alias and the collection it points at.
public struct AliasBinding: WireCodable, Equatable {
    public var alias: String
    public var collection: String
    public init(alias: String, collection: String) {
        self.alias = alias
        self.collection = collection
    }
    public func encode(into w: inout WireWriter) {
        w.writeString(alias)
        w.writeString(collection)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        alias = try r.readString(limit: nameLimit)
        collection = try r.readString(limit: nameLimit)
    }
}

/// Records an index spec for a vector field (the build itself is the index coordinator's job).
public struct CreateIndexSpec: WireRequest, Equatable {
    public static let kind = MessageKind(0x0240)
    public typealias Response = WireEmpty
    public var collection: CollectionRef
    public var spec: IndexSpec
    public init(_ collection: CollectionRef, spec: IndexSpec) {
        self.collection = collection
        self.spec = spec
    }
    public func encode(into w: inout WireWriter) {
        collection.encode(into: &w)
        w.writeBytes(spec.encode())
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collection = try CollectionRef(from: &r)
        let bytes = try r.readBytes(limit: 1 << 16)
        do { spec = try IndexSpec(decoding: bytes) } catch { throw .invalidValue("index spec: \(error)") }
    }
}

public struct DropIndexSpec: WireRequest, Equatable {
    public static let kind = MessageKind(0x0241)
    public typealias Response = WireEmpty
    public var collection: CollectionRef
    public var field: String
    public init(_ collection: CollectionRef, field: String) {
        self.collection = collection
        self.field = field
    }
    public func encode(into w: inout WireWriter) {
        collection.encode(into: &w)
        w.writeString(field)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collection = try CollectionRef(from: &r)
        field = try r.readString(limit: nameLimit)
    }
}

/// Sets (`set`, replacing existing keys) and removes (`remove`) collection properties; Milvus's alter
/// collection properties. The proxy also keeps its own `vecnode.`-prefixed bookkeeping here (index names,
/// schema functions).
public struct AlterCollectionProperties: WireRequest, Equatable {
    public static let kind = MessageKind(0x0215)
    public typealias Response = WireEmpty
    public var collection: CollectionRef
    public var set: [CollectionProperty]
    public var remove: [String]
    public init(_ collection: CollectionRef, set: [CollectionProperty], remove: [String] = []) {
        self.collection = collection
        self.set = set
        self.remove = remove
    }
    public func encode(into w: inout WireWriter) {
        collection.encode(into: &w)
        w.writeArray(set)
        w.writeArray(remove)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collection = try CollectionRef(from: &r)
        set = try r.readArray(of: CollectionProperty.self, maxCount: Catalog.maxProperties)
        remove = try r.readArray(maxCount: Catalog.maxProperties) { (r: inout WireReader) throws(WireDecodingError) in
            try r.readString(limit: Catalog.maxPropertyKeyBytes)
        }
    }
}
