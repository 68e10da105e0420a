import HNSW
import TestSupport
import VecCore

/// A built index with its raw data, for the HNSW test files.
struct Fixture {
    let base: [Float]
    let dimension: Int
    let metric: Metric
    let index: HNSWIndex

    init(count: Int, dimension: Int, metric: Metric, clustered: Bool = true, seed: UInt64 = 1,
         parameters: HNSWParameters = HNSWParameters(connectivity: 12, efConstruction: 100), pool: WorkerPool? = nil) throws {
        self.dimension = dimension
        self.metric = metric
        base = clustered
            ? TestData.clustered(count: count, dimension: dimension, clusters: 20, seed: seed)
            : TestData.uniform(count: count, dimension: dimension, seed: seed)
        index = try HNSWIndex(dimension: dimension, metric: metric, parameters: parameters, capacity: 16)
        try base.withUnsafeBufferPointer { b in
            try index.add(ids: (0..<Int64(count)).map { $0 }, vectors: b, pool: pool)
        }
    }

    /// Mean tie-aware recall@k over `queries` random queries near the data.
    func recall(queries: Int, k: Int, ef: Int, seed: UInt64, filter: ((Int) -> Bool)? = nil) throws -> Double {
        var rng = SplitMix64(seed: seed)
        var total = 0.0
        let n = base.count / dimension
        for _ in 0..<queries {
            let anchor = TestData.row(base, Int.random(in: 0..<n, using: &rng), dimension: dimension)
            let q = anchor.map { $0 + Float.random(in: -0.05...0.05, using: &rng) }
            var bits: Bitset?
            if let filter {
                var b = Bitset(count: index.slotCount)
                for s in 0..<index.slotCount where filter(Int(index.id(atSlot: s))) { b.insert(s) }
                bits = b
            }
            let hits = try index.search(q, k: k, ef: ef, filter: bits)
            let truth = BruteForce.topK(base: base, dimension: dimension, query: q, k: k, metric: metric, allowed: filter)
            total += BruteForce.tieAwareRecall(found: hits.map(\.id), truth: truth, base: base, dimension: dimension, query: q, metric: metric)
        }
        return total / Double(queries)
    }
}
