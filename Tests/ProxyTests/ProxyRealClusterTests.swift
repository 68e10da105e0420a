import API
import Proxy
import Shard
import TestSupport
import Testing

/// Proxy behaviour that needs the real roles: Session reads see this proxy's writes, and a search keeps
/// working when a query node holding one of two replicas dies.
@Suite(.serialized) struct ProxyRealClusterTests {
    @Test func sessionReadsAndReplicaFailover() async throws {
        let cluster = try await RealCluster(queryNodes: 2)
        let p = cluster.proxy
        try await p.createCollection(CreateCollectionRequest(
            db: "default", name: "r", schema: ProxyFixtures.schema(autoID: true),
            indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: .flat, metric: .l2))],
            shardsNum: 2, consistencyLevel: .session, replicaNumber: 2, loadOnCreate: true))
        #expect(try await p.replicas(db: "default", name: "r").count == 2)
        var total = 0
        for round in 0..<5 {
            var rows = ProxyFixtures.rows(round * 40..<(round + 1) * 40)
            for i in rows.indices { rows[i]["id"] = nil }
            let w = try await ProxyFixtures.insert(p, "r", rows)
            total += w.count
            // Session (the collection's level): every row this proxy wrote is visible right away.
            #expect(try await p.count(QueryRequest(db: "default", collection: "r", filter: "", outputFields: [], limit: 1, offset: 0)) == Int64(total))
            let got = try await p.get(GetRequest(db: "default", collection: "r", ids: w.ids, outputFields: ["tag"], partitionNames: []))
            #expect(got.count == w.count)
        }
        let q = SearchRequest(db: "default", collection: "r", queries: .vectors(values: TestData.uniform(count: 2, dimension: 8, seed: 3), dimension: 8),
                              limit: 5, consistencyLevel: .strong)
        let before = try await p.search(q)
        #expect(before.topks == [5, 5])
        await cluster.killQueryNode(0)
        for _ in 0..<10 { #expect(try await p.search(q).hits.map(\.id) == before.hits.map(\.id)) }
        await cluster.shutdown()
    }
}
