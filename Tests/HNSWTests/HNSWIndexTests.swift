import Testing
import TestSupport
import VecCore
import HNSW

@Suite struct HNSWIndexTests {
    /// Recall floors against the exact oracle. Margins: on clustered data at ef=100 with M=12 a correct HNSW
    /// reaches ≥ 0.98 at these sizes; uniform data in high dimension is the hardest case for graph indexes and
    /// gets a lower floor (0.9). A broken link, heap or heuristic drops recall far below either.
    @Test(arguments: [(Metric.l2, 3), (.ip, 3), (.cosine, 3), (.l2, 17), (.ip, 64), (.cosine, 128), (.l2, 384), (.ip, 384), (.cosine, 1536)])
    func recallOnClusteredData(metric: Metric, dimension: Int) throws {
        let n = dimension >= 1000 ? 800 : 2000
        let f = try Fixture(count: n, dimension: dimension, metric: metric, seed: UInt64(dimension))
        let r = try f.recall(queries: 30, k: 10, ef: 100, seed: 99)
        #expect(r >= 0.95, "recall \(r) for \(metric) d=\(dimension)")
    }

    @Test(arguments: Metric.allCases)
    func recallOnUniformData(metric: Metric) throws {
        let f = try Fixture(count: 2000, dimension: 32, metric: metric, clustered: false, seed: 7)
        let r = try f.recall(queries: 30, k: 10, ef: 128, seed: 5)
        #expect(r >= 0.9, "recall \(r) for \(metric)")
    }

    @Test func dimensionOneWorks() throws {
        // Degenerate but legal: every vector on a line. L2 only (IP/cosine on a line are all ties).
        let f = try Fixture(count: 500, dimension: 1, metric: .l2, clustered: false, seed: 3)
        #expect(try f.recall(queries: 20, k: 5, ef: 50, seed: 1) >= 0.95)
    }

    @Test func parallelBuildMatchesSequentialQuality() throws {
        let pool = WorkerPool(threads: 4)
        defer { pool.shutdown() }
        let f = try Fixture(count: 3000, dimension: 48, metric: .ip, seed: 21, pool: pool)
        #expect(f.index.count == 3000)
        #expect(try f.recall(queries: 40, k: 10, ef: 100, seed: 8) >= 0.95)
    }

    @Test func resultsAreOrderedAndSelfIsNearest() throws {
        let f = try Fixture(count: 1000, dimension: 24, metric: .l2, seed: 4)
        for r in stride(from: 0, to: 1000, by: 97) {
            let hits = try f.index.search(TestData.row(f.base, r, dimension: 24), k: 10, ef: 64)
            #expect(hits.first?.id == Int64(r))
            #expect(zip(hits, hits.dropFirst()).allSatisfy { SearchHit.precedes($0.0, $0.1) })
        }
    }

    @Test func incrementalAddsGrowTheIndex() throws {
        let dim = 16
        let data = TestData.clustered(count: 1500, dimension: dim, clusters: 10, seed: 12)
        let index = try HNSWIndex(dimension: dim, metric: .l2, parameters: HNSWParameters(connectivity: 8, efConstruction: 64), capacity: 1)
        for r in 0..<1500 { try index.add(id: Int64(r) + 1_000_000, vector: TestData.row(data, r, dimension: dim)) }
        #expect(index.count == 1500 && index.slotCount == 1500)
        #expect(try index.search(TestData.row(data, 1234, dimension: dim), k: 1, ef: 32)[0].id == 1_001_234)
        #expect(index.memoryFootprint > 1500 * dim * 4)
    }

