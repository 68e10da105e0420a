import Shard

/// Merging per-shard search replies into the collection's answer, plus the post-processing shards do not
/// do natively (range search, grouping).
///
/// Each shard returns its own top `k` per query (`k = offset + limit`, more for range filters and
/// grouping). The merge walks all shards' hits of one query in ascending internal distance (ties: lower
/// shard, then earlier hit), so for an exact (FLAT) index the result equals a single-shard collection's.
enum SearchMerge {
    /// One shard's reply to a search: flat hits with `topks[q]` per query, and where query `q` starts.
    struct ShardHits: Sendable {
        let topks: [Int]
        let starts: [Int]
        let distances: [Float]
        let scores: [Float]

        init(topks: [Int], distances: [Float], scores: [Float]) {
            self.topks = topks
            var starts: [Int] = []
            starts.reserveCapacity(topks.count)
            var at = 0
            for t in topks {
                starts.append(at)
                at += t
            }
            self.starts = starts
            self.distances = distances
            self.scores = scores
        }
    }

    /// A hit in the merged order: which shard reply, and the hit's index in that reply's flat arrays.
    struct Pick: Equatable, Sendable {
        let shard: Int
        let hit: Int
    }

    /// Range search bounds in Milvus's score space: L2 keeps `rangeFilter ≤ score < radius`; IP and COSINE
    /// keep `radius < score ≤ rangeFilter`.
    struct Range: Sendable {
        let radius: Float
        let rangeFilter: Float?
        let smallerIsBetter: Bool

        func contains(_ score: Float) -> Bool {
            if smallerIsBetter { return score < radius && (rangeFilter.map { score >= $0 } ?? true) }
            return score > radius && (rangeFilter.map { score <= $0 } ?? true)
        }
    }

    /// The hits of query `q`, merged across `replies`, filtered by `range`, grouped by `group` (the group key
    /// of a pick; at most `groupSize` hits per group, `limit` groups after skipping `offset` groups), and
    /// otherwise cut to `[offset, offset + limit)`.
    static func merge(_ replies: [ShardHits], query q: Int, offset: Int, limit: Int, range: Range? = nil,
                      group: ((Pick) -> String)? = nil, groupSize: Int = 1) -> [Pick] {
        var cursor = [Int](repeating: 0, count: replies.count)
        var out: [Pick] = []
        out.reserveCapacity(group == nil ? limit : limit * groupSize)
        var skipped = 0
        var groupOrder: [String: Int] = [:]
        var groupCounts: [Int] = []
        while true {
            // The nearest head among the shards (linear in the shard count, ≤ 16).
            var best = -1
            var bestDistance = Float.infinity
            for s in replies.indices where q < replies[s].topks.count && cursor[s] < replies[s].topks[q] {
                let d = replies[s].distances[replies[s].starts[q] + cursor[s]]
                if best < 0 || d < bestDistance {
                    best = s
                    bestDistance = d
                }
            }
            guard best >= 0 else { break }
            let pick = Pick(shard: best, hit: replies[best].starts[q] + cursor[best])
            cursor[best] += 1
            if let range, !range.contains(replies[best].scores[pick.hit]) { continue }
            if let group {
                let key = group(pick)
                let g: Int
                if let known = groupOrder[key] {
                    g = known
                } else {
                    guard groupCounts.count < offset + limit else { continue }
                    g = groupCounts.count
                    groupOrder[key] = g
                    groupCounts.append(0)
                }
                guard groupCounts[g] < groupSize else { continue }
                groupCounts[g] += 1
                if g >= offset { out.append(pick) }
            } else {
                if skipped < offset {
                    skipped += 1
                    continue
                }
                out.append(pick)
                if out.count == limit { break }
            }
        }
        return out
    }
}
