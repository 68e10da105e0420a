import Testing
import TestSupport
import VecCore
import HNSW

@Suite struct HNSWSQ8IndexTests {
    func quantised(_ f: Fixture, refine: Bool = true) throws -> HNSWSQ8Index {
        try HNSWSQ8Index(graph: f.index, refine: refine ? try RefineVectors(values: f.base, dimension: f.dimension) : nil)
    }

    func recall(_ index: HNSWSQ8Index, _ f: Fixture, ef: Int, rerank: Int? = nil, filter: Bitset? = nil,
                allowed: ((Int) -> Bool)? = nil) throws -> Double {
        var total = 0.0
        let n = f.base.count / f.dimension
        let queries = Array(stride(from: 0, to: n, by: n / 40))
        for r in queries {
            let q = TestData.row(f.base, r, dimension: f.dimension).map { $0 + 0.02 }
            let hits = try index.search(q, k: 10, ef: ef, rerank: rerank, filter: filter)
            let truth = BruteForce.topK(base: f.base, dimension: f.dimension, query: q, k: 10, metric: f.metric, allowed: allowed)
            total += BruteForce.tieAwareRecall(found: hits.map(\.id), truth: truth, base: f.base, dimension: f.dimension,
                                               query: q, metric: f.metric)
        }
        return total / Double(queries.count)
    }

    @Test(arguments: Metric.allCases)
    func recallWithRerankMatchesFloatGraph(metric: Metric) throws {
        let f = try Fixture(count: 3000, dimension: 48, metric: metric, seed: 61)
        let q = try quantised(f)
        #expect(q.count == 3000 && q.slotCount == 3000)
        let r = try recall(q, f, ef: 64)
        #expect(r >= 0.95, "HNSW_SQ8 recall@10 \(r)")
        // Re-ranked distances are exact float distances.
        let query = TestData.row(f.base, 17, dimension: 48)
        for h in try q.search(query, k: 5, ef: 32) {
            let exact = BruteForce.distance(TestData.row(f.base, Int(h.id), dimension: 48), query, metric: metric)
            #expect(abs(Double(h.distance) - exact) <= 1e-4 * max(1, abs(exact)))
        }
        // Memory: one byte per component instead of four (the graph is the same size).
        let saved = 3000 * (48 * 4 - 48)
        #expect(q.memoryFootprint <= f.index.memoryFootprint - saved * 9 / 10, "\(q.memoryFootprint) vs \(f.index.memoryFootprint)")
    }

    @Test func rerankDepthBoundsRecallLoss() throws {
        let f = try Fixture(count: 3000, dimension: 48, metric: .l2, seed: 62)
        let noRefine = try quantised(f, refine: false)
        let full = try quantised(f)
        let shallow = try recall(full, f, ef: 64, rerank: 10)
        let deep = try recall(full, f, ef: 64, rerank: 64)
        let none = try recall(noRefine, f, ef: 64)
        #expect(deep >= shallow - 1e-9 && deep >= none - 1e-9, "deep \(deep) shallow \(shallow) none \(none)")
    }

    @Test func filtersAndDeletes() throws {
        let f = try Fixture(count: 2000, dimension: 32, metric: .cosine, seed: 63)
        let q = try quantised(f)
        for id in stride(from: 0, to: 2000, by: 4) { try q.remove(id: Int64(id)) }
        #expect(q.count == 1500)
        #expect(throws: VecError.unknownID(0)) { try q.remove(id: 0) }
        var allow = Bitset(count: q.slotCount)
        for s in 0..<q.slotCount where s % 3 == 0 { allow.insert(s) }
        for r in stride(from: 1, to: 2000, by: 97) {
            let hits = try q.search(TestData.row(f.base, r, dimension: 32), k: 10, ef: 64, filter: allow)
            #expect(hits.count == 10)
            for h in hits { #expect(h.id % 4 != 0 && h.id % 3 == 0, "id \(h.id)") }
        }
        // A tiny allow-list takes the exact-scan path and returns exactly the allowed live ids.
        var few = Bitset(count: q.slotCount)
        for s in [3, 9, 8] { few.insert(s) }
        #expect(Set(try q.search(TestData.row(f.base, 5, dimension: 32), k: 10, ef: 32, filter: few).map(\.id)) == [3, 9])
        let r = try recall(q, f, ef: 96, filter: allow, allowed: { $0 % 4 != 0 && $0 % 3 == 0 })
        #expect(r >= 0.9, "filtered recall \(r)")
    }

    @Test func persistenceRoundTripAndCorruption() throws {
        let f = try Fixture(count: 800, dimension: 20, metric: .ip, seed: 64)
        let q = try quantised(f)
        try q.remove(id: 5)
        let bytes = q.serializedBytes()
        let back = try HNSWSQ8Index.deserialize(bytes, name: "segments/3/index-1", refine: q.refine)
        #expect(back.count == q.count && back.quantizer == q.quantizer && back.serializedBytes() == bytes)
        for r in stride(from: 0, to: 800, by: 37) {
            let query = TestData.row(f.base, r, dimension: 20)
            #expect(try back.search(query, k: 10, ef: 40) == q.search(query, k: 10, ef: 40))
        }
        for offset in [0, 10, 40, 61, bytes.count / 2, bytes.count - 2] {
            var bad = bytes
            bad[offset] ^= 0x21
            #expect(throws: VecError.self) { try HNSWSQ8Index.deserialize(bad, name: "x", refine: nil) }
        }
        #expect(throws: VecError.self) { try HNSWSQ8Index.deserialize(Array(bytes.prefix(100)), name: "x", refine: nil) }
        #expect(throws: VecError.self) { try HNSWSQ8Index.deserialize(bytes + [1], name: "x", refine: nil) }
        #expect(throws: VecError.self) {
            try HNSWSQ8Index.deserialize(bytes, name: "x", refine: try RefineVectors(values: [1, 2, 3], dimension: 3))
        }
    }

    @Test func emptyGraphAndBadQueries() throws {
        let g = try HNSWIndex(dimension: 8, metric: .l2)
        #expect(throws: VecError.emptyIndex) { try HNSWSQ8Index(graph: g, refine: nil) }
        let f = try Fixture(count: 200, dimension: 8, metric: .l2, seed: 65)
        let q = try quantised(f)
        #expect(throws: VecError.self) { try q.search([1, 2], k: 1, ef: 10) }
        #expect(throws: VecError.efBelowK(ef: 5, k: 10)) { try q.search(TestData.row(f.base, 0, dimension: 8), k: 10, ef: 5) }
    }
}
