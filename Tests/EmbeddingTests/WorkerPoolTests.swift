import Foundation
import Synchronization
import Testing
@testable import Embedding

@Suite struct WorkerPoolTests {
    final class Counter: Sendable {
        let calls = Atomic<Int>(0)
        let seen = Mutex<Set<Int>>([])
        let threads = Mutex<Set<UInt>>([])
    }

    @Test func runsTheJobOnceOnEveryWorkerThread() {
        let pool = WorkerPool(threads: 3)
        defer { pool.shutdown() }
        let c = Counter()
        for _ in 0..<50 {
            pool.run { index in
                c.calls.add(1, ordering: .relaxed)
                c.seen.withLock { _ = $0.insert(index) }
                c.threads.withLock { _ = $0.insert(UInt(pthread_self())) }
            }
        }
        #expect(c.calls.load(ordering: .relaxed) == 150)
        #expect(c.seen.withLock { $0 } == [0, 1, 2])
        // Three distinct dedicated threads, none of them the caller.
        let threads = c.threads.withLock { $0 }
        #expect(threads.count == 3)
        #expect(!threads.contains(UInt(pthread_self())))
    }

    @Test func concurrentRunsAreSerialised() {
        let pool = WorkerPool(threads: 2)
        defer { pool.shutdown() }
        let active = Atomic<Int>(0)
        let maxActive = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<20 {
                pool.run { _ in
                    let now = active.add(1, ordering: .relaxed).newValue
                    _ = maxActive.max(now, ordering: .relaxed)
                    usleep(100)
                    active.subtract(1, ordering: .relaxed)
                }
            }
        }
        // Two workers of one job at a time, never four.
        #expect(maxActive.load(ordering: .relaxed) <= 2)
    }
}
