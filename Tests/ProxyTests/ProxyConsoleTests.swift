import API
import Proxy
import Shard
import TestSupport
import Testing

/// The console's extensions over the real roles: `describeCluster` (query nodes with their hosted
/// replicas, rows and segments; a killed node shown as down), `compact`, and `replicas` with health and
/// shard leaders.
@Suite(.serialized) struct ProxyConsoleTests {
    @Test func describeClusterCompactAndADeadNode() async throws {
        let cluster = try await RealCluster(queryNodes: 2)
        let p = cluster.proxy
        try await p.createCollection(CreateCollectionRequest(
            db: "default", name: "c", schema: ProxyFixtures.schema(autoID: true),
            indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: .flat, metric: .l2))],
            shardsNum: 2, consistencyLevel: .strong, replicaNumber: 2, loadOnCreate: true))
        for round in 0..<2 {
            var rows = ProxyFixtures.rows(round * 40..<(round + 1) * 40)
            for i in rows.indices { rows[i]["id"] = nil }
            _ = try await ProxyFixtures.insert(p, "c", rows)
            try await p.flush(db: "default", name: "c")  // every replica catches up and seals
        }
        try await p.compact(db: "default", name: "c")

        let replicas = try await p.replicas(db: "default", name: "c")
        #expect(replicas.count == 2 && replicas.allSatisfy(\.healthy))
        for r in replicas {
            #expect(r.shards.map(\.shard) == [0, 1])
            #expect(r.shards.allSatisfy { [100, 101].contains($0.leader) && $0.nodeIDs == [$0.leader] })
        }

        let described = try await p.describeCluster()
        #expect(described.state == "healthy")
        let queryNodes = described.nodes.filter { $0.role == "querynode" }
        #expect(queryNodes.map(\.nodeID).sorted() == [100, 101])
        #expect(queryNodes.allSatisfy { $0.healthy && $0.searches != nil && $0.uptimeIsObserved && $0.address.hasPrefix("querynode") })
        let hosted = queryNodes.flatMap(\.replicas)
        #expect(hosted.count == 4)  // 2 shards × 2 replicas
        #expect(hosted.allSatisfy { $0.collectionName == "c" && $0.growingRows == 0 && $0.lastError.isEmpty })
        #expect(hosted.map(\.rowCount).reduce(0, +) == 160)  // 80 rows, twice
        // Two flushes made two sealed segments per replica; compaction merged them into one.
        #expect(hosted.allSatisfy { $0.sealedSegments == 1 }, "\(hosted)")
        #expect(described.nodes.contains { $0.role == "rootcoord" } == false)  // the root coordinator holds no session
        #expect(described.nodes.contains { $0.role == "querycoord" && $0.healthy })
        #expect(described.nodes.contains { $0.role == "lognode" && $0.healthy })

        // A killed query node is down as soon as it stops answering, and stays listed after its session expires.
        await cluster.killQueryNode(0)
        let killed = ContinuousClock.now
        var downAfter: Duration?
        while ContinuousClock.now - killed < .seconds(10) {
            let n = try await p.describeCluster().nodes.first { $0.role == "querynode" && $0.nodeID == 100 }
            if let n, !n.healthy { downAfter = ContinuousClock.now - killed; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(downAfter != nil && downAfter! < .seconds(3), "query node 100 not shown down: \(String(describing: downAfter))")
        try await Task.sleep(for: .seconds(3))  // past the 2 s session TTL
        let later = try await p.describeCluster().nodes.first { $0.role == "querynode" && $0.nodeID == 100 }
        #expect(later?.healthy == false && later?.message.contains("no live session") == true, "\(String(describing: later))")
        print("console: killed query node shown down after \(downAfter.map { "\($0)" } ?? "never")")

        await #expect(throws: APIError.self) { try await p.compact(db: "default", name: "nope") }
        await cluster.shutdown()
    }
}
