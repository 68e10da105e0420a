import Shard

/// Why a catalog operation was refused. All but `.storage` are the caller's fault and not retriable; the
/// message says what to change.
public enum CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A database, collection, partition or alias name breaks Milvus's naming rules.
    case invalidName(kind: String, name: String, reason: String)
    /// Any other invalid argument (shard count, property, limits).
    case invalidArgument(String)
    /// The collection schema or an index spec is invalid.
    case invalidSchema(SchemaError)
    case databaseNotFound(String)
    case databaseExists(String)
    /// A database that still holds collections cannot be dropped (and `default` never).
    case databaseNotEmpty(String)
    case collectionNotFound(database: String, name: String)
    /// The name is taken by a collection (or, for new collections, by an alias).
    case collectionExists(database: String, name: String)
    /// A collection with aliases cannot be dropped; drop or move its aliases first (as Milvus).
    case collectionHasAliases(name: String, aliases: [String])
    case partitionNotFound(collection: String, partition: String)
    case partitionExists(collection: String, partition: String)
    /// The default partition `_default` cannot be dropped.
    case cannotDropDefaultPartition
    case aliasNotFound(database: String, alias: String)
    /// The alias exists (possibly on another collection) or clashes with a collection name.
    case aliasExists(database: String, alias: String)
    case indexNotFound(collection: String, field: String)
    case indexExists(collection: String, field: String)
    /// A limit on the number of databases, collections or partitions was reached.
    case limitExceeded(String)

    public var description: String {
        switch self {
        case .invalidName(let kind, let name, let reason): return "invalid \(kind) name '\(name)': \(reason)"
        case .invalidArgument(let reason): return "invalid argument: \(reason)"
        case .invalidSchema(let error): return "\(error)"
        case .databaseNotFound(let db): return "database '\(db)' does not exist"
        case .databaseExists(let db): return "database '\(db)' already exists"
        case .databaseNotEmpty(let db): return "database '\(db)' cannot be dropped: it is the default or holds collections; drop them first"
        case .collectionNotFound(let db, let name): return "collection '\(name)' does not exist in database '\(db)'"
        case .collectionExists(let db, let name):
            return "a collection or alias named '\(name)' already exists in database '\(db)'; choose another name"
        case .collectionHasAliases(let name, let aliases):
            return "collection '\(name)' has aliases \(aliases.joined(separator: ", ")); drop or alter them before dropping it"
        case .partitionNotFound(let c, let p): return "partition '\(p)' does not exist in collection '\(c)'"
        case .partitionExists(let c, let p): return "partition '\(p)' already exists in collection '\(c)'"
        case .cannotDropDefaultPartition: return "the default partition '\(Catalog.defaultPartition)' cannot be dropped"
        case .aliasNotFound(let db, let alias): return "alias '\(alias)' does not exist in database '\(db)'"
        case .aliasExists(let db, let alias):
            return "alias '\(alias)' already exists or names a collection in database '\(db)'; use alter alias to move it"
        case .indexNotFound(let c, let f): return "field '\(f)' of collection '\(c)' has no index"
        case .indexExists(let c, let f): return "field '\(f)' of collection '\(c)' already has an index; drop it first"
        case .limitExceeded(let reason): return "limit exceeded: \(reason)"
        }
    }
}
