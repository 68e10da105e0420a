import Shard

/// Milvus's consistency levels as the REST API spells them. Distinct from `Coordinator.ConsistencyLevel`
/// (the catalog's stored form) so the API module stays below the cluster modules; the proxy maps one to
/// the other by name.
public enum APIConsistencyLevel: String, Sendable, CaseIterable {
    case strong = "Strong"
    case bounded = "Bounded"
    case session = "Session"
    case eventually = "Eventually"

    /// Parses a level name ignoring case (`"bounded"`, `"Bounded"`).
    public init?(name: String) {
        guard let l = APIConsistencyLevel.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = l
    }
}

/// One index to build, as given in `indexParams`: the spec plus Milvus's index name.
public struct IndexRequest: Sendable, Equatable {
    public var indexName: String
    public var spec: IndexSpec
    public init(indexName: String, spec: IndexSpec) {
        self.indexName = indexName
        self.spec = spec
    }
}

/// A schema function (`schema.functions`): derives output fields from input fields, e.g. a
/// `TextEmbedding` function filling a FloatVector field from a VarChar field at insert and search time.
/// The routes check names and field references; which types and parameters are supported is the
/// backend's decision (it answers 1100 for the rest).
public struct CollectionFunction: Sendable, Equatable {
    public var name: String
    /// Milvus's type name: `BM25`, `TextEmbedding` or `Rerank`.
    public var type: String
    public var inputFieldNames: [String]
    public var outputFieldNames: [String]
    /// `params`, values as strings (e.g. `provider`, `model_name`).
    public var params: [String: String]
    public init(name: String, type: String, inputFieldNames: [String], outputFieldNames: [String], params: [String: String] = [:]) {
        self.name = name
        self.type = type
        self.inputFieldNames = inputFieldNames
        self.outputFieldNames = outputFieldNames
        self.params = params
    }
}

/// `collections/create`, after the quick-setup or custom form has been turned into a schema.
public struct CreateCollectionRequest: Sendable, Equatable {
    public var db: String
    public var name: String
    /// Validated with ``CollectionSchema/validate()`` by the routes before the backend sees it.
    public var schema: CollectionSchema
    /// Vector indexes to build (quick setup always has one). Scalar index params are accepted and ignored.
    public var indexes: [IndexRequest]
    public var shardsNum: Int
    public var consistencyLevel: APIConsistencyLevel
    /// Replicas to load with (vecnode extension `params.replicaNumber`; nil: the backend's default).
    public var replicaNumber: Int?
    /// Milvus loads a collection on creation when it is created with an index (quick setup or
    /// `indexParams`).
    public var loadOnCreate: Bool
    /// Other `params` entries, kept as strings (Milvus's properties, e.g. `ttlSeconds`).
    public var properties: [String: String]
    /// `schema.functions`.
    public var functions: [CollectionFunction]

    public init(db: String, name: String, schema: CollectionSchema, indexes: [IndexRequest], shardsNum: Int = 1,
                consistencyLevel: APIConsistencyLevel = .bounded, replicaNumber: Int? = nil, loadOnCreate: Bool,
                properties: [String: String] = [:], functions: [CollectionFunction] = []) {
        self.functions = functions
        self.db = db
        self.name = name
        self.schema = schema
        self.indexes = indexes
        self.shardsNum = shardsNum
        self.consistencyLevel = consistencyLevel
        self.replicaNumber = replicaNumber
        self.loadOnCreate = loadOnCreate
        self.properties = properties
    }
}

/// Milvus's load states, with their REST spellings.
public enum LoadState: String, Sendable {
    case notExist = "LoadStateNotExist"
    case notLoad = "LoadStateNotLoad"
    case loading = "LoadStateLoading"
    case loaded = "LoadStateLoaded"
}

/// `get_load_state` result.
public struct LoadStateInfo: Sendable, Equatable {
    public var state: LoadState
    /// 0…100.
    public var progress: Int
    public var message: String
    public init(state: LoadState, progress: Int, message: String = "") {
        self.state = state
        self.progress = progress
        self.message = message
    }
}

