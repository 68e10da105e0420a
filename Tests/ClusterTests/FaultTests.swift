import Coordinator
import E2EScenario
import Foundation
import Glibc
import JSON
import Synchronization
import Testing
import Wire

/// Issue #5's fault bar, as separate `vecnode` processes on 127.0.0.1: rootcoord, querycoord, a log node,
/// 3 query nodes, 2 proxies and a gateway in front of them. A 4-shard collection is loaded as 3 replicas (one
/// per query node) and put under continuous search and insert load through the gateway by client threads.
/// Then one query node is SIGKILLed and restarted, then a data node (a datacoord and 2 data nodes flush the
/// channels into a shared object store every 2 s), then a proxy; the test expects zero failed searches, every
/// acknowledged insert readable under Strong at the end, all 3 replicas healthy again once the killed node
/// is back, the killed data node's channels watched by the other one, a flush through the gateway working
/// after it, and prints the time from each kill to healed (for the data node: to its channels reassigned).
@Suite(.serialized) struct FaultTests {
    @Test(.timeLimit(.minutes(4))) func searchesAndInsertsSurviveQueryNodeAndProxyKills() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let cluster = ClusterProcesses(directory: dir.path, queryNodes: 3, proxy: true, moreProxies: 1, gateway: true, dataNodes: 2)
        defer { cluster.killAll() }
        let transport = try testTransport()
        defer { transport.shutdown() }
        let root = transport.client(for: cluster.rootAddress)
        try cluster.startAll()
        #expect(await cluster.waitForMembership(root, expected: [.logNode: 1, .queryCoord: 1, .queryNode: 3, .proxy: 2,
                                                                 .dataCoord: 1, .dataNode: 2])
                != nil, "\(cluster.logs())")
        let port = cluster.gatewayPort
        #expect(await StandaloneProcessTests.waitHealthy(port: port, timeout: .seconds(20)) != nil, "\(cluster.logs())")

        // 4 shards, FLAT, created with params.replicaNumber 3 (loaded on create); then load again with
        // replicaNumber 3 (a no-op on a collection loaded that way).
        let c = FaultLoad.collection
        try await E2EScenario.runDetached {
            let client = try MilvusHTTPClient(host: "127.0.0.1", port: port, timeout: 60)
            defer { client.close() }
            try client.post("collections/create", """
                {"collectionName":"\(c)","schema":{"autoId":false,"fields":[
                {"fieldName":"id","dataType":"Int64","isPrimary":true},
                {"fieldName":"vec","dataType":"FloatVector","elementTypeParams":{"dim":\(FaultLoad.dimension)}}]},
                "indexParams":[{"fieldName":"vec","indexName":"vec","metricType":"L2","indexType":"FLAT"}],
                "params":{"shardsNum":4,"replicaNumber":3}}
                """)
            try client.post("entities/insert", FaultLoad.insertBody(ids: 0..<2_000))
            try client.post("collections/load", #"{"collectionName":"\#(c)","replicaNumber":3}"#)
        }
        let initial = try await Self.replicas(port: port)
        #expect(initial.count == 3 && initial.allSatisfy(\.healthy), "\(initial)")
        #expect(initial.allSatisfy { $0.shards == 4 }, "\(initial)")
        #expect(Set(initial.flatMap(\.nodes)).count == 3, "replicas must be on distinct nodes: \(initial)")

        let load = FaultLoad(port: port)
        try load.start(searchThreads: 2, insertThreads: 1)
        defer { load.stop() }
        try await Task.sleep(for: .seconds(2))

        // 1. SIGKILL a query node; restart it after 3 s (it rejoins with a fresh id); healed = 3 healthy
        // replicas on 3 distinct live nodes, none of them the killed one.
        let killedAddress = "127.0.0.1:\(cluster.port(of: "querynode-1")!)"
        let killedID = try #require(try await root.call(ListLiveNodes()).sessions.first { $0.address == killedAddress }).nodeID.rawValue
        #expect(initial.contains { $0.nodes.contains(killedID) }, "the killed node served no replica: \(initial)")
        let killedNode = cluster.running["querynode-1"]!
        let queryNodeKill = ContinuousClock.now
        killedNode.send(SIGKILL)
        _ = await killedNode.wait(timeout: .seconds(10))
        try await Task.sleep(for: .seconds(3))
        try cluster.start("querynode-1")
        var last: [ReplicaSummary] = []
        let nodeHealed = await eventually(.seconds(60)) {
            guard let r = try? await Self.replicas(port: port) else { return false }
            last = r
            return r.count == 3 && r.allSatisfy { $0.healthy && $0.shards == 4 } && Set(r.flatMap(\.nodes)).count == 3
                && !r.flatMap(\.nodes).contains(killedID)
        }
        let queryNodeHeal = ContinuousClock.now - queryNodeKill
        #expect(nodeHealed, "replicas not healed after the query node restarted: \(last)\n\(cluster.logs())")
        print("fault test: query node SIGKILL → 3 healthy replicas again in \(queryNodeHeal) (restarted after 3 s); "
              + "searches so far \(load.searches) (\(load.failedSearches.count) failed)")

        // 2. SIGKILL a data node mid-load; healed = every channel watched by the other (live) data node. Restart
        // it after 2 s (it rejoins empty with a fresh id); then a flush through the gateway must work.
        let dataCoord = transport.client(for: WireAddress(host: "127.0.0.1", port: cluster.port(of: "datacoord")!))
        let dataNodeAddress = "127.0.0.1:\(cluster.port(of: "datanode-1")!)"
        #expect(await eventually(.seconds(20)) {
            guard let a = try? await dataCoord.call(GetChannelAssignments()) else { return false }
            return a.entries.count == 4 && a.entries.allSatisfy(\.watched)
        }, "channels never all watched\n\(cluster.logs())")
        let dataNodeID = try #require(try await root.call(ListLiveNodes()).sessions.first { $0.address == dataNodeAddress }).nodeID
        let killedDataNode = cluster.running["datanode-1"]!
        let dataNodeKill = ContinuousClock.now
        killedDataNode.send(SIGKILL)
        _ = await killedDataNode.wait(timeout: .seconds(10))
        let reassigned = await eventually(.seconds(30)) {
            guard let a = try? await dataCoord.call(GetChannelAssignments()) else { return false }
            return a.entries.count == 4 && a.entries.allSatisfy { $0.watched && $0.node != dataNodeID }
        }
        let dataNodeHeal = ContinuousClock.now - dataNodeKill
        #expect(reassigned, "the killed data node's channels were not reassigned\n\(cluster.logs())")
        print("fault test: data node SIGKILL → channels reassigned in \(dataNodeHeal) (lease 2 s + reassignment); "
              + "searches so far \(load.searches) (\(load.failedSearches.count) failed)")
        try await Task.sleep(for: .seconds(2))
        try cluster.start("datanode-1")
        try await E2EScenario.runDetached {
            let client = try MilvusHTTPClient(host: "127.0.0.1", port: port, timeout: 60)
            defer { client.close() }
            try client.post("collections/flush", #"{"collectionName":"\#(c)"}"#)
        }
        let flushed = try await dataCoord.call(GetChannelAssignments()).entries
        #expect(flushed.allSatisfy { $0.flushedCheckpoint != nil }, "\(flushed)")

        // 3. SIGKILL a proxy behind the gateway; restart it after 2 s; healed = the gateway routes to it again.
        let proxyAddress = cluster.proxyAddresses[1]
        let killedProxy = cluster.running["proxy-2"]!
        let proxyKill = ContinuousClock.now
        killedProxy.send(SIGKILL)
        _ = await killedProxy.wait(timeout: .seconds(10))
        try await Task.sleep(for: .seconds(2))
        try cluster.start("proxy-2")
        let proxyHealed = await eventually(.seconds(30)) {
            (try? await Self.gatewayHealthy(port: port)[proxyAddress]) == true
        }
        let proxyHeal = ContinuousClock.now - proxyKill
        #expect(proxyHealed, "the gateway never saw the restarted proxy healthy\n\(cluster.logs())")
        print("fault test: proxy SIGKILL → healthy behind the gateway again in \(proxyHeal) (restarted after 2 s)")
        try await Task.sleep(for: .seconds(2))
        load.stop()

        // The bar: no failed search, every acknowledged insert readable under Strong.
        let failed = load.failedSearches
        #expect(load.searches > 50, "too little search load to mean anything: \(load.searches)")
        #expect(failed.isEmpty, "\(failed.count) of \(load.searches) searches failed: \(failed.prefix(5))")
        let acked = load.acknowledgedIDs
        #expect(acked.count > 50, "too few acknowledged inserts: \(acked.count)")
        let readable = try await Self.readIDs(port: port, from: FaultLoad.firstInsertedID)
        let lost = acked.subtracting(readable)
        #expect(lost.isEmpty, "\(lost.count) acknowledged inserts lost, e.g. \(lost.sorted().prefix(5))")
        let after = try await Self.replicas(port: port)
        #expect(after.count == 3 && after.allSatisfy(\.healthy), "\(after)")
        print("fault test: \(load.searches) searches (\(failed.count) failed), \(acked.count) rows acknowledged "
              + "(\(load.failedInserts) insert requests failed, allowed: not acknowledged), \(lost.count) lost; "
              + "search latency p50 \(load.percentile(0.5)) ms, p99 \(load.percentile(0.99)) ms, max \(load.percentile(1)) ms")
        let phases = [("query node kill", queryNodeKill), ("data node kill", dataNodeKill), ("proxy kill", proxyKill)]
        for (at, why) in load.insertFailures.prefix(10) {
            let after = phases.last { $0.1 <= at }.map { "\(at - $0.1) after the \($0.0)" } ?? "before the kills"
            print("fault test: failed insert \(after): \(why)")
        }
    }

    struct ReplicaSummary: Sendable, CustomStringConvertible {
        var id: Int64
        var nodes: [Int64]
        var healthy: Bool
        var shards: Int
        var description: String { "replica \(id) nodes \(nodes) \(healthy ? "healthy" : "unhealthy") shards \(shards)" }
    }

    static func replicas(port: UInt16) async throws -> [ReplicaSummary] {
        try await E2EScenario.runDetached {
            let client = try MilvusHTTPClient(host: "127.0.0.1", port: port, timeout: 10)
            defer { client.close() }
            let data = try client.post("collections/get_replicas", #"{"collectionName":"\#(FaultLoad.collection)"}"#)
            return (data["replicas"]?.arrayValue ?? []).map { r in
                ReplicaSummary(id: r["replicaID"]?.int64Value ?? -1,
                               nodes: (r["nodes"]?.arrayValue ?? []).compactMap(\.int64Value),
                               healthy: r["healthy"]?.boolValue ?? false,
                               shards: r["shards"]?.arrayValue?.count ?? 0)
            }
        }
    }

    static func gatewayHealthy(port: UInt16) async throws -> [String: Bool] {
        try await E2EScenario.runDetached {
            let client = try MilvusHTTPClient(host: "127.0.0.1", port: port, timeout: 5)
            defer { client.close() }
            let status = try JSONValue.parse(client.get("/gateway/status").body)
            var out: [String: Bool] = [:]
            for u in status["upstreams"]?.arrayValue ?? [] { out[u["address"]?.stringValue ?? "?"] = u["healthy"]?.boolValue }
            return out
        }
    }

    static func readIDs(port: UInt16, from first: Int64) async throws -> Set<Int64> {
        try await E2EScenario.runDetached {
            let client = try MilvusHTTPClient(host: "127.0.0.1", port: port, timeout: 60)
            defer { client.close() }
            let rows = try client.post("entities/query", """
                {"collectionName":"\(FaultLoad.collection)","filter":"id >= \(first)","outputFields":["id"],
                "limit":16384,"consistencyLevel":"Strong"}
                """)
            return Set((rows.arrayValue ?? []).compactMap { $0["id"]?.int64Value })
        }
    }
}

