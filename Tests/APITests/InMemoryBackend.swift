import API
import Shard
import Synchronization

/// A simple, correct `APIBackend` for testing the API layer: collections in memory, rows validated with
/// `RowBatch`, filters with `FilterExpression`, exact search. Not a database: everything is O(rows).
final class InMemoryBackend: APIBackend {
    struct Collection {
        var name: String
        var id: Int64
        var schema: CollectionSchema
        var indexes: [IndexRequest]
        var shards: Int
        var consistency: APIConsistencyLevel
        var properties: [String: String]
        var loaded = false
        var replicaNumber = 1
        var partitions = ["_default"]
        var loadedPartitions: Set<String> = []
        /// Rows in insertion order with their partition; primary keys are unique.
        var rows: [(partition: String, row: [String: FieldValue])] = []

        var primaryName: String { schema.primaryKey!.name }
    }

    struct State {
        var collections: [String: Collection] = [:]
        var aliases: [String: String] = [:]
        var users: [String: String] = ["root": "Milvus"]
        var nextID: Int64 = 1
        var nextAutoID: Int64 = 449_000_000_000_000_000
    }

    let state = Mutex(State())
    let serving: Bool
    let defaultCollection: String?

    init(serving: Bool = true, defaultCollection: String? = nil) {
        self.serving = serving
        self.defaultCollection = defaultCollection
    }

    // MARK: helpers

    private func check(db: String) throws {
        guard db == "default" else { throw APIError(code: APIError.Code.databaseNotFound, message: "database not found[database=\(db)]") }
    }

    /// Resolves aliases; throws 100 for unknown names.
    private func resolve(_ s: State, _ name: String) throws -> String {
        if s.collections[name] != nil { return name }
        if let target = s.aliases[name] { return target }
        throw APIError.collectionNotFound(name)
    }

    private func withCollection<T>(db: String, _ name: String, _ body: (inout Collection, inout State) throws -> T) throws -> T {
        try check(db: db)
        return try state.withLock { s in
            let real = try resolve(s, name)
            var c = s.collections[real]!
            let r = try body(&c, &s)
            s.collections[real] = c
            return r
        }
    }

    private func read<T>(db: String, _ name: String, _ body: (Collection) throws -> T) throws -> T {
        try check(db: db)
        return try state.withLock { s in try body(s.collections[try resolve(s, name)]!) }
    }

    /// The schema with auto-ID off, so stored rows (which carry their keys) can be rebuilt as a batch.
    private static func storageSchema(_ schema: CollectionSchema) -> CollectionSchema {
        var s = schema
        for i in s.fields.indices { s.fields[i].autoID = false }
        return s
    }

    private static func key(_ v: FieldValue?) -> PrimaryKey? {
        switch v {
        case .int(let i)?: .int(i)
        case .string(let s)?: .string(s)
        default: nil
        }
    }

    /// Rows matching `filter` among `candidates` (indices into `c.rows`).
    private static func matching(_ c: Collection, filter: String, params: [String: FieldValue], partitions: [String]) throws -> [Int] {
        for p in partitions where !c.partitions.contains(p) { throw APIError.partitionNotFound(p) }
        let candidates = c.rows.indices.filter { partitions.isEmpty || partitions.contains(c.rows[$0].partition) }
        guard !filter.isEmpty else { return candidates }
        let schema = storageSchema(c.schema)
        let expr = try FilterExpression(filter, schema: schema, parameters: params)
        let batch = try RowBatch(schema: schema, rows: candidates.map { c.rows[$0].row })
        let bits = try expr.evaluate(on: batch)
        return candidates.indices.filter { bits.contains($0) }.map { candidates[$0] }
    }

    private static func project(_ row: [String: FieldValue], _ outputs: [String], c: Collection) throws -> [String: FieldValue] {
        if outputs.isEmpty { return [c.primaryName: row[c.primaryName]!] }
        if outputs.contains("*") { return row }
        var out: [String: FieldValue] = [c.primaryName: row[c.primaryName]!]
        for f in outputs {
            if let v = row[f] {
                out[f] = v
            } else if c.schema.field(named: f) == nil, !c.schema.enableDynamicField {
                throw APIError(code: APIError.Code.fieldNotFound, message: "field not found[field=\(f)]")
            }
        }
        return out
    }

