import Testing
import TestSupport
import VecCore
import HNSW

@Suite struct HNSWFilterTests {
    /// Filtered searches return only allowed ids, with recall ≥ 0.9 against the exact filtered answer, at
    /// high, medium and very low selectivity (the last goes through the exact-scan path). Metrics L2 and
    /// cosine (= IP on normalised embeddings); IP on unnormalised, well-separated clusters is a known weak spot of
    /// graph indexes (the IP-nearest points are far-away large-norm points) and is covered unfiltered only.
    /// Each case runs three ways: the default choice, the graph walk forced (factor 0) and the exact scan
    /// forced (factor ∞), so both paths are checked at every selectivity.
    @Test(arguments: [Metric.l2, .cosine], [0.5, 0.05, 0.001])
    func onlyAllowedIdsWithHighRecall(metric: Metric, selectivity: Double) throws {
        for factor in [1.0, 0.0, .infinity] {
            try checkFiltered(metric: metric, selectivity: selectivity, factor: factor)
        }
    }

    func checkFiltered(metric: Metric, selectivity: Double, factor: Double) throws {
        let n = 6000
        let f = try Fixture(count: n, dimension: 32, metric: metric, seed: 31)
        f.index.exactScanCostFactor = factor
        var rng = SplitMix64(seed: UInt64(selectivity * 1e6))
        var allowed = Set<Int>()
        let want = max(12, Int(Double(n) * selectivity))
        while allowed.count < want { allowed.insert(Int.random(in: 0..<n, using: &rng)) }
        var bits = Bitset(count: f.index.slotCount)
        for s in 0..<f.index.slotCount where allowed.contains(Int(f.index.id(atSlot: s))) { bits.insert(s) }
        for r in stride(from: 0, to: n, by: 211) {
            let hits = try f.index.search(TestData.row(f.base, r, dimension: 32), k: 10, ef: 100, filter: bits)
            #expect(hits.allSatisfy { allowed.contains(Int($0.id)) }, "selectivity \(selectivity) factor \(factor)")
            #expect(hits.count == min(10, allowed.count))
        }
        let r = try f.recall(queries: 25, k: 10, ef: 100, seed: 4, filter: { allowed.contains($0) })
        #expect(r >= 0.9, "recall \(r) at selectivity \(selectivity), factor \(factor)")
    }

    @Test func costRuleScansSmallAllowListsAndWalksLargeOnes() throws {
        let f = try Fixture(count: 1000, dimension: 8, metric: .l2, seed: 2)
        // ef 64 · 2M 24 · live 100,000 → the crossover is at √(153.6 M) ≈ 12,394 allowed.
        #expect(f.index.prefersExactScan(allowed: 12_000, live: 100_000, ef: 64))
        #expect(!f.index.prefersExactScan(allowed: 12_500, live: 100_000, ef: 64))
        f.index.exactScanCostFactor = 0
        #expect(!f.index.prefersExactScan(allowed: 1, live: 100_000, ef: 64))
    }

    @Test func emptyAllowListReturnsNothing() throws {
        let f = try Fixture(count: 300, dimension: 8, metric: .l2, seed: 1)
        #expect(try f.index.search(TestData.row(f.base, 0, dimension: 8), k: 5, ef: 20, filter: Bitset(count: 300)).isEmpty)
    }

    @Test func shortFilterTreatsNewSlotsAsDisallowed() throws {
        let f = try Fixture(count: 200, dimension: 8, metric: .l2, seed: 6)
        let bits = Bitset(count: 100, allSet: true)
        let hits = try f.index.search(TestData.row(f.base, 150, dimension: 8), k: 10, ef: 40, filter: bits)
        #expect(hits.allSatisfy { $0.id < 100 })
    }
}