    @Test func deletedIdsAreNeverReturned() throws {
        let f = try Fixture(count: 2000, dimension: 32, metric: .cosine, seed: 9)
        var rng = SplitMix64(seed: 77)
        var deleted = Set<Int64>()
        while deleted.count < 600 { deleted.insert(Int64.random(in: 0..<2000, using: &rng)) }
        for id in deleted { try f.index.remove(id: id) }
        #expect(f.index.count == 1400)
        for r in stride(from: 0, to: 2000, by: 13) {
            let hits = try f.index.search(TestData.row(f.base, r, dimension: 32), k: 20, ef: 80)
            #expect(hits.count == 20)
            #expect(hits.allSatisfy { !deleted.contains($0.id) })
        }
        // Recall among the live rows stays high.
        #expect(try f.recall(queries: 30, k: 10, ef: 100, seed: 3, filter: { !deleted.contains(Int64($0)) }) >= 0.95)
        // A deleted id can be added again, as a new node, and is found.
        let id = deleted.first!
        try f.index.add(id: id, vector: TestData.row(f.base, Int(id), dimension: 32))
        #expect(try f.index.search(TestData.row(f.base, Int(id), dimension: 32), k: 1, ef: 50)[0].id == id)
        #expect(throws: VecError.unknownID(-5)) { try f.index.remove(id: -5) }
    }

    @Test func deletingEverythingLeavesAnEmptyIndex() throws {
        let f = try Fixture(count: 50, dimension: 8, metric: .l2, seed: 2)
        for id in 0..<50 { try f.index.remove(id: Int64(id)) }
        #expect(throws: VecError.emptyIndex) { try f.index.search([Float](repeating: 0, count: 8), k: 1, ef: 10) }
    }

    @Test func badInputGetsTypedErrors() throws {
        let index = try HNSWIndex(dimension: 4, metric: .cosine)
        #expect(throws: VecError.emptyIndex) { try index.search([1, 0, 0, 0], k: 1, ef: 10) }
        try index.add(id: 1, vector: [1, 2, 3, 4])
        #expect(throws: VecError.dimensionMismatch(expected: 4, got: 5)) { try index.search([1, 0, 0, 0, 0], k: 1, ef: 10) }
        #expect(throws: VecError.dimensionMismatch(expected: 4, got: 2)) { try index.add(id: 2, vector: [1, 2]) }
        #expect(throws: VecError.nonFiniteComponent(index: 1)) { try index.search([1, .nan, 0, 0], k: 1, ef: 10) }
        #expect(throws: VecError.nonFiniteComponent(index: 3)) { try index.add(id: 2, vector: [1, 2, 3, -.infinity]) }
        #expect(throws: VecError.zeroVector) { try index.add(id: 2, vector: [0, 0, 0, 0]) }
        #expect(throws: VecError.invalidK(0)) { try index.search([1, 0, 0, 0], k: 0, ef: 10) }
        #expect(throws: VecError.invalidK(-1)) { try index.search([1, 0, 0, 0], k: -1, ef: 10) }
        #expect(throws: VecError.efBelowK(ef: 5, k: 10)) { try index.search([1, 0, 0, 0], k: 10, ef: 5) }
        #expect(throws: VecError.self) { try index.search([1, 0, 0, 0], k: 10, ef: 1_000_000) }
        #expect(throws: VecError.duplicateID(1)) { try index.add(id: 1, vector: [1, 1, 1, 1]) }
        #expect(throws: VecError.self) { try HNSWIndex(dimension: 4, metric: .l2, parameters: HNSWParameters(connectivity: 1)) }
        #expect(throws: VecError.self) { try HNSWIndex(dimension: 4, metric: .l2, parameters: HNSWParameters(connectivity: 16, efConstruction: 8)) }
        #expect(throws: VecError.invalidDimension(0)) { try HNSWIndex(dimension: 0, metric: .l2) }
        #expect(throws: VecError.invalidDimension(40_000)) { try HNSWIndex(dimension: 40_000, metric: .l2) }
        // A batch with one bad row inserts nothing.
        let rows: [Float] = [1, 2, 3, 4, 5, 6, .nan, 8]
        #expect(throws: VecError.nonFiniteComponent(index: 2)) {
            try rows.withUnsafeBufferPointer { try index.add(ids: [10, 11], vectors: $0) }
        }
        #expect(throws: VecError.duplicateID(10)) {
            try [Float](repeating: 1, count: 8).withUnsafeBufferPointer { try index.add(ids: [10, 10], vectors: $0) }
        }
        #expect(index.count == 1)
    }
}
