import Shard
import Wire

/// The root coordinator's catalog as a value-type state machine: databases, collections (schema, shards,
/// consistency, properties, partitions, index specs, aliases), with Milvus's validation rules.
///
/// Every mutating method validates against the current state, applies the change to `self`, and returns
/// the `MetaTransaction` that persists it. The owner commits the transaction and keeps the new value only
/// if the commit succeeded:
///
/// ```swift
/// var next = catalog
/// let txn = try next.createCollection(...)
/// try store.commit(txn)
/// catalog = next
/// ```
///
/// Meta-store layout: `catalog/db/<name>` → `DatabaseInfo`; `catalog/collection/<id, 20 digits>` →
/// `CollectionInfo` (with its partitions, indexes and aliases). Values are the wire body encoding of the
/// type, prefixed by its format version byte where the type has one.
public struct Catalog: Sendable {
    public static let defaultDatabase = "default"
    public static let defaultPartition = "_default"
    /// Milvus limits.
    public static let maxNameLength = 255
    public static let maxShards = 16
    public static let maxDatabases = 64
    public static let maxCollectionsPerDatabase = 65_536
    public static let maxPartitions = 1_024
    public static let maxAliasesPerCollection = 1_024
    public static let maxProperties = 64
    public static let maxPropertyKeyBytes = 255
    public static let maxPropertyValueBytes = 65_536

    static let databasePrefix = "catalog/db/"
    static let collectionPrefix = "catalog/collection/"

    private var databases: [String: DatabaseInfo] = [:]
    private var collections: [CollectionID: CollectionInfo] = [:]
    /// Per database: collection name → id, alias → id.
    private var names: [String: [String: CollectionID]] = [:]
    private var aliasTargets: [String: [String: CollectionID]] = [:]

    /// An empty catalog (no databases; see `bootstrap`).
    public init() {}

    /// Rebuilds the catalog from the meta store's `catalog/` keys.
    ///
    /// - Throws: `MetaStoreError.corrupt` if a record does not decode or contradicts another.
    public init(loading store: MetaStore) throws(MetaStoreError) {
        for (key, entry) in store.list(prefix: Self.databasePrefix) {
            var r = WireReader(entry.value)
            do {
                let db = try DatabaseInfo(from: &r)
                try r.finish()
                guard Self.databasePrefix + db.name == key else { throw WireDecodingError.invalidValue("name differs from key") }
                databases[db.name] = db
                names[db.name] = [:]
                aliasTargets[db.name] = [:]
            } catch {
                throw .corrupt("catalog record \(key): \(error)")
            }
        }
        for (key, entry) in store.list(prefix: Self.collectionPrefix) {
            var r = WireReader(entry.value)
            let info: CollectionInfo
            do {
                info = try CollectionInfo(from: &r)
                try r.finish()
            } catch {
                throw .corrupt("catalog record \(key): \(error)")
            }
            guard Self.key(for: info.id) == key, databases[info.database] != nil,
                names[info.database]?[info.name] == nil
            else {
                throw .corrupt("catalog record \(key) has a mismatched id, an unknown database or a duplicate name")
            }
            collections[info.id] = info
            names[info.database, default: [:]][info.name] = info.id
            for alias in info.aliases { aliasTargets[info.database, default: [:]][alias] = info.id }
        }
    }