    // MARK: collections

    func createCollection(_ r: CreateCollectionRequest) async throws {
        try check(db: r.db)
        try state.withLock { s in
            guard s.collections[r.name] == nil, s.aliases[r.name] == nil else {
                throw APIError.invalidParameter("collection \(r.name) already exists")
            }
            var c = Collection(name: r.name, id: s.nextID, schema: r.schema, indexes: r.indexes, shards: r.shardsNum,
                               consistency: r.consistencyLevel, properties: r.properties)
            c.loaded = r.loadOnCreate
            c.replicaNumber = r.replicaNumber ?? 1
            s.nextID += 1
            s.collections[r.name] = c
        }
    }

    func describeCollection(db: String, name: String) async throws -> CollectionDescription {
        try check(db: db)
        return try state.withLock { s in
            let c = s.collections[try resolve(s, name)]!
            return CollectionDescription(
                name: c.name, id: c.id, schema: c.schema,
                indexes: c.indexes.map { IndexDescription(indexName: $0.indexName, spec: $0.spec, totalRows: Int64(c.rows.count), indexedRows: Int64(c.rows.count)) },
                shardsNum: c.shards, consistencyLevel: c.consistency, partitionsNum: c.partitions.count,
                aliases: s.aliases.filter { $0.value == c.name }.keys.sorted(), loadState: c.loaded ? .loaded : .notLoad,
                properties: c.properties)
        }
    }

    func listCollections(db: String) async throws -> [String] {
        try check(db: db)
        return state.withLock { $0.collections.keys.sorted() }
    }

    func hasCollection(db: String, name: String) async throws -> Bool {
        try check(db: db)
        return state.withLock { $0.collections[name] != nil || $0.aliases[name] != nil }
    }

    func dropCollection(db: String, name: String) async throws {
        try check(db: db)
        try state.withLock { s in
            guard s.collections.removeValue(forKey: name) != nil else { throw APIError.collectionNotFound(name) }
            s.aliases = s.aliases.filter { $0.value != name }
        }
    }

    func renameCollection(db: String, name: String, newName: String, newDB: String?) async throws {
        try check(db: db)
        if let newDB { try check(db: newDB) }
        try state.withLock { s in
            guard var c = s.collections.removeValue(forKey: name) else { throw APIError.collectionNotFound(name) }
            guard s.collections[newName] == nil else {
                s.collections[name] = c
                throw APIError.invalidParameter("collection \(newName) already exists")
            }
            c.name = newName
            s.collections[newName] = c
            for (a, t) in s.aliases where t == name { s.aliases[a] = newName }
        }
    }

    func loadCollection(db: String, name: String, replicaNumber: Int?) async throws {
        try withCollection(db: db, name) { c, _ in
            guard !c.indexes.isEmpty else {
                throw APIError(code: APIError.Code.indexNotFound, message: "index not found[collection=\(c.name)]: create an index before loading")
            }
            c.loaded = true
            c.replicaNumber = replicaNumber ?? c.replicaNumber
        }
    }

    func releaseCollection(db: String, name: String) async throws {
        try withCollection(db: db, name) { c, _ in
            c.loaded = false
            c.loadedPartitions = []
        }
    }

    func loadState(db: String, name: String, partitions: [String]) async throws -> LoadStateInfo {
        try check(db: db)
        return state.withLock { s in
            guard let real = try? resolve(s, name), let c = s.collections[real] else { return LoadStateInfo(state: .notExist, progress: 0) }
            let loaded = c.loaded || (!partitions.isEmpty && partitions.allSatisfy(c.loadedPartitions.contains))
            return LoadStateInfo(state: loaded ? .loaded : .notLoad, progress: loaded ? 100 : 0)
        }
    }

    func collectionStats(db: String, name: String) async throws -> CollectionStats {
        try read(db: db, name) { CollectionStats(rowCount: Int64($0.rows.count)) }
    }

    func flush(db: String, name: String) async throws { try read(db: db, name) { _ in } }

