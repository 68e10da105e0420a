import API
import Proxy
import Shard
import TestSupport
import Testing
import VecCore

/// Issue #4's bar, in process: a 4-shard collection, a 10k slice of pypi-minilm-100k, HNSW index, load;
/// recall@10 ≥ 0.95 against exact ground truth on the slice; a filtered query; a delete seen under Strong.
@Suite(.serialized) struct ProxyBarTests {
    @Test(arguments: [false, true]) func minilmSliceOnFourShards(real: Bool) async throws {
        guard let dir = SharedDatasets.minilm100k else {
            print("skipping: pypi-minilm-100k not found next to the repository")
            return
        }
        let n = 10_000
        let base = try BigANNFile.readVectors(dir + "/base.f16bin", limit: n)
        let queries = try BigANNFile.readVectors(dir + "/query.f16bin", limit: 50)
        let d = base.columns
        let cluster = try await makeCluster(real: real, queryNodes: 2)
        let p = cluster.proxy
        try await p.createCollection(CreateCollectionRequest(
            db: "default", name: "pypi", schema: CollectionSchema(fields: [
                FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
                FieldSchema(name: "bucket", dataType: .int64),
                FieldSchema(name: "vec", dataType: .floatVector, dimension: d),
            ]),
            indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: .hnsw(m: 16, efConstruction: 100), metric: .cosine))],
            shardsNum: 4, consistencyLevel: .bounded, loadOnCreate: true))
        for start in stride(from: 0, to: n, by: 1_000) {
            let rows: [[String: FieldValue]] = (start..<start + 1_000).map { i in
                ["id": .int(Int64(i)), "bucket": .int(Int64(i % 100)), "vec": .floatVector(TestData.row(base.values, i, dimension: d))]
            }
            _ = try await ProxyFixtures.insert(p, "pypi", rows)
        }
        try await p.flush(db: "default", name: "pypi")
        #expect(try await p.count(QueryRequest(db: "default", collection: "pypi", filter: "", outputFields: [], limit: 1, offset: 0,
                                               consistencyLevel: .strong)) == Int64(n))
        // Recall@10 of 50 queries against the exact answer on the slice.
        let result = try await p.search(SearchRequest(
            db: "default", collection: "pypi", queries: .vectors(values: queries.values, dimension: d), limit: 10, ef: 100,
            consistencyLevel: .strong))
        #expect(result.topks == [Int](repeating: 10, count: 50))
        var recall = 0.0
        for q in 0..<50 {
            let query = TestData.row(queries.values, q, dimension: d)
            let truth = BruteForce.topK(base: base.values, dimension: d, query: query, k: 10, metric: .cosine)
            let found: [Int64] = result.hits[(q * 10)..<(q * 10 + 10)].map { if case .int(let v) = $0.id { v } else { -1 } }
            recall += BruteForce.tieAwareRecall(found: found, truth: truth, base: base.values, dimension: d, query: query, metric: .cosine)
        }
        recall /= 50
        print("proxy bar (\(real ? "real roles" : "stand-ins")): recall@10 over 4 shards = \(recall)")
        #expect(recall >= 0.95, "recall@10 \(recall)")
        // Filtered query.
        let bucket7 = try await p.query(QueryRequest(db: "default", collection: "pypi", filter: "bucket == 7", outputFields: ["bucket"],
                                                     limit: 1_000, offset: 0, consistencyLevel: .strong))
        #expect(bucket7.count == n / 100 && bucket7.allSatisfy { $0["bucket"] == .int(7) })
        // Delete, seen under Strong by query, count and search.
        let deleted = try await p.delete(DeleteRequest(db: "default", collection: "pypi", partition: nil, filter: "bucket == 7", ids: nil))
        #expect(deleted == Int64(n / 100))
        #expect(try await p.count(QueryRequest(db: "default", collection: "pypi", filter: "bucket == 7", outputFields: [], limit: 1, offset: 0,
                                               consistencyLevel: .strong)) == 0)
        let self7 = try await p.search(SearchRequest(
            db: "default", collection: "pypi", queries: .vectors(values: TestData.row(base.values, 7, dimension: d), dimension: d), limit: 5,
            consistencyLevel: .strong))
        #expect(!self7.hits.contains { $0.id == .int(7) })
        await cluster.shutdown()
    }
}
