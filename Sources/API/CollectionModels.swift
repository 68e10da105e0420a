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

/// A schema function (`schema.functions`) as the REST API spells it: derives output fields from input fields,
/// e.g. a `TextEmbedding` function filling a FloatVector field from a VarChar field at insert and search time.
///
/// The stored form is `Shard.FunctionSchema`, part of the ``CollectionSchema`` (so it is persisted with the
/// schema); this type is its API view (``init(_:)``, ``schemaFunction``). The routes check names, types and
/// field references; parameters and the model's dimension are the backend's to check.
public struct CollectionFunction: Sendable, Equatable {
    public var name: String
    /// Milvus's type name: `BM25`, `TextEmbedding` or `Rerank` (vecnode runs `TextEmbedding`).
    public var type: String
    public var inputFieldNames: [String]
    public var outputFieldNames: [String]
    /// `params`, values as strings (e.g. `provider`, `model_name`).
    public var params: [String: String]
    public var description: String
    public init(name: String, type: String, inputFieldNames: [String], outputFieldNames: [String], params: [String: String] = [:],
                description: String = "") {
        self.name = name
        self.type = type
        self.inputFieldNames = inputFieldNames
        self.outputFieldNames = outputFieldNames
        self.params = params
        self.description = description
    }

    /// The API view of a stored schema function.
    public init(_ f: FunctionSchema) {
        self.init(name: f.name, type: f.type.name, inputFieldNames: f.inputFieldNames, outputFieldNames: f.outputFieldNames,
                  params: f.params, description: f.description)
    }

    /// The stored form, or nil when vecnode does not run this type.
    public var schemaFunction: FunctionSchema? {
        FunctionSchema.FunctionType(name: type).map {
            FunctionSchema(name: name, type: $0, inputFieldNames: inputFieldNames, outputFieldNames: outputFieldNames,
                           params: params, description: description)
        }
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
    /// `schema.functions`, as the API spells them: a view of `schema.functions`, where they are kept (and
    /// stored with the schema). Setting it drops types vecnode does not run (the routes refuse those).
    public var functions: [CollectionFunction] {
        get { schema.functions.map(CollectionFunction.init) }
        set { schema.functions = newValue.compactMap(\.schemaFunction) }
    }

    /// `functions`, when non-empty, replace `schema.functions`.
    public init(db: String, name: String, schema: CollectionSchema, indexes: [IndexRequest], shardsNum: Int = 1,
                consistencyLevel: APIConsistencyLevel = .bounded, replicaNumber: Int? = nil, loadOnCreate: Bool,
                properties: [String: String] = [:], functions: [CollectionFunction] = []) {
        self.db = db
        self.name = name
        self.schema = schema
        if !functions.isEmpty { self.schema.functions = functions.compactMap(\.schemaFunction) }
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
    /// The schema's functions, which describe reports (a view of `schema.functions`, like
    /// ``CreateCollectionRequest/functions``).
    public var functions: [CollectionFunction] {
        get { schema.functions.map(CollectionFunction.init) }
        set { schema.functions = newValue.compactMap(\.schemaFunction) }
    }
    /// `functions`, when non-empty, replace `schema.functions`.
    public init(name: String, id: Int64, schema: CollectionSchema, indexes: [IndexDescription], shardsNum: Int,
                consistencyLevel: APIConsistencyLevel, partitionsNum: Int, aliases: [String], loadState: LoadState,
                properties: [String: String] = [:], functions: [CollectionFunction] = []) {
        self.name = name
        self.id = id
        self.schema = schema
        if !functions.isEmpty { self.schema.functions = functions.compactMap(\.schemaFunction) }
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

/// One replica of a loaded collection (`collections/get_replicas`, a vecnode extension; shape from issue #5).
public struct ReplicaInfo: Sendable, Equatable {
    public var replicaID: Int64
    /// Query nodes holding this replica's segments.
    public var nodeIDs: [Int64]
    /// False when a shard of this replica has no live leader (searches use the other replicas).
    public var healthy: Bool
    /// Per shard: the node leading it in this replica and every node holding its data.
    public var shards: [ShardReplicaInfo]
    public init(replicaID: Int64, nodeIDs: [Int64], healthy: Bool = true, shards: [ShardReplicaInfo] = []) {
        self.replicaID = replicaID
        self.nodeIDs = nodeIDs
        self.healthy = healthy
        self.shards = shards
    }
}

/// One shard within a replica (``ReplicaInfo/shards``).
public struct ShardReplicaInfo: Sendable, Equatable {
    public var shard: Int
    /// The node serving the shard's searches in this replica.
    public var leader: Int64
    /// Nodes holding the shard's data in this replica (the leader included).
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
