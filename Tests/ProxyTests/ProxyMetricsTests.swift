import API
import Foundation
import Node
import Proxy
import Shard
import TestSupport
import Testing
import Wire

/// `/metrics` for the cluster: the proxy collects every live query node's counters and the collections'
/// replica routes (Proxy+Metrics.swift), over the real roles.
@Suite(.serialized) struct ProxyMetricsTests {
    /// The samples of `family` in exposition `text`: rendered label set → value.
    static func samples(_ text: String, _ family: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(family + "{") || line.hasPrefix(family + " ") {
            let parts = line.split(separator: " ")
            let series = String(parts[0].dropFirst(family.count))
            out[series] = Double(parts.last!)
        }
        return out
    }

    static func scrape(_ proxy: Proxy) async -> String {
        MetricsRegistry().render(adding: await proxy.collectMetrics())
    }

    @Test func perNodeCountersGaugesAndAnUnansweringNode() async throws {
        let cluster = try await RealCluster(queryNodes: 2)
        let p = cluster.proxy
        try await p.createCollection(CreateCollectionRequest(
            db: "default", name: "m", schema: ProxyFixtures.schema(),
            indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: .flat, metric: .l2))],
            shardsNum: 1, consistencyLevel: .strong, replicaNumber: 2, loadOnCreate: true))
        _ = try await ProxyFixtures.insert(p, "m", ProxyFixtures.rows(0..<40))
        try await p.flush(db: "default", name: "m")

        let first = await Self.scrape(p)
        let searchesBefore = Self.samples(first, "vecnode_querynode_search_total").values.reduce(0, +)
        let n = 25
        let q = SearchRequest(db: "default", collection: "m", queries: .vectors(values: TestData.uniform(count: 1, dimension: 8, seed: 9), dimension: 8),
                              limit: 3, consistencyLevel: .strong)
        for _ in 0..<n { _ = try await p.search(q) }
        // A search the node refuses (no such field) counts as served and failed.
        let node0 = cluster.network.client(for: WireAddress(host: "querynode0", port: 1))
        let collectionID = try #require(await cluster.queryNodes[0].metrics().replicas.first?.status.ref)
        await #expect(throws: WireError.self) {
            _ = try await node0.call(SearchShard(ref: collectionID, field: "nofield", vectors: [1], dimension: 1, k: 1, guarantee: .eventually))
        }

        let text = await Self.scrape(p)
        let node0Labels = #"{address="querynode0:1",node_id="100"}"#
        let node1Labels = #"{address="querynode1:1",node_id="101"}"#
        let searches = Self.samples(text, "vecnode_querynode_search_total")
        #expect(Set(searches.keys) == [node0Labels, node1Labels], "\(text)")
        #expect(searches.values.reduce(0, +) == searchesBefore + Double(n) + 1)
        #expect(Self.samples(text, "vecnode_querynode_search_failed_total")[node0Labels] == 1)
        #expect(Self.samples(text, "vecnode_querynode_search_duration_seconds_count").values.reduce(0, +) == searchesBefore + Double(n) + 1)
        #expect(text.contains(#"vecnode_querynode_search_duration_seconds_bucket{address="querynode0:1",node_id="100",le="+Inf"}"#))
        // Each node hosts one replica of the one shard, sealed by the flush.
        #expect(Self.samples(text, "vecnode_querynode_replicas") == [node0Labels: 1, node1Labels: 1])
        #expect(Self.samples(text, "vecnode_querynode_sealed_segments") == [node0Labels: 1, node1Labels: 1])
        #expect(Self.samples(text, "vecnode_querynode_growing_rows") == [node0Labels: 0, node1Labels: 0])
        #expect(Self.samples(text, "vecnode_querynode_rows") == [node0Labels: 40, node1Labels: 40])
        let lag = Self.samples(text, "vecnode_querynode_log_lag_records")
        #expect(lag == [#"{address="querynode0:1",collection="m",node_id="100",shard="0"}"#: 0,
                        #"{address="querynode1:1",collection="m",node_id="101",shard="0"}"#: 0], "\(lag)")
        #expect(Self.samples(text, "vecnode_querynode_resident_memory_bytes").values.allSatisfy { $0 > 1_000_000 })
        #expect(Self.samples(text, "vecnode_collection_replicas") == [#"{collection="m"}"#: 2])
        #expect(Self.samples(text, "vecnode_collection_replicas_healthy") == [#"{collection="m"}"#: 2])
        #expect(Self.samples(text, "vecnode_metrics_scrape_errors_total").isEmpty)
        // Every family served is documented.
        let doc = try String(contentsOfFile: #filePath.components(separatedBy: "/Tests/ProxyTests/")[0] + "/docs/metrics.md", encoding: .utf8)
        let families = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) }
        #expect(families.count >= 12)
        for f in families { #expect(doc.contains("`\(f)`"), "docs/metrics.md does not document \(f)") }

        // Query node 1 stops answering; its session is still live (the lease has ~1.5 s left), so the scrape
        // asks it, gives up within the scrape timeout, leaves it out and counts the error.
        await cluster.killQueryNode(1)
        let started = ContinuousClock.now
        let after = await Self.scrape(p)
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(Set(Self.samples(after, "vecnode_querynode_search_total").keys) == [node0Labels], "\(after)")
        #expect(Self.samples(after, "vecnode_metrics_scrape_errors_total") == [#"{source="querynode"}"#: 1])
        await cluster.shutdown()
    }
}