    func replicas(db: String, name: String) async throws -> [ReplicaInfo] {
        try read(db: db, name) { c in
            guard c.loaded else { throw APIError.collectionNotLoaded(c.name) }
            var replicas: [ReplicaInfo] = []
            for r in 0..<c.replicaNumber {
                let node = Int64(1 + r)
                let shards: [ShardReplicaInfo] = (0..<c.shards).map { ShardReplicaInfo(shard: $0, leader: node, nodeIDs: [node]) }
                replicas.append(ReplicaInfo(replicaID: Int64(1000 + r), nodeIDs: [node], healthy: true, shards: shards))
            }
            return replicas
        }
    }

    /// Nothing to merge in memory; checks the collection exists, like a real compaction would.
    func compact(db: String, name: String) async throws { try read(db: db, name) { _ in } }

    // MARK: entities

    private func write(_ r: InsertRequest, upsert: Bool) throws -> WriteResult {
        try withCollection(db: r.db, r.collection) { c, s in
            let partition = r.partition ?? "_default"
            guard c.partitions.contains(partition) else { throw APIError.partitionNotFound(partition) }
            let pk = c.schema.primaryKey!
            var autoIDs: [Int64]? = nil
            var rows = r.rows
            if pk.autoID, !upsert {
                autoIDs = (0..<rows.count).map { Int64($0) + s.nextAutoID }
            }
            let schema = upsert ? InMemoryBackend.storageSchema(c.schema) : c.schema
            let batch = try RowBatch(schema: schema, rows: rows, autoIDs: autoIDs)
            if autoIDs != nil { s.nextAutoID += Int64(rows.count) }
            rows = (0..<batch.rowCount).map { batch.row($0) }
            var ids: [PrimaryKey] = []
            for row in rows {
                let id = InMemoryBackend.key(row[pk.name])!
                if let existing = c.rows.firstIndex(where: { InMemoryBackend.key($0.row[pk.name]) == id }) {
                    guard upsert else { throw APIError.invalidParameter("duplicate primary key \(id)") }
                    c.rows.remove(at: existing)
                }
                c.rows.append((partition, row))
                ids.append(id)
            }
            return WriteResult(count: rows.count, ids: ids)
        }
    }

    func insert(_ r: InsertRequest) async throws -> WriteResult { try write(r, upsert: false) }
    func upsert(_ r: InsertRequest) async throws -> WriteResult { try write(r, upsert: true) }

    func delete(_ r: DeleteRequest) async throws -> Int64 {
        try withCollection(db: r.db, r.collection) { c, _ in
            let pk = c.primaryName
            let doomed: Set<Int>
            if let ids = r.ids {
                let set = Set(ids)
                doomed = Set(c.rows.indices.filter { InMemoryBackend.key(c.rows[$0].row[pk]).map(set.contains) ?? false })
            } else {
                doomed = Set(try InMemoryBackend.matching(c, filter: r.filter ?? "", params: r.exprParams, partitions: r.partition.map { [$0] } ?? []))
            }
            c.rows = c.rows.indices.filter { !doomed.contains($0) }.map { c.rows[$0] }
            // By ids, Milvus answers the number of ids given, whether or not they existed (by design:
            // milvus-io/milvus#23648, #51566), as the proxy does; by filter, the rows deleted.
            if let ids = r.ids { return Int64(ids.count) }
            return Int64(doomed.count)
        }
    }

    func get(_ r: GetRequest) async throws -> [[String: FieldValue]] {
        try read(db: r.db, r.collection) { c in
            guard c.loaded else { throw APIError.collectionNotLoaded(c.name) }
            var out: [[String: FieldValue]] = []
            for id in r.ids {
                if let row = c.rows.first(where: { InMemoryBackend.key($0.row[c.primaryName]) == id }) {
                    out.append(try InMemoryBackend.project(row.row, r.outputFields, c: c))
                }
            }
            return out
        }
    }

    func query(_ r: QueryRequest) async throws -> [[String: FieldValue]] {
        try read(db: r.db, r.collection) { c in
            guard c.loaded else { throw APIError.collectionNotLoaded(c.name) }
            let hits = try InMemoryBackend.matching(c, filter: r.filter, params: r.exprParams, partitions: r.partitionNames)
            return try hits.dropFirst(r.offset).prefix(r.limit).map { try InMemoryBackend.project(c.rows[$0].row, r.outputFields, c: c) }
        }
    }