/// `get_stats` result.
public struct CollectionStats: Sendable, Equatable {
    public var rowCount: Int64
    public init(rowCount: Int64) { self.rowCount = rowCount }
}

/// An index as `describe` reports it.
public struct IndexDescription: Sendable, Equatable {
    public var indexName: String
    public var spec: IndexSpec
    /// Milvus's `indexState`: `Finished`, `InProgress`, `Failed`, …
    public var state: String
    public var totalRows: Int64
    public var indexedRows: Int64
    public var pendingRows: Int64
    public var failReason: String
    public init(indexName: String, spec: IndexSpec, state: String = "Finished", totalRows: Int64 = 0,
                indexedRows: Int64 = 0, pendingRows: Int64 = 0, failReason: String = "") {
        self.indexName = indexName
        self.spec = spec
        self.state = state
        self.totalRows = totalRows
        self.indexedRows = indexedRows
        self.pendingRows = pendingRows
        self.failReason = failReason
    }
}

/// `collections/describe` result.
public struct CollectionDescription: Sendable, Equatable {
    public var name: String
    public var id: Int64
    public var schema: CollectionSchema
    public var indexes: [IndexDescription]
    public var shardsNum: Int
    public var consistencyLevel: APIConsistencyLevel
    public var partitionsNum: Int
    public var aliases: [String]
    public var loadState: LoadState
    public var properties: [String: String]
    public var functions: [CollectionFunction]
    public init(name: String, id: Int64, schema: CollectionSchema, indexes: [IndexDescription], shardsNum: Int,
                consistencyLevel: APIConsistencyLevel, partitionsNum: Int, aliases: [String], loadState: LoadState,
                properties: [String: String] = [:], functions: [CollectionFunction] = []) {
        self.functions = functions
        self.name = name
        self.id = id
        self.schema = schema
        self.indexes = indexes
        self.shardsNum = shardsNum
        self.consistencyLevel = consistencyLevel
        self.partitionsNum = partitionsNum
        self.aliases = aliases
        self.loadState = loadState
        self.properties = properties
    }
}

/// `aliases/describe` result.
public struct AliasDescription: Sendable, Equatable {
    public var db: String
    public var collection: String
    public var alias: String
    public init(db: String, collection: String, alias: String) {
        self.db = db
        self.collection = collection
        self.alias = alias
    }
}

/// One replica of a loaded collection (`collections/get_replicas`, a vecnode extension; the seed's
/// `collection.get_replicas()`).
public struct ReplicaInfo: Sendable, Equatable {
    public var replicaID: Int64
    /// Query nodes holding this replica's segments.
    public var nodeIDs: [Int64]
    /// False while one of its shards has no live node (it is being moved after a node died).
    public var healthy: Bool
    /// Per shard, the node leading it and every node holding its segments.
    public var shards: [ReplicaShardInfo]
    public init(replicaID: Int64, nodeIDs: [Int64], healthy: Bool = true, shards: [ReplicaShardInfo] = []) {
        self.replicaID = replicaID
        self.nodeIDs = nodeIDs
        self.healthy = healthy
        self.shards = shards
    }
}

/// One shard of one replica: its leader (the query node that answers for it) and the nodes holding its
/// segments. In this build the leader holds all of the shard's segments, so `nodeIDs == [leader]`.
public struct ReplicaShardInfo: Sendable, Equatable {
    public var shard: Int
    public var leader: Int64
    public var nodeIDs: [Int64]
    public init(shard: Int, leader: Int64, nodeIDs: [Int64]) {
        self.shard = shard
        self.leader = leader
        self.nodeIDs = nodeIDs
    }
}

/// What `GET /health` reports.
public struct HealthInfo: Sendable, Equatable {
    /// False → 503.
    public var serving: Bool
    public var role: String
    public var nodeID: String
    public var uptimeSeconds: Double
    /// E.g. `"healthy"`, `"degraded"`, `"no quorum"`.
    public var clusterState: String
    public init(serving: Bool, role: String, nodeID: String, uptimeSeconds: Double, clusterState: String) {
        self.serving = serving
        self.role = role
        self.nodeID = nodeID
        self.uptimeSeconds = uptimeSeconds
        self.clusterState = clusterState
    }
}