/// Client threads (not Swift's cooperative pool) searching and inserting through the gateway, recording
/// every failure and every acknowledged row.
final class FaultLoad: Sendable {
    static let collection = "fault"
    static let dimension = 8
    static let firstInsertedID: Int64 = 1_000_000
    static let batch = 10

    struct State {
        var searches = 0
        var failedSearches: [String] = []
        var latenciesMs: [Double] = []
        var acknowledged = Set<Int64>()
        var failedInserts = 0
        /// When and why each failed insert failed (printed by the test).
        var insertFailures: [(ContinuousClock.Instant, String)] = []
        var nextID = FaultLoad.firstInsertedID
    }

    let port: UInt16
    private let state = Mutex(State())
    private let running = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let count = Mutex(0)

    init(port: UInt16) { self.port = port }

    var searches: Int { state.withLock { $0.searches } }
    var failedSearches: [String] { state.withLock { $0.failedSearches } }
    var acknowledgedIDs: Set<Int64> { state.withLock { $0.acknowledged } }
    var failedInserts: Int { state.withLock { $0.failedInserts } }
    var insertFailures: [(ContinuousClock.Instant, String)] { state.withLock { $0.insertFailures } }

    /// The `q` quantile of search latencies in milliseconds (1 = the maximum).
    func percentile(_ q: Double) -> String {
        let sorted = state.withLock { $0.latenciesMs }.sorted()
        guard !sorted.isEmpty else { return "-" }
        return String(format: "%.1f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))])
    }

    static func insertBody(ids: Range<Int64>) -> String {
        let rows = ids.map { id in
            let v = (0..<dimension).map { String(Float((id &* 31 &+ Int64($0) &* 7) % 97) / 97) }.joined(separator: ",")
            return #"{"id":\#(id),"vec":[\#(v)]}"#
        }
        return #"{"collectionName":"\#(collection)","data":[\#(rows.joined(separator: ","))]}"#
    }

    func start(searchThreads: Int, insertThreads: Int) throws {
        running.store(true, ordering: .releasing)
        var started: [Thread] = []
        for i in 0..<(searchThreads + insertThreads) {
            let search = i < searchThreads
            let t = Thread { [self] in
                defer { finished.signal() }
                if search { searchLoop(seed: UInt64(i + 1)) } else { insertLoop() }
            }
            t.name = search ? "fault-search-\(i)" : "fault-insert-\(i)"
            started.append(t)
        }
        count.withLock { $0 = started.count }
        for t in started { t.start() }
    }

    /// Stops the client threads and waits for them (each finishes its request in flight). Idempotent.
    func stop() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        let n = count.withLock { $0 }
        for _ in 0..<n { finished.wait() }
    }

