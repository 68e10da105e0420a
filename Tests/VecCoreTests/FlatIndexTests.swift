import Testing
import TestSupport
import VecCore

@Suite struct FlatIndexTests {
    @Test(arguments: Metric.allCases)
    func exactAgainstOracle(metric: Metric) throws {
        let dim = 37, n = 600
        let base = TestData.clustered(count: n, dimension: dim, clusters: 8, seed: 11)
        let index = try FlatIndex(dimension: dim, metric: metric)
        for r in 0..<n { try index.add(id: Int64(r), vector: TestData.row(base, r, dimension: dim)) }
        let pool = WorkerPool(threads: 2)
        defer { pool.shutdown() }
        let queries = TestData.uniform(count: 20, dimension: dim, seed: 12)
        for qi in 0..<20 {
            let q = TestData.row(queries, qi, dimension: dim)
            let truth = BruteForce.topK(base: base, dimension: dim, query: q, k: 10, metric: metric)
            for p in [nil, pool] {
                let hits = try index.search(q, k: 10, pool: p)
                let recall = BruteForce.tieAwareRecall(found: hits.map(\.id), truth: truth, base: base, dimension: dim, query: q, metric: metric)
                #expect(recall == 1, "metric \(metric) query \(qi)")
                #expect(zip(hits, hits.dropFirst()).allSatisfy { SearchHit.precedes($0.0, $0.1) })
            }
        }
    }

    @Test func multiThreadedEqualsSingleThreadedOnLargeSets() throws {
        let dim = 16, n = 20_000
        let base = TestData.uniform(count: n, dimension: dim, seed: 3)
        let index = try FlatIndex(dimension: dim, metric: .l2, capacity: n)
        for r in 0..<n { try index.add(id: Int64(r), vector: TestData.row(base, r, dimension: dim)) }
        let pool = WorkerPool(threads: 3)
        defer { pool.shutdown() }
        let q = TestData.row(base, 17, dimension: dim)
        #expect(try index.search(q, k: 25) == index.search(q, k: 25, pool: pool))
        #expect(try index.search(q, k: 1).first?.id == 17)
    }

    @Test func filterAndRemove() throws {
        let dim = 8, n = 300
        let base = TestData.uniform(count: n, dimension: dim, seed: 5)
        let index = try FlatIndex(dimension: dim, metric: .ip)
        for r in 0..<n { try index.add(id: Int64(r) * 10, vector: TestData.row(base, r, dimension: dim)) }
        var allow = Bitset(count: n)
        for s in stride(from: 0, to: n, by: 7) { allow.insert(s) }
        let q = TestData.row(base, 3, dimension: dim)
        let hits = try index.search(q, k: 20, filter: allow)
        #expect(hits.count == 20 && hits.allSatisfy { ($0.id / 10) % 7 == 0 })
        let best = try index.search(q, k: 1)[0].id
        try index.remove(id: best)
        #expect(try index.search(q, k: 50).allSatisfy { $0.id != best })
        #expect(index.count == n - 1)
        #expect(throws: VecError.unknownID(best)) { try index.remove(id: best) }
    }

    @Test func badInputIsRejected() throws {
        let index = try FlatIndex(dimension: 4, metric: .cosine)
        #expect(throws: VecError.emptyIndex) { try index.search([1, 0, 0, 0], k: 1) }
        try index.add(id: 1, vector: [1, 2, 3, 4])
        #expect(throws: VecError.duplicateID(1)) { try index.add(id: 1, vector: [1, 2, 3, 4]) }
        #expect(throws: VecError.dimensionMismatch(expected: 4, got: 3)) { try index.add(id: 2, vector: [1, 2, 3]) }
        #expect(throws: VecError.nonFiniteComponent(index: 2)) { try index.add(id: 2, vector: [1, 2, .nan, 4]) }
        #expect(throws: VecError.nonFiniteComponent(index: 0)) { try index.add(id: 2, vector: [.infinity, 2, 3, 4]) }
        #expect(throws: VecError.zeroVector) { try index.add(id: 2, vector: [0, 0, 0, 0]) }
        #expect(throws: VecError.invalidK(0)) { try index.search([1, 0, 0, 0], k: 0) }
        #expect(throws: VecError.invalidK(-3)) { try index.search([1, 0, 0, 0], k: -3) }
        #expect(throws: VecError.filterSizeMismatch(expected: 1, got: 5)) { try index.search([1, 0, 0, 0], k: 1, filter: Bitset(count: 5)) }
        #expect(index.count == 1)  // failed adds left nothing behind
        #expect(throws: VecError.invalidDimension(0)) { try FlatIndex(dimension: 0, metric: .l2) }
    }
}
