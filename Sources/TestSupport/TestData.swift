import Foundation
import VecCore

/// Generated vector sets for tests: row-major `[Float]` of `count × dimension`.
public enum TestData {
    /// Components uniform in [-1, 1).
    public static func uniform(count: Int, dimension: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<(count * dimension)).map { _ in Float.random(in: -1..<1, using: &rng) }
    }

    /// Gaussian clusters: `clusters` centres uniform in [-1, 1)^d, points at distance ~`spread` around them —
    /// closer to real embeddings than uniform data.
    public static func clustered(count: Int, dimension: Int, clusters: Int, spread: Float = 0.15, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        let centres = (0..<(clusters * dimension)).map { _ in Float.random(in: -1..<1, using: &rng) }
        var out = [Float](repeating: 0, count: count * dimension)
        let scale = spread / Float(dimension).squareRoot()
        for i in 0..<count {
            let c = Int.random(in: 0..<clusters, using: &rng)
            for j in 0..<dimension { out[i * dimension + j] = centres[c * dimension + j] + rng.gaussian() * scale * 3 }
        }
        return out
    }

    /// Row `i` of a row-major matrix.
    public static func row(_ m: [Float], _ i: Int, dimension: Int) -> [Float] {
        Array(m[(i * dimension)..<((i + 1) * dimension)])
    }
}

/// The exact answer, computed the slow, obvious way in Double precision: the oracle approximate indexes are
/// checked against.
public enum BruteForce {
    /// Distance as the engine defines it (see `Metric`), in Double.
    public static func distance(_ a: [Float], _ b: [Float], metric: Metric) -> Double {
        switch metric {
        case .l2:
            return zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        case .ip:
            return 1 - zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        case .cosine:
            let na = a.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let nb = b.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            return 1 - zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } / (na * nb)
        }
    }

    /// The `k` nearest of `allowed` rows (all when nil) to `query`: (row, distance), closest first, ties by row.
    public static func topK(base: [Float], dimension: Int, query: [Float], k: Int, metric: Metric,
                            allowed: ((Int) -> Bool)? = nil) -> [(row: Int, distance: Double)] {
        let n = base.count / dimension
        var all: [(row: Int, distance: Double)] = []
        for r in 0..<n where allowed?(r) ?? true {
            all.append((r, distance(TestData.row(base, r, dimension: dimension), query, metric: metric)))
        }
        all.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.row < $1.row) }
        return Array(all.prefix(k))
    }

    /// Recall that is fair to ties: a returned id counts as a hit when its exact distance is within
    /// `tolerance` of the k-th true distance or better — so an index that returns another member of a tie
    /// is not penalised.
    public static func tieAwareRecall(found: [Int64], truth: [(row: Int, distance: Double)], base: [Float],
                                      dimension: Int, query: [Float], metric: Metric, tolerance: Double = 1e-4) -> Double {
        guard let kth = truth.last?.distance, !truth.isEmpty else { return found.isEmpty ? 1 : 0 }
        var hits = 0
        for id in found.prefix(truth.count) {
            let d = distance(TestData.row(base, Int(id), dimension: dimension), query, metric: metric)
            if d <= kth + tolerance * max(1, abs(kth)) { hits += 1 }
        }
        return Double(hits) / Double(truth.count)
    }
}

/// Paths to the shared datasets, for tests on real embeddings: `$VECNODE_DATASETS` when set, else
/// `../shared/datasets` next to the repository.
public enum SharedDatasets {
    /// The datasets directory tests look in (it may not exist).
    public static var root: String {
        if let env = ProcessInfo.processInfo.environment["VECNODE_DATASETS"], !env.isEmpty { return env }
        let here = URL(fileURLWithPath: #filePath)  // …/Sources/TestSupport/TestData.swift
        let repo = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/datasets").path
    }

    /// The pypi-minilm-100k directory, or nil when it is not present.
    public static var minilm100k: String? {
        let dir = root + "/pypi-minilm-100k"
        return FileManager.default.fileExists(atPath: dir + "/base.f16bin") ? dir : nil
    }
}
