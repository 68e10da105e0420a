import Synchronization
import Testing
import VecCore

@Suite struct WorkerPoolTests {
    final class Counts: @unchecked Sendable {
        var hits: [Int]
        init(_ n: Int) { hits = Array(repeating: 0, count: n) }
    }

    @Test func parallelForVisitsEveryIndexExactlyOnce() {
        let pool = WorkerPool(threads: 4)
        defer { pool.shutdown() }
        for (n, chunk) in [(0, 1), (1, 1), (1000, 1), (1000, 7), (5, 100)] {
            let counts = Counts(n)
            let lock = Mutex(0)
            pool.parallelFor(n, chunk: chunk) { range, _ in
                for i in range { lock.withLock { _ in counts.hits[i] += 1 } }
            }
            #expect(counts.hits.allSatisfy { $0 == 1 }, "n=\(n) chunk=\(chunk)")
        }
    }

    @Test func runOnAllUsesEveryWorker() {
        let pool = WorkerPool(threads: 3)
        defer { pool.shutdown() }
        let seen = Mutex(Set<Int>())
        pool.runOnAll { w in seen.withLock { _ = $0.insert(w) } }
        #expect(seen.withLock { $0 } == [0, 1, 2])
    }
}