    func count(_ r: QueryRequest) async throws -> Int64 {
        try read(db: r.db, r.collection) { c in
            guard c.loaded else { throw APIError.collectionNotLoaded(c.name) }
            return Int64(try InMemoryBackend.matching(c, filter: r.filter, params: r.exprParams, partitions: r.partitionNames).count)
        }
    }

    func search(_ r: SearchRequest) async throws -> SearchResult {
        try read(db: r.db, r.collection) { c in
            guard c.loaded else { throw APIError.collectionNotLoaded(c.name) }
            guard case .vectors(let values, let dim) = r.queries else {
                throw APIError.invalidParameter("collection \(c.name) has no text embedding function")
            }
            let vectorFields = c.schema.vectorFields
            let field: FieldSchema
            if let name = r.annsField {
                guard let f = c.schema.field(named: name), f.dataType.isVector else {
                    throw APIError(code: APIError.Code.fieldNotFound, message: "field not found[field=\(name)]")
                }
                field = f
            } else {
                guard vectorFields.count == 1 else { throw APIError.missingParameter("annsField") }
                field = vectorFields[0]
            }
            guard dim == field.dimension else {
                throw APIError.invalidParameter("vector dimension mismatch, expected \(field.dimension ?? 0), got \(dim)")
            }
            guard let index = c.indexes.first(where: { $0.spec.fieldName == field.name }) else { throw APIError.indexNotFound(field.name) }
            let metric = index.spec.metric
            if let m = r.metric, m != metric {
                throw APIError.invalidParameter("metric type not match: expected \(metric.name), actual \(m.name)")
            }
            let candidates = try InMemoryBackend.matching(c, filter: r.filter, params: r.exprParams, partitions: r.partitionNames)
            var topks: [Int] = []
            var hits: [SearchResult.Hit] = []
            for q in 0..<(values.count / dim) {
                let query = values[(q * dim)..<((q + 1) * dim)]
                var scored: [(Int, Float)] = candidates.map { i in
                    guard case .floatVector(let v) = c.rows[i].row[field.name]! else { return (i, .nan) }
                    return (i, InMemoryBackend.distance(metric, Array(query), v))
                }
                let smallerIsBetter = metric == .l2
                if let radius = r.radius {
                    scored = scored.filter { _, d in
                        smallerIsBetter ? (d < Float(radius) && r.rangeFilter.map { d >= Float($0) } ?? true)
                                        : (d > Float(radius) && r.rangeFilter.map { d <= Float($0) } ?? true)
                    }
                }
                scored.sort { (a: (Int, Float), b: (Int, Float)) -> Bool in
                    if a.1 != b.1 { return smallerIsBetter ? a.1 < b.1 : a.1 > b.1 }
                    return a.0 < b.0
                }
                if let g = r.groupingField {
                    var perGroup: [String: Int] = [:]
                    var order: [String] = []
                    scored = scored.filter { i, _ in
                        let key = "\(c.rows[i].row[g] ?? .null)"
                        if perGroup[key] == nil { order.append(key) }
                        let groupIndex = order.firstIndex(of: key)!
                        guard groupIndex < r.offset + r.limit, perGroup[key, default: 0] < r.groupSize else { return false }
                        perGroup[key, default: 0] += 1
                        return true
                    }
                    let kept = Set(order.dropFirst(r.offset).prefix(r.limit))
                    scored = scored.filter { kept.contains("\(c.rows[$0.0].row[g] ?? .null)") }
                } else {
                    scored = Array(scored.dropFirst(r.offset).prefix(r.limit))
                }
                topks.append(scored.count)
                for (i, d) in scored {
                    let row = c.rows[i].row
                    var fields = try InMemoryBackend.project(row, r.outputFields, c: c)
                    fields.removeValue(forKey: c.primaryName)
                    hits.append(SearchResult.Hit(id: InMemoryBackend.key(row[c.primaryName])!, distance: d, fields: fields))
                }
            }
            return SearchResult(primaryFieldName: c.primaryName, topks: topks, hits: hits)
        }
    }

