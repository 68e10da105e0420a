@testable import Proxy
import TestSupport
import Testing

@Suite struct SearchMergeTests {
    /// Random per-shard sorted lists for 3 queries; the merge equals sorting everything.
    static func replies(shards: Int, perShard: Int, seed: UInt64) -> [SearchMerge.ShardHits] {
        var rng = SplitMix64(seed: seed)
        return (0..<shards).map { _ in
            var distances: [Float] = []
            var topks: [Int] = []
            for _ in 0..<3 {
                let n = Int(rng.next() % UInt64(perShard + 1))
                topks.append(n)
                distances += (0..<n).map { _ in Float(rng.next() % 10_000) / 100 }.sorted()
            }
            return SearchMerge.ShardHits(topks: topks, distances: distances, scores: distances)
        }
    }

    @Test func mergeEqualsSortingAllHits() {
        for seed in 1...20 as ClosedRange<UInt64> {
            let replies = Self.replies(shards: 4, perShard: 12, seed: seed)
            for q in 0..<3 {
                var all: [(Float, Int, Int)] = []
                for (s, r) in replies.enumerated() {
                    for i in 0..<r.topks[q] { all.append((r.distances[r.starts[q] + i], s, r.starts[q] + i)) }
                }
                all.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
                for (offset, limit) in [(0, 5), (3, 4), (0, 100), (40, 10)] {
                    let got = SearchMerge.merge(replies, query: q, offset: offset, limit: limit)
                    let want = all.dropFirst(offset).prefix(limit).map { SearchMerge.Pick(shard: $0.1, hit: $0.2) }
                    #expect(got == Array(want), "seed \(seed) q \(q) offset \(offset) limit \(limit)")
                }
            }
        }
    }

    @Test func rangeKeepsOnlyScoresInsideTheBounds() {
        let a = SearchMerge.ShardHits(topks: [4], distances: [1, 2, 3, 4], scores: [1, 2, 3, 4])
        let b = SearchMerge.ShardHits(topks: [3], distances: [1.5, 2.5, 5], scores: [1.5, 2.5, 5])
        let l2 = SearchMerge.Range(radius: 4, rangeFilter: 2, smallerIsBetter: true)
        let got = SearchMerge.merge([a, b], query: 0, offset: 0, limit: 10, range: l2).map { [a, b][$0.shard].scores[$0.hit] }
        #expect(got == [2, 2.5, 3])
        // IP: larger is better; internal distances are negated similarities.
        let ip = SearchMerge.ShardHits(topks: [4], distances: [-0.9, -0.7, -0.5, -0.1], scores: [0.9, 0.7, 0.5, 0.1])
        let r = SearchMerge.Range(radius: 0.2, rangeFilter: 0.8, smallerIsBetter: false)
        #expect(SearchMerge.merge([ip], query: 0, offset: 0, limit: 10, range: r).map { ip.scores[$0.hit] } == [0.7, 0.5])
    }

    @Test func groupingKeepsGroupSizeHitsOfTheFirstGroups() {
        // Hits in distance order with groups A A B A C B C D.
        let groups = ["A", "A", "B", "A", "C", "B", "C", "D"]
        let h = SearchMerge.ShardHits(topks: [8], distances: (0..<8).map(Float.init), scores: (0..<8).map(Float.init))
        let key: (SearchMerge.Pick) -> String = { groups[$0.hit] }
        let two = SearchMerge.merge([h], query: 0, offset: 0, limit: 2, group: key, groupSize: 2).map(\.hit)
        #expect(two == [0, 1, 2, 5])  // A A B B
        let skipOne = SearchMerge.merge([h], query: 0, offset: 1, limit: 2, group: key, groupSize: 1).map(\.hit)
        #expect(skipOne == [2, 4])  // B C
    }
}
