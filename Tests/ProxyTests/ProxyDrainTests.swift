import API
import Proxy
import Shard
import TestSupport
import Testing

/// `drainQueryNode` (`cluster/drain_node`) over the real roles: the query coordinator moves the node's copies
/// away and the proxy keeps answering; a drain that would break the replica groups is 1100 with the reason.
@Suite(.serialized) struct ProxyDrainTests {
    @Test func drainMovesCopiesAwayAndRefusalsAre1100() async throws {
        let cluster = try await RealCluster(queryNodes: 3)
        let p = cluster.proxy
        try await p.createCollection(CreateCollectionRequest(
            db: "default", name: "c", schema: ProxyFixtures.schema(),
            indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: .flat, metric: .l2))],
            shardsNum: 4, consistencyLevel: .strong, replicaNumber: 1, loadOnCreate: true))
        _ = try await ProxyFixtures.insert(p, "c", ProxyFixtures.rows(0..<80))
        let count = QueryRequest(db: "default", collection: "c", filter: "", outputFields: [], limit: 1, offset: 0,
                                 consistencyLevel: .strong)
        #expect(try await p.count(count) == 80)

        let hosting = try await p.replicas(db: "default", name: "c")[0].shards.map(\.leader)
        let victim = hosting[0]
        let result = try await p.drainQueryNode(nodeID: victim, wait: .seconds(10))
        #expect(result.nodeID == victim && result.drained && result.remainingCopies == 0
                && result.initialCopies == hosting.filter { $0 == victim }.count, "\(result)")
        let after = try await p.replicas(db: "default", name: "c")
        #expect(after.allSatisfy(\.healthy) && !after[0].shards.contains { $0.leader == victim } && !after[0].nodeIDs.contains(victim))
        let hosted = try await p.describeCluster().nodes.first { $0.role == "querynode" && $0.nodeID == victim }
        #expect(hosted?.replicas.isEmpty == true)
        #expect(try await p.count(count) == 80)

        // Two replicas on the two nodes left: draining either would leave one node for two groups.
        try await p.loadCollection(db: "default", name: "c", replicaNumber: 2)
        let other = [Int64(100), 101, 102].first { $0 != victim }!
        await #expect {
            _ = try await p.drainQueryNode(nodeID: other, wait: .seconds(1))
        } throws: { error in
            guard let e = error as? APIError else { return false }
            return e.code == APIError.Code.invalidParameter && e.message.contains("2 distinct query nodes")
        }
        await #expect {
            _ = try await p.drainQueryNode(nodeID: 4242, wait: .seconds(1))
        } throws: { error in
            (error as? APIError)?.code == APIError.Code.invalidParameter && "\(error)".contains("4242")
        }
        #expect(try await p.count(count) == 80)
        await cluster.shutdown()
    }
}