    static func distance(_ m: IndexSpec.Metric, _ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, na: Float = 0, nb: Float = 0, l2: Float = 0
        for i in a.indices {
            dot += a[i] * b[i]
            na += a[i] * a[i]
            nb += b[i] * b[i]
            l2 += (a[i] - b[i]) * (a[i] - b[i])
        }
        switch m {
        case .l2: return l2
        case .innerProduct: return dot
        case .cosine: return na == 0 || nb == 0 ? 0 : dot / (na.squareRoot() * nb.squareRoot())
        }
    }

    // MARK: indexes

    func createIndexes(db: String, collection: String, indexes: [IndexRequest]) async throws {
        try withCollection(db: db, collection) { c, _ in
            for i in indexes {
                guard !c.indexes.contains(where: { $0.spec.fieldName == i.spec.fieldName || $0.indexName == i.indexName }) else {
                    throw APIError(code: APIError.Code.indexDuplicate, message: "at most one distinct index is allowed per field[field=\(i.spec.fieldName)]")
                }
                c.indexes.append(i)
            }
        }
    }

    func describeIndexes(db: String, collection: String, indexName: String?) async throws -> [IndexDescription] {
        try read(db: db, collection) { c in
            let list = c.indexes.filter { indexName == nil || $0.indexName == indexName }
            if let indexName, list.isEmpty { throw APIError.indexNotFound(indexName) }
            return list.map { IndexDescription(indexName: $0.indexName, spec: $0.spec, totalRows: Int64(c.rows.count), indexedRows: Int64(c.rows.count)) }
        }
    }

    func dropIndex(db: String, collection: String, indexName: String) async throws {
        try withCollection(db: db, collection) { c, _ in
            guard let i = c.indexes.firstIndex(where: { $0.indexName == indexName }) else { throw APIError.indexNotFound(indexName) }
            guard !c.loaded else { throw APIError.invalidParameter("index cannot be dropped on loaded collection \(c.name): release it first") }
            c.indexes.remove(at: i)
        }
    }

    // MARK: partitions

    func createPartition(db: String, collection: String, partition: String) async throws {
        try withCollection(db: db, collection) { c, _ in
            guard !c.partitions.contains(partition) else { throw APIError.invalidParameter("partition \(partition) already exists") }
            c.partitions.append(partition)
        }
    }

    func dropPartition(db: String, collection: String, partition: String) async throws {
        try withCollection(db: db, collection) { c, _ in
            guard partition != "_default" else { throw APIError.invalidParameter("the default partition cannot be dropped") }
            guard let i = c.partitions.firstIndex(of: partition) else { throw APIError.partitionNotFound(partition) }
            c.partitions.remove(at: i)
            c.rows.removeAll { $0.partition == partition }
        }
    }

    func listPartitions(db: String, collection: String) async throws -> [String] {
        try read(db: db, collection) { $0.partitions }
    }

    func loadPartitions(db: String, collection: String, partitions: [String]) async throws {
        try withCollection(db: db, collection) { c, _ in
            for p in partitions where !c.partitions.contains(p) { throw APIError.partitionNotFound(p) }
            c.loadedPartitions.formUnion(partitions)
        }
    }

    func releasePartitions(db: String, collection: String, partitions: [String]) async throws {
        try withCollection(db: db, collection) { c, _ in
            for p in partitions where !c.partitions.contains(p) { throw APIError.partitionNotFound(p) }
            c.loadedPartitions.subtract(partitions)
        }
    }

    // MARK: aliases

    func createAlias(db: String, collection: String, alias: String) async throws {
        try check(db: db)
        try state.withLock { s in
            guard s.collections[collection] != nil else { throw APIError.collectionNotFound(collection) }
            guard s.aliases[alias] == nil, s.collections[alias] == nil else {
                throw APIError(code: APIError.Code.aliasAlreadyExists, message: "alias already exists[alias=\(alias)]")
            }
            s.aliases[alias] = collection
        }
    }

