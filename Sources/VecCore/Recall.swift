/// Recall of approximate results against exact ground truth.
public enum Recall {
    /// Mean over queries of |found[:k] ∩ truth[:k]| / k.
    /// - Parameters:
    ///   - found: per query, the returned ids, best first.
    ///   - truth: per query, the exact ids, best first (at least `k` each).
    public static func atK(_ k: Int, found: [[Int64]], truth: [[Int64]]) -> Double {
        precondition(found.count == truth.count, "found and truth cover different query counts")
        guard !found.isEmpty else { return 0 }
        var hits = 0
        for (f, t) in zip(found, truth) {
            let want = Set(t.prefix(k))
            hits += f.prefix(k).reduce(0) { $0 + (want.contains($1) ? 1 : 0) }
        }
        return Double(hits) / Double(k * found.count)
    }
}