    private func searchLoop(seed: UInt64) {
        var rng = seed &* 0x9E37_79B9_7F4A_7C15
        var client: MilvusHTTPClient?
        defer { client?.close() }
        while running.load(ordering: .acquiring) {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            let vector = (0..<Self.dimension).map { j in String(Float((rng >> UInt64(8 + j * 4)) & 0xFF) / 255) }
            let body = """
                {"collectionName":"\(Self.collection)","data":[[\(vector.joined(separator: ","))]],"annsField":"vec",
                "limit":5,"outputFields":["id"],"consistencyLevel":"Bounded"}
                """
            let started = DispatchTime.now().uptimeNanoseconds
            var failure: String?
            do {
                if client == nil { client = try MilvusHTTPClient(host: "127.0.0.1", port: port, timeout: 30) }
                let hits = try client!.post("entities/search", body)
                if (hits.arrayValue ?? []).count != 5 { failure = "search answered \(hits)" }
            } catch {
                failure = "\(error)"
                client?.close()
                client = nil
            }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            state.withLock {
                $0.searches += 1
                $0.latenciesMs.append(ms)
                if let failure { $0.failedSearches.append(failure) }
            }
        }
    }

    private func insertLoop() {
        var client: MilvusHTTPClient?
        defer { client?.close() }
        while running.load(ordering: .acquiring) {
            let first = state.withLock { s -> Int64 in
                let f = s.nextID
                s.nextID += Int64(Self.batch)
                return f
            }
            let ids = first..<(first + Int64(Self.batch))
            var acked = false
            var why = ""
            do {
                if client == nil { client = try MilvusHTTPClient(host: "127.0.0.1", port: port, timeout: 30) }
                let reply = try client!.post("entities/insert", Self.insertBody(ids: ids))
                acked = reply["insertCount"]?.int64Value == Int64(Self.batch)
                if !acked { why = "answered \(reply)" }
            } catch {
                why = "\(error)"
                client?.close()
                client = nil
            }
            let at = ContinuousClock.now
            state.withLock {
                if acked { $0.acknowledged.formUnion(ids) } else {
                    $0.failedInserts += 1
                    $0.insertFailures.append((at, String(why.prefix(160))))
                }
            }
            usleep(20_000)
        }
    }
}
