import Shard

/// What the HTTP API needs from the database: one async method per operation, with typed requests and
/// results. The proxy role (and standalone mode) implements it; the routes only parse, validate, call
/// and encode, so they can be tested over an in-memory backend.
///
/// Errors: throw ``APIError`` to choose Milvus's code (100 collection not found, 1100 invalid parameter …);
/// `SchemaError`, `FilterError` and `RowBatchError` are mapped to 1100 / 1100 / 1804; anything else
/// becomes 65535 with the error's description. `db` is the database name (`"default"` unless the request
/// names one); an unknown database should be 800.
///
/// Methods are called from handler tasks; CPU-heavy work (search, filtering) must not run on the
/// cooperative pool — hand it to worker threads.
public protocol APIBackend: Sendable {
    // MARK: collections
    func createCollection(_ request: CreateCollectionRequest) async throws
    func describeCollection(db: String, name: String) async throws -> CollectionDescription
    func listCollections(db: String) async throws -> [String]
    func hasCollection(db: String, name: String) async throws -> Bool
    func dropCollection(db: String, name: String) async throws
    /// Renames `name` to `newName`, moving it to `newDB` when given.
    func renameCollection(db: String, name: String, newName: String, newDB: String?) async throws
    /// Loads the collection for search with `replicaNumber` replicas (nil: the backend's default).
    func loadCollection(db: String, name: String, replicaNumber: Int?) async throws
    func releaseCollection(db: String, name: String) async throws
    /// Load state of the collection, or of the given partitions when `partitions` is non-empty.
    func loadState(db: String, name: String, partitions: [String]) async throws -> LoadStateInfo
    func collectionStats(db: String, name: String) async throws -> CollectionStats
    /// Makes everything inserted so far durable in sealed segments.
    func flush(db: String, name: String) async throws
    /// The replicas of a loaded collection and the nodes serving them (a vecnode extension).
    func replicas(db: String, name: String) async throws -> [ReplicaInfo]
    /// Merges the collection's small sealed segments on every node holding them (Milvus's `compact`);
    /// returns when done.
    func compact(db: String, name: String) async throws

    // MARK: entities
    func insert(_ request: InsertRequest) async throws -> WriteResult
    func upsert(_ request: InsertRequest) async throws -> WriteResult
    /// Deletes the rows matching the filter (or with the given ids); returns how many were deleted.
    func delete(_ request: DeleteRequest) async throws -> Int64
    func get(_ request: GetRequest) async throws -> [[String: FieldValue]]
    func query(_ request: QueryRequest) async throws -> [[String: FieldValue]]
    /// `count(*)` of the rows matching the query's filter (limit and offset do not apply).
    func count(_ request: QueryRequest) async throws -> Int64
    func search(_ request: SearchRequest) async throws -> SearchResult

    // MARK: indexes
    func createIndexes(db: String, collection: String, indexes: [IndexRequest]) async throws
    /// Descriptions of the collection's indexes, or of the one named `indexName`.
    func describeIndexes(db: String, collection: String, indexName: String?) async throws -> [IndexDescription]
    func dropIndex(db: String, collection: String, indexName: String) async throws

    // MARK: partitions
    func createPartition(db: String, collection: String, partition: String) async throws
    func dropPartition(db: String, collection: String, partition: String) async throws
    func listPartitions(db: String, collection: String) async throws -> [String]
    func loadPartitions(db: String, collection: String, partitions: [String]) async throws
    func releasePartitions(db: String, collection: String, partitions: [String]) async throws

    // MARK: aliases
    func createAlias(db: String, collection: String, alias: String) async throws
    func describeAlias(db: String, alias: String) async throws -> AliasDescription
    /// Aliases of `collection`, or of every collection when nil.
    func listAliases(db: String, collection: String?) async throws -> [String]
    func dropAlias(db: String, alias: String) async throws
    /// Points an existing alias at another collection.
    func alterAlias(db: String, collection: String, alias: String) async throws

    // MARK: users
    func createUser(name: String, password: String) async throws
    func listUsers() async throws -> [String]
    func dropUser(name: String) async throws
    func updatePassword(name: String, oldPassword: String, newPassword: String) async throws
    /// Whether the credentials are valid (used by ``APIAuth``; never throws for wrong passwords).
    func authenticate(user: String, password: String) async -> Bool

    // MARK: node
    /// Role, node id, uptime and cluster state for `GET /health`.
    func health() async -> HealthInfo
    /// The collection the seed's `POST /search` uses when the body names none, or nil if there is none.
    func defaultSearchCollection() async throws -> String?
    /// Every node of the cluster with its health and hosted replicas (`cluster/describe`, a vecnode
    /// extension read by the web console).
    func describeCluster() async throws -> ClusterDescription
    /// Takes query node `nodeID` out of service without a gap (`cluster/drain_node`, a vecnode extension):
    /// its shard copies move to other nodes of its replica groups; returns once it serves nothing or after
    /// `wait` with the progress. Refused (1100) when a loaded collection would be left fewer query nodes than
    /// its replica number, or when `nodeID` is not a live query node.
    func drainQueryNode(nodeID: Int64, wait: Duration) async throws -> DrainNodeResult
}
