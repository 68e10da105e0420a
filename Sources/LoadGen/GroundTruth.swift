/// Exact nearest-neighbour ids per query (a big-ann `.ibin` ground-truth file), for recall@k of the replies.
public struct GroundTruth: Sendable {
    /// Ids per query row.
    public let columns: Int
    private let ids: [Int32]

    /// Number of query rows covered.
    public var rows: Int { columns == 0 ? 0 : ids.count / columns }

    /// - Throws: `LoadError.invalidConfiguration` when `ids` is not `rows × columns`.
    public init(ids: [Int32], columns: Int) throws(LoadError) {
        guard columns >= 1, !ids.isEmpty, ids.count % columns == 0 else {
            throw .invalidConfiguration("ground truth: \(ids.count) ids is not a non-empty multiple of \(columns) columns")
        }
        self.ids = ids
        self.columns = columns
    }

    /// |found[:k] ∩ truth[row][:k]| — how many of the first `k` returned ids are among the true top `k`.
    /// - Precondition: `row < rows`, `k ≤ columns`.
    public func hits(row: Int, k: Int, found: [Int64]) -> Int {
        precondition(row < rows && k <= columns)
        let base = row * columns
        var n = 0
        var used = [Bool](repeating: false, count: k)   // a duplicated returned id counts once
        for f in found.prefix(k) {
            for j in 0..<k where !used[j] && Int64(ids[base + j]) == f {
                used[j] = true
                n += 1
                break
            }
        }
        return n
    }
}