    func describeAlias(db: String, alias: String) async throws -> AliasDescription {
        try check(db: db)
        return try state.withLock { s in
            guard let c = s.aliases[alias] else { throw APIError.aliasNotFound(alias) }
            return AliasDescription(db: db, collection: c, alias: alias)
        }
    }

    func listAliases(db: String, collection: String?) async throws -> [String] {
        try check(db: db)
        return try state.withLock { s in
            if let collection, s.collections[collection] == nil { throw APIError.collectionNotFound(collection) }
            return s.aliases.filter { collection == nil || $0.value == collection }.keys.sorted()
        }
    }

    func dropAlias(db: String, alias: String) async throws {
        try check(db: db)
        try state.withLock { s in
            guard s.aliases.removeValue(forKey: alias) != nil else { throw APIError.aliasNotFound(alias) }
        }
    }

    func alterAlias(db: String, collection: String, alias: String) async throws {
        try check(db: db)
        try state.withLock { s in
            guard s.collections[collection] != nil else { throw APIError.collectionNotFound(collection) }
            guard s.aliases[alias] != nil else { throw APIError.aliasNotFound(alias) }
            s.aliases[alias] = collection
        }
    }

    // MARK: users

    func createUser(name: String, password: String) async throws {
        try state.withLock { s in
            guard s.users[name] == nil else { throw APIError.invalidParameter("user \(name) already exists") }
            s.users[name] = password
        }
    }

    func listUsers() async throws -> [String] { state.withLock { $0.users.keys.sorted() } }

    func dropUser(name: String) async throws {
        try state.withLock { s in
            guard name != "root" else { throw APIError.invalidParameter("the root user cannot be dropped") }
            guard s.users.removeValue(forKey: name) != nil else { throw APIError.invalidParameter("user \(name) not found") }
        }
    }

    func updatePassword(name: String, oldPassword: String, newPassword: String) async throws {
        try state.withLock { s in
            guard s.users[name] == oldPassword else { throw APIError.invalidParameter("old password is not correct for user \(name)") }
            s.users[name] = newPassword
        }
    }

    func authenticate(user: String, password: String) async -> Bool {
        state.withLock { $0.users[user] == password }
    }

    // MARK: node

    func health() async -> HealthInfo {
        HealthInfo(serving: serving, role: "standalone", nodeID: "node-1", uptimeSeconds: 12.5,
                   clusterState: serving ? "healthy" : "no quorum")
    }

    func defaultSearchCollection() async throws -> String? { defaultCollection }

    /// One standalone node hosting every shard of every loaded collection (query node `i + 1` per replica).
    func describeCluster() async throws -> ClusterDescription {
        let hosted = state.withLock { s in
            s.collections.values.sorted { $0.id < $1.id }.filter(\.loaded).flatMap { c in
                (0..<c.replicaNumber).flatMap { r in
                    (0..<c.shards).map { shard in
                        let rows = c.rows.indices.filter { $0 % c.shards == shard }.count
                        return HostedReplicaInfo(collectionID: c.id, collectionName: c.name, shard: shard, replicaID: Int64(1000 + r),
                                                 rowCount: Int64(rows), sealedSegments: 0, growingRows: Int64(rows))
                    }
                }
            }
        }
        return ClusterDescription(state: serving ? "healthy" : "no quorum", nodes: [
            ClusterNodeInfo(role: "standalone", nodeID: 1, address: "127.0.0.1:19530", healthy: serving, uptimeSeconds: 12.5,
                            searches: 0, replicas: hosted),
        ])
    }

    /// One node (id 1) serves everything here: it drains at once when nothing is loaded, else the drain is
    /// refused as a cluster refuses taking away a collection's last node.
    func drainQueryNode(nodeID: Int64, wait: Duration) async throws -> DrainNodeResult {
        guard nodeID == 1 else { throw APIError.invalidParameter("query node \(nodeID) is not a live query node") }
        let loaded = state.withLock { s in s.collections.values.filter(\.loaded).map(\.name).sorted() }
        if let name = loaded.first {
            throw APIError.invalidParameter("cannot drain query node 1: collection \(name) would be left without a query node")
        }
        return DrainNodeResult(nodeID: 1, drained: true, remainingCopies: 0, initialCopies: 0)
    }
}
