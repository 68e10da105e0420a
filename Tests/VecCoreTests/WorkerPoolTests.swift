import Foundation
import Glibc
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

    @Test func parallelForIfIdleVisitsEveryIndexExactlyOnce() {
        let pool = WorkerPool(threads: 3)
        defer { pool.shutdown() }
        for (n, chunk) in [(0, 1), (1, 1), (2, 1), (1000, 7)] {
            let counts = Counts(n)
            let lock = Mutex(0)
            pool.parallelForIfIdle(n, chunk: chunk) { range in
                for i in range { lock.withLock { _ in counts.hits[i] += 1 } }
            }
            #expect(counts.hits.allSatisfy { $0 == 1 }, "n=\(n) chunk=\(chunk)")
        }
    }

    /// While another job holds the pool, a short job runs on the caller at once instead of queueing behind it
    /// (with `parallelFor` this test would wait until the blocker is released, and time out).
    @Test func parallelForIfIdleDoesNotWaitForABusyPool() {
        let pool = WorkerPool(threads: 2)
        defer { pool.shutdown() }
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let blockerDone = DispatchSemaphore(value: 0)
        Thread {
            pool.runOnAll { w in
                if w == 0 { started.signal() }
                release.wait()
            }
            blockerDone.signal()
        }.start()
        started.wait()
        let done = DispatchSemaphore(value: 0)
        let caller = Mutex<pthread_t>(0)
        let ranOn = Mutex<[(onCaller: Bool, range: Range<Int>)]>([])
        Thread {
            caller.withLock { $0 = pthread_self() }
            pool.parallelForIfIdle(100, chunk: 10) { range in
                let me = pthread_self()
                ranOn.withLock { $0.append((me == caller.withLock { $0 }, range)) }
            }
            done.signal()
        }.start()
        let finished = done.wait(timeout: .now() + 5) == .success
        #expect(finished, "parallelForIfIdle waited for the busy pool")
        // One call on the caller's thread covering every index.
        let calls = ranOn.withLock { $0 }
        #expect(calls.count == 1 && calls.first?.onCaller == true && calls.first?.range == 0..<100)
        release.signal()
        release.signal()
        _ = blockerDone.wait(timeout: .now() + 5)
        if !finished { _ = done.wait(timeout: .now() + 5) }
    }
}
