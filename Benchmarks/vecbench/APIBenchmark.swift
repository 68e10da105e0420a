import API
import Dispatch
import Foundation
import HTTP
import JSON
import Shard

/// `vecbench api`: CPU cost of the API layer alone — body parsing, validation, envelope encoding — for a
/// Milvus `entities/search` request (384-d vector, limit 10, three output fields) and the seed's
/// `/search`, run in process through `HTTPRouter.respond` (no sockets) over a backend whose search
/// returns a precomputed 10-hit result. Subtract nothing: this is what the API adds on top of the search.
let apiCommand = BenchCommand(
    name: "api",
    summary: "API-layer cost per Milvus/seed search request (parse + validate + encode, no search)",
    run: runAPIBenchmark)

private func runAPIBenchmark(_ args: [String]) throws {
    let flags = try FlagParser(args, valued: ["--dim", "--requests"])
    let dim = try flags.int("--dim", default: 384)
    let requests = try flags.int("--requests", default: 20_000)
    guard dim >= 1, dim <= 32_768, requests >= 1 else { throw BenchError("--dim 1…32768, --requests ≥ 1") }
    var router = HTTPRouter()
    let backend = FixedResultBackend()
    MilvusRESTRoutes(backend: backend).register(on: &router)
    SeedRoutes(backend: backend, defaultCollection: "bench").register(on: &router)
    var rng = SystemRandomNumberGenerator()
    let vector = (0..<dim).map { _ in String(Double.random(in: -1...1, using: &rng)) }.joined(separator: ",")
    let milvus = HTTPRequest(method: .POST, target: "/v2/vectordb/entities/search", body: Array(
        #"{"collectionName":"bench","data":[[\#(vector)]],"annsField":"vector","limit":10,"outputFields":["title","year","tags"],"searchParams":{"metricType":"COSINE","params":{"ef":64}}}"#.utf8))
    let seed = HTTPRequest(method: .POST, target: "/search", body: Array(#"{"vector":[\#(vector)],"top_k":10}"#.utf8))
    print("api: \(dim)-d query, 10 hits with 3 fields; \(requests) requests per case; body \(milvus.body.count) bytes")
    for (name, request) in [("milvus entities/search", milvus), ("seed /search", seed)] {
        let (µs, status) = try measure(router: router, request: request, count: requests)
        print("  \(name): \(String(format: "%.2f", µs)) µs CPU per request (status \(status))")
    }
}

/// Runs `count` requests in one task; returns process CPU µs per request and the last status.
/// - Throws: when the reply is not a success (a failing request would measure the error path).
private func measure(router: HTTPRouter, request: HTTPRequest, count: Int) throws -> (Double, Int) {
    let check = DispatchSemaphore(value: 0)
    let first = BodyBox()
    Task {
        first.set(await router.respond(to: request).body)
        check.signal()
    }
    check.wait()
    let reply = try JSONValue.parse(first.get())
    guard reply["code"] == 0 || reply["results"] != nil else {
        throw BenchError("request failed: \(String(decoding: first.get(), as: UTF8.self))")
    }
    let done = DispatchSemaphore(value: 0)
    let result = ResultBox()
    Task {
        for _ in 0..<min(1_000, count) { _ = await router.respond(to: request) }  // warm-up
        let start = processCPUSeconds()
        var status = 0
        for _ in 0..<count { status = await router.respond(to: request).status.code }
        result.set((processCPUSeconds() - start) * 1e6 / Double(count), status)
        done.signal()
    }
    done.wait()
    return result.get()
}

private final class BodyBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: [UInt8] = []
    func set(_ v: [UInt8]) { lock.withLock { value = v } }
    func get() -> [UInt8] { lock.withLock { value } }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Double, Int) = (0, 0)
    func set(_ v: Double, _ s: Int) { lock.withLock { value = (v, s) } }
    func get() -> (Double, Int) { lock.withLock { value } }
}

/// Answers every search with the same 10 hits (title, year, tags); every other operation is outside this
/// benchmark and fails with 65535.
private struct FixedResultBackend: APIBackend {
    let result = SearchResult(primaryFieldName: "id", topks: [10], hits: (0..<10).map { i in
        SearchResult.Hit(id: .int(448_300_048_035_776_800 + Int64(i)), distance: 0.9 - Float(i) * 0.01,
                         fields: ["title": .string("document number \(i)"), "year": .int(2_000 + Int64(i)),
                                  "tags": .array([.string("a"), .string("b")])])
    })

    func search(_ request: SearchRequest) async throws -> SearchResult { result }
    func health() async -> HealthInfo { HealthInfo(serving: true, role: "bench", nodeID: "0", uptimeSeconds: 0, clusterState: "healthy") }
    func defaultSearchCollection() async throws -> String? { "bench" }
    func authenticate(user: String, password: String) async -> Bool { false }

    private func unused() -> APIError { APIError(code: APIError.Code.unexpected, message: "not part of the api benchmark") }
    func createCollection(_ request: CreateCollectionRequest) async throws { throw unused() }
    func describeCollection(db: String, name: String) async throws -> CollectionDescription { throw unused() }
    func listCollections(db: String) async throws -> [String] { throw unused() }
    func hasCollection(db: String, name: String) async throws -> Bool { throw unused() }
    func dropCollection(db: String, name: String) async throws { throw unused() }
    func renameCollection(db: String, name: String, newName: String, newDB: String?) async throws { throw unused() }
    func loadCollection(db: String, name: String, replicaNumber: Int?) async throws { throw unused() }
    func releaseCollection(db: String, name: String) async throws { throw unused() }
    func loadState(db: String, name: String, partitions: [String]) async throws -> LoadStateInfo { throw unused() }
    func collectionStats(db: String, name: String) async throws -> CollectionStats { throw unused() }
    func flush(db: String, name: String) async throws { throw unused() }
    func replicas(db: String, name: String) async throws -> [ReplicaInfo] { throw unused() }
    func compact(db: String, name: String) async throws { throw unused() }
    func describeCluster() async throws -> ClusterDescription { throw unused() }
    func drainQueryNode(nodeID: Int64, wait: Duration) async throws -> DrainNodeResult { throw unused() }
    func insert(_ request: InsertRequest) async throws -> WriteResult { throw unused() }
    func upsert(_ request: InsertRequest) async throws -> WriteResult { throw unused() }
    func delete(_ request: DeleteRequest) async throws -> Int64 { throw unused() }
    func get(_ request: GetRequest) async throws -> [[String: FieldValue]] { throw unused() }
    func query(_ request: QueryRequest) async throws -> [[String: FieldValue]] { throw unused() }
    func count(_ request: QueryRequest) async throws -> Int64 { throw unused() }
    func createIndexes(db: String, collection: String, indexes: [IndexRequest]) async throws { throw unused() }
    func describeIndexes(db: String, collection: String, indexName: String?) async throws -> [IndexDescription] { throw unused() }
    func dropIndex(db: String, collection: String, indexName: String) async throws { throw unused() }
    func createPartition(db: String, collection: String, partition: String) async throws { throw unused() }
    func dropPartition(db: String, collection: String, partition: String) async throws { throw unused() }
    func listPartitions(db: String, collection: String) async throws -> [String] { throw unused() }
    func loadPartitions(db: String, collection: String, partitions: [String]) async throws { throw unused() }
    func releasePartitions(db: String, collection: String, partitions: [String]) async throws { throw unused() }
    func createAlias(db: String, collection: String, alias: String) async throws { throw unused() }
    func describeAlias(db: String, alias: String) async throws -> AliasDescription { throw unused() }
    func listAliases(db: String, collection: String?) async throws -> [String] { throw unused() }
    func dropAlias(db: String, alias: String) async throws { throw unused() }
    func alterAlias(db: String, collection: String, alias: String) async throws { throw unused() }
    func createUser(name: String, password: String) async throws { throw unused() }
    func listUsers() async throws -> [String] { throw unused() }
    func dropUser(name: String) async throws { throw unused() }
    func updatePassword(name: String, oldPassword: String, newPassword: String) async throws { throw unused() }
}
