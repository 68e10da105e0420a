import Foundation
import Synchronization
import Testing
import TestSupport
import VecCore
import HNSW

@Suite struct HNSWConcurrencyTests {
    /// Searches run on three threads while a fourth inserts (growing the buffers several times) and deletes:
    /// every result must be an id that was inserted and not deleted before the search began, no search may
    /// fail, and recall afterwards must be high. This is the test behind the concurrency claims in the
    /// `HNSWIndex` doc comment.
    @Test func searchesDuringInsertsAndDeletes() throws {
        let dim = 24, total = 4000
        let data = TestData.clustered(count: total, dimension: dim, clusters: 16, seed: 40)
        let index = try HNSWIndex(dimension: dim, metric: .l2, parameters: HNSWParameters(connectivity: 10, efConstruction: 64), capacity: 64)
        for r in 0..<200 { try index.add(id: Int64(r), vector: TestData.row(data, r, dimension: dim)) }
        let inserted = Atomic<Int>(200)
        let deletedBelow = Atomic<Int>(0)  // ids below this are deleted (0..<100 in order)
        let done = Atomic<Bool>(false)
        let failures = Mutex<[String]>([])
        let searches = Atomic<Int>(0)

        let writer = Thread {
            do {
                for r in 200..<total {
                    try index.add(id: Int64(r), vector: TestData.row(data, r, dimension: dim))
                    inserted.store(r + 1, ordering: .releasing)
                    let next = deletedBelow.load(ordering: .relaxed)
                    if r % 37 == 0, next < 100 {
                        try index.remove(id: Int64(next))
                        deletedBelow.store(next + 1, ordering: .releasing)
                    }
                }
            } catch {
                failures.withLock { $0.append("writer: \(error)") }
            }
            done.store(true, ordering: .releasing)
        }
        writer.start()
        DispatchQueue.concurrentPerform(iterations: 3) { t in
            var rng = SplitMix64(seed: UInt64(t))
            while !done.load(ordering: .acquiring) {
                let upper = inserted.load(ordering: .acquiring)
                let gone = deletedBelow.load(ordering: .acquiring)
                let q = TestData.row(data, Int.random(in: 0..<total, using: &rng), dimension: dim)
                do {
                    let hits = try index.search(q, k: 10, ef: 40)
                    // Ids inserted after `upper` was read may legitimately appear; ids never inserted may not.
                    for h in hits where h.id < 0 || h.id >= Int64(total) || h.id < Int64(gone) {
                        failures.withLock { $0.append("search returned id \(h.id) (inserted \(upper), deleted below \(gone))") }
                    }
                    searches.add(1, ordering: .relaxed)
                } catch {
                    failures.withLock { $0.append("search failed: \(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(5) })")
        #expect(searches.load(ordering: .relaxed) > 50)
        #expect(index.count == total - 100)
        // The graph built under concurrent reads is as good as any.
        var recallSum = 0.0
        for r in stride(from: 150, to: total, by: 97) {
            let q = TestData.row(data, r, dimension: dim)
            let truth = BruteForce.topK(base: data, dimension: dim, query: q, k: 10, metric: .l2, allowed: { $0 >= 100 })
            let hits = try index.search(q, k: 10, ef: 100)
            recallSum += BruteForce.tieAwareRecall(found: hits.map(\.id), truth: truth, base: data, dimension: dim, query: q, metric: .l2)
        }
        #expect(recallSum / Double((150..<total).count / 97 + 1) >= 0.95)
    }

    /// Bulk and single inserts from several threads at once, each forcing growth from a tiny capacity: every
    /// id lands exactly once and is found.
    @Test func concurrentBulkAndSingleInsertsGrowSafely() throws {
        let dim = 12
        let data = TestData.clustered(count: 2400, dimension: dim, clusters: 8, seed: 61)
        let index = try HNSWIndex(dimension: dim, metric: .l2, parameters: HNSWParameters(connectivity: 8, efConstruction: 40), capacity: 2)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            do {
                if t < 2 {
                    // Threads 0 and 1: six bulk batches of 100 rows each, ids t*600 ..< t*600+600.
                    for b in 0..<6 {
                        let first = t * 600 + b * 100
                        let rows = Array(data[(first * dim)..<((first + 100) * dim)])
                        try rows.withUnsafeBufferPointer { try index.add(ids: (first..<(first + 100)).map { Int64($0) }, vectors: $0) }
                    }
                } else {
                    // Threads 2 and 3: single inserts of ids 1200 + (t-2)*600 ..< +600.
                    for r in (1200 + (t - 2) * 600)..<(1800 + (t - 2) * 600) {
                        try index.add(id: Int64(r), vector: TestData.row(data, r, dimension: dim))
                    }
                }
            } catch {
                failures.withLock { $0.append("thread \(t): \(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        #expect(index.count == 2400 && index.slotCount == 2400)
        // Every id is present exactly once, at a slot that maps back to it.
        for r in 0..<2400 {
            guard let slot = index.slot(of: Int64(r)) else { Issue.record("id \(r) missing"); continue }
            #expect(index.id(atSlot: slot) == Int64(r))
        }
        // And findable: the graph is approximate (M 8, efConstruction 40), so a rare self-miss is allowed,
        // but a graph damaged by racing growth would lose far more.
        var found = 0
        let probes = Array(stride(from: 0, to: 2400, by: 7))
        for r in probes where try index.search(TestData.row(data, r, dimension: dim), k: 1, ef: 64)[0].id == Int64(r) {
            found += 1
        }
        #expect(Double(found) >= 0.97 * Double(probes.count), "\(found) of \(probes.count) rows found themselves")
    }

    @Test func concurrentBatchSearchEqualsSequential() throws {
        let pool = WorkerPool(threads: 3)
        defer { pool.shutdown() }
        let f = try Fixture(count: 1000, dimension: 16, metric: .ip, seed: 8)
        let queries = TestData.uniform(count: 50, dimension: 16, seed: 9)
        let batch = try f.index.search(batch: queries, k: 5, ef: 30, pool: pool)
        for i in 0..<50 {
            #expect(batch[i] == (try f.index.search(TestData.row(queries, i, dimension: 16), k: 5, ef: 30)))
        }
    }
}