    static func key(for id: CollectionID) -> String {
        let digits = String(id.rawValue)
        return collectionPrefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    static func key(forDatabase name: String) -> String { databasePrefix + name }

    private static func put(_ value: some WireCodable, at key: String) -> MetaTransaction.Operation {
        var w = WireWriter()
        value.encode(into: &w)
        return .put(key: key, value: w.bytes)
    }

    // MARK: Validation

    /// Milvus's rule for database, collection, partition and alias names: 1…255 characters, the first a
    /// letter or `_`, the rest letters, digits or `_` (ASCII).
    public static func validateName(_ name: String, kind: String) throws(CatalogError) {
        func fail(_ reason: String) -> CatalogError { .invalidName(kind: kind, name: name, reason: reason) }
        guard !name.isEmpty else { throw fail("the name must not be empty") }
        guard name.utf8.count <= maxNameLength else { throw fail("the name must be at most \(maxNameLength) characters") }
        let bytes = Array(name.utf8)
        func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        guard isLetter(bytes[0]) || bytes[0] == 95 else { throw fail("the first character must be a letter or an underscore") }
        for b in bytes.dropFirst() where !(isLetter(b) || (b >= 48 && b <= 57) || b == 95) {
            throw fail("only letters, digits and underscores are allowed")
        }
    }

    private static func validate(properties: [CollectionProperty]) throws(CatalogError) {
        guard properties.count <= maxProperties else {
            throw .invalidArgument("\(properties.count) properties exceed the limit of \(maxProperties)")
        }
        var seen = Set<String>()
        for p in properties {
            guard !p.key.isEmpty, p.key.utf8.count <= maxPropertyKeyBytes else {
                throw .invalidArgument("property keys must be 1…\(maxPropertyKeyBytes) bytes")
            }
            guard p.value.utf8.count <= maxPropertyValueBytes else {
                throw .invalidArgument("property '\(p.key)' value exceeds \(maxPropertyValueBytes) bytes")
            }
            guard seen.insert(p.key).inserted else { throw .invalidArgument("property '\(p.key)' is given twice") }
        }
    }

    // MARK: Reads

    /// Databases sorted by name.
    public func listDatabases() -> [DatabaseInfo] { databases.values.sorted { $0.name < $1.name } }

    /// The collection `name` (or an alias of it) in `database`.
    public func collection(named name: String, in database: String = Catalog.defaultDatabase) throws(CatalogError) -> CollectionInfo {
        guard let byName = names[database], let aliases = aliasTargets[database] else { throw .databaseNotFound(database) }
        guard let id = byName[name] ?? aliases[name], let info = collections[id] else {
            throw .collectionNotFound(database: database, name: name)
        }
        return info
    }

    /// The collection with `id`, if it exists.
    public func collection(id: CollectionID) -> CollectionInfo? { collections[id] }

    /// Collections of `database`, sorted by name.
    public func listCollections(in database: String = Catalog.defaultDatabase) throws(CatalogError) -> [CollectionInfo] {
        guard let byName = names[database] else { throw .databaseNotFound(database) }
        return byName.values.compactMap { collections[$0] }.sorted { $0.name < $1.name }
    }

    /// Aliases in `database` as (alias, collection name), sorted by alias.
    public func listAliases(in database: String = Catalog.defaultDatabase) throws(CatalogError) -> [(alias: String, collection: String)] {
        guard let aliases = aliasTargets[database] else { throw .databaseNotFound(database) }
        return aliases.compactMap { alias, id in collections[id].map { (alias: alias, collection: $0.name) } }
            .sorted { $0.alias < $1.alias }
    }

    // MARK: Databases

    /// Creates the `default` database if missing; returns an empty transaction when it exists.
    public mutating func bootstrap(id: Int64, timestamp: Timestamp) -> MetaTransaction {
        guard databases[Self.defaultDatabase] == nil else { return MetaTransaction() }
        return (try? createDatabase(Self.defaultDatabase, id: id, timestamp: timestamp)) ?? MetaTransaction()
    }

    public mutating func createDatabase(_ name: String, id: Int64, timestamp: Timestamp) throws(CatalogError) -> MetaTransaction {
        try Self.validateName(name, kind: "database")
        guard databases[name] == nil else { throw .databaseExists(name) }
        guard databases.count < Self.maxDatabases else { throw .limitExceeded("at most \(Self.maxDatabases) databases") }
        let db = DatabaseInfo(id: id, name: name, createdTimestamp: timestamp)
        databases[name] = db
        names[name] = [:]
        aliasTargets[name] = [:]
        let key = Self.key(forDatabase: name)
        return MetaTransaction(conditions: [.revision(key: key, equals: 0)], operations: [Self.put(db, at: key)])
    }

    public mutating func dropDatabase(_ name: String) throws(CatalogError) -> MetaTransaction {
        guard databases[name] != nil else { throw .databaseNotFound(name) }
        guard name != Self.defaultDatabase, names[name]?.isEmpty ?? true else { throw .databaseNotEmpty(name) }
        databases.removeValue(forKey: name)
        names.removeValue(forKey: name)
        aliasTargets.removeValue(forKey: name)
        return MetaTransaction(operations: [.delete(key: Self.key(forDatabase: name))])
    }

    // MARK: Collections

    /// What a client asks for when creating a collection.
    public struct CollectionRequest: Sendable, Equatable {
        public var database: String
        public var name: String
        public var schema: CollectionSchema
        public var shardsNum: Int
        public var consistencyLevel: ConsistencyLevel
        public var properties: [CollectionProperty]

        public init(
            database: String = Catalog.defaultDatabase, name: String, schema: CollectionSchema, shardsNum: Int = 1,
            consistencyLevel: ConsistencyLevel = .bounded, properties: [CollectionProperty] = []
        ) {
            self.database = database
            self.name = name
            self.schema = schema
            self.shardsNum = shardsNum
            self.consistencyLevel = consistencyLevel
            self.properties = properties
        }
    }

    /// Creates a collection with its `_default` partition.
    ///
    /// - Parameters: `id` and `partitionID` come from the `IDService`, `timestamp` from the TSO.
    /// - Throws: `invalidName`, `invalidSchema`, `invalidArgument`, `databaseNotFound`, `collectionExists`,
    ///   `limitExceeded`.
    public mutating func createCollection(
        _ request: CollectionRequest, id: CollectionID, partitionID: PartitionID, timestamp: Timestamp
    ) throws(CatalogError) -> CollectionInfo {
        try Self.validateName(request.name, kind: "collection")
        do { try request.schema.validate() } catch { throw .invalidSchema(error) }
        guard (1...Self.maxShards).contains(request.shardsNum) else {
            throw .invalidArgument("shards_num must be 1…\(Self.maxShards), got \(request.shardsNum)")
        }
        try Self.validate(properties: request.properties)
        guard let byName = names[request.database] else { throw .databaseNotFound(request.database) }
        guard byName[request.name] == nil, aliasTargets[request.database]?[request.name] == nil else {
            throw .collectionExists(database: request.database, name: request.name)
        }
        guard byName.count < Self.maxCollectionsPerDatabase else {
            throw .limitExceeded("at most \(Self.maxCollectionsPerDatabase) collections per database")
        }
        precondition(collections[id] == nil, "collection ids must be unique")
        let info = CollectionInfo(
            id: id, database: request.database, name: request.name, schema: request.schema,
            shardsNum: request.shardsNum, consistencyLevel: request.consistencyLevel,
            properties: request.properties.sorted { $0.key < $1.key }, createdTimestamp: timestamp,
            partitions: [PartitionInfo(id: partitionID, name: Self.defaultPartition, createdTimestamp: timestamp)])
        collections[id] = info
        names[request.database]![request.name] = id
        return info
    }

    /// The transaction that persists a collection created (or changed) by this catalog.
    public func transaction(storing info: CollectionInfo, isNew: Bool = false) -> MetaTransaction {
        let key = Self.key(for: info.id)
        return MetaTransaction(
            conditions: isNew ? [.revision(key: key, equals: 0)] : [], operations: [Self.put(info, at: key)])
    }

    /// Drops a collection (by name, not alias) with its partitions and indexes.
    ///
    /// - Throws: `collectionNotFound`, `collectionHasAliases`, `databaseNotFound`.
    public mutating func dropCollection(_ name: String, in database: String = Catalog.defaultDatabase) throws(CatalogError) -> MetaTransaction {
        guard let byName = names[database] else { throw .databaseNotFound(database) }
        guard let id = byName[name], let info = collections[id] else { throw .collectionNotFound(database: database, name: name) }
        guard info.aliases.isEmpty else { throw .collectionHasAliases(name: name, aliases: info.aliases) }
        collections.removeValue(forKey: id)
        names[database]!.removeValue(forKey: name)
        return MetaTransaction(operations: [.delete(key: Self.key(for: id))])
    }

    /// Renames a collection within its database; aliases keep pointing at it.
    public mutating func renameCollection(
        _ name: String, to newName: String, in database: String = Catalog.defaultDatabase
    ) throws(CatalogError) -> MetaTransaction {
        try Self.validateName(newName, kind: "collection")
        guard let byName = names[database] else { throw .databaseNotFound(database) }
        guard let id = byName[name], var info = collections[id] else { throw .collectionNotFound(database: database, name: name) }
        guard byName[newName] == nil, aliasTargets[database]?[newName] == nil else {
            throw .collectionExists(database: database, name: newName)
        }
        info.name = newName
        collections[id] = info
        names[database]!.removeValue(forKey: name)
        names[database]![newName] = id
        return transaction(storing: info)
    }

    /// Sets the properties in `set` (replacing values of existing keys) and removes the keys in `remove`
    /// (Milvus's alter collection properties). The result is validated like a new collection's.
    public mutating func alterProperties(
        collection: String, in database: String = Catalog.defaultDatabase, set: [CollectionProperty], remove: [String]
    ) throws(CatalogError) -> MetaTransaction {
        var info = try self.collection(named: collection, in: database)
        var merged = Dictionary(info.properties.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        for key in remove { merged.removeValue(forKey: key) }
        for p in set { merged[p.key] = p.value }
        let properties = merged.map { CollectionProperty(key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
        try Self.validate(properties: properties)
        info.properties = properties
        collections[info.id] = info
        return transaction(storing: info)
    }

    // MARK: Partitions

    public mutating func createPartition(
        _ partition: String, collection: String, in database: String = Catalog.defaultDatabase, id: PartitionID,
        timestamp: Timestamp
    ) throws(CatalogError) -> MetaTransaction {
        try Self.validateName(partition, kind: "partition")
        var info = try collectionByName(collection, database)
        guard info.partition(named: partition) == nil else { throw .partitionExists(collection: collection, partition: partition) }
        guard info.partitions.count < Self.maxPartitions else {
            throw .limitExceeded("at most \(Self.maxPartitions) partitions per collection")
        }
        info.partitions.append(PartitionInfo(id: id, name: partition, createdTimestamp: timestamp))
        collections[info.id] = info
        return transaction(storing: info)
    }

    public mutating func dropPartition(
        _ partition: String, collection: String, in database: String = Catalog.defaultDatabase
    ) throws(CatalogError) -> MetaTransaction {
        guard partition != Self.defaultPartition else { throw .cannotDropDefaultPartition }
        var info = try collectionByName(collection, database)
        guard let index = info.partitions.firstIndex(where: { $0.name == partition }) else {
            throw .partitionNotFound(collection: collection, partition: partition)
        }
        info.partitions.remove(at: index)
        collections[info.id] = info
        return transaction(storing: info)
    }

    // MARK: Aliases

    /// Points the new alias `alias` at `collection` (a collection name, not another alias).
    public mutating func createAlias(
        _ alias: String, collection: String, in database: String = Catalog.defaultDatabase
    ) throws(CatalogError) -> MetaTransaction {
        try Self.validateName(alias, kind: "alias")
        var info = try collectionByName(collection, database)
        guard aliasTargets[database]?[alias] == nil, names[database]?[alias] == nil else {
            throw .aliasExists(database: database, alias: alias)
        }
        guard info.aliases.count < Self.maxAliasesPerCollection else {
            throw .limitExceeded("at most \(Self.maxAliasesPerCollection) aliases per collection")
        }
        info.aliases.append(alias)
        info.aliases.sort()
        collections[info.id] = info
        aliasTargets[database]![alias] = info.id
        return transaction(storing: info)
    }

    /// Removes `alias`.
    public mutating func dropAlias(_ alias: String, in database: String = Catalog.defaultDatabase) throws(CatalogError) -> MetaTransaction {
        guard let aliases = aliasTargets[database] else { throw .databaseNotFound(database) }
        guard let id = aliases[alias], var info = collections[id] else { throw .aliasNotFound(database: database, alias: alias) }
        info.aliases.removeAll { $0 == alias }
        collections[id] = info
        aliasTargets[database]!.removeValue(forKey: alias)
        return transaction(storing: info)
    }

    /// Moves the existing `alias` to `collection` (both records change in one transaction).
    public mutating func alterAlias(
        _ alias: String, collection: String, in database: String = Catalog.defaultDatabase
    ) throws(CatalogError) -> MetaTransaction {
        guard let aliases = aliasTargets[database] else { throw .databaseNotFound(database) }
        guard let oldID = aliases[alias], var old = collections[oldID] else { throw .aliasNotFound(database: database, alias: alias) }
        var target = try collectionByName(collection, database)
        if target.id == oldID { return MetaTransaction() }
        old.aliases.removeAll { $0 == alias }
        target.aliases.append(alias)
        target.aliases.sort()
        collections[oldID] = old
        collections[target.id] = target
        aliasTargets[database]![alias] = target.id
        var txn = transaction(storing: old)
        txn.operations += transaction(storing: target).operations
        return txn
    }

    // MARK: Indexes

    /// Records an index spec on a vector field (one per field).
    public mutating func createIndex(
        _ spec: IndexSpec, collection: String, in database: String = Catalog.defaultDatabase
    ) throws(CatalogError) -> MetaTransaction {
        var info = try self.collection(named: collection, in: database)
        guard !info.indexes.contains(where: { $0.fieldName == spec.fieldName }) else {
            throw .indexExists(collection: collection, field: spec.fieldName)
        }
        do { try info.schema.validate(indexes: info.indexes + [spec]) } catch { throw .invalidSchema(error) }
        info.indexes.append(spec)
        collections[info.id] = info
        return transaction(storing: info)
    }

    /// Removes the index spec of `field`.
    public mutating func dropIndex(
        field: String, collection: String, in database: String = Catalog.defaultDatabase
    ) throws(CatalogError) -> MetaTransaction {
        var info = try self.collection(named: collection, in: database)
        guard let index = info.indexes.firstIndex(where: { $0.fieldName == field }) else {
            throw .indexNotFound(collection: collection, field: field)
        }
        info.indexes.remove(at: index)
        collections[info.id] = info
        return transaction(storing: info)
    }

    /// A collection by its real name (aliases are not accepted where Milvus requires the collection name).
    private func collectionByName(_ name: String, _ database: String) throws(CatalogError) -> CollectionInfo {
        guard let byName = names[database] else { throw .databaseNotFound(database) }
        guard let id = byName[name], let info = collections[id] else { throw .collectionNotFound(database: database, name: name) }
        return info
    }
}
