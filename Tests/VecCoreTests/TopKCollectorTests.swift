import Testing
import TestSupport
import VecCore

@Suite struct TopKCollectorTests {
    @Test func keepsTheKBestInOrderWithIdTieBreak() {
        var c = TopKCollector(k: 3)
        for (id, d) in [(5, 0.5), (1, 0.1), (9, 0.1), (3, 0.9), (2, 0.1), (7, 0.05)] as [(Int64, Float)] {
            c.offer(id: id, distance: d)
        }
        #expect(c.sorted() == [SearchHit(id: 7, distance: 0.05), SearchHit(id: 1, distance: 0.1), SearchHit(id: 2, distance: 0.1)])
        #expect(c.threshold == 0.1)
    }

    @Test func fewerThanKOffers() {
        var c = TopKCollector(k: 10)
        c.offer(id: 4, distance: 1)
        c.offer(id: 2, distance: 1)
        #expect(c.sorted().map(\.id) == [2, 4])
        #expect(c.threshold == .infinity)
    }

    @Test func matchesFullSortOnRandomInput() {
        var rng = SplitMix64(seed: 42)
        for trial in 0..<50 {
            let k = Int.random(in: 1...20, using: &rng)
            let hits = (0..<200).map { i in SearchHit(id: Int64(i), distance: Float(Int.random(in: 0..<50, using: &rng))) }
            var c = TopKCollector(k: k)
            for h in hits.shuffled(using: &rng) { c.offer(id: h.id, distance: h.distance) }
            #expect(c.sorted() == Array(hits.sorted(by: SearchHit.precedes).prefix(k)), "trial \(trial)")
        }
    }

    @Test func mergeEqualsSingleCollector() {
        var a = TopKCollector(k: 5), b = TopKCollector(k: 5), all = TopKCollector(k: 5)
        for i in 0..<40 {
            let d = Float((i * 7919) % 97)
            if i % 2 == 0 { a.offer(id: Int64(i), distance: d) } else { b.offer(id: Int64(i), distance: d) }
            all.offer(id: Int64(i), distance: d)
        }
        a.merge(b)
        #expect(a.sorted() == all.sorted())
    }
}
