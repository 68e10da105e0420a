import Foundation

/// A fixed set of dedicated OS threads that run one parallel job at a time.
///
/// Embedding is CPU-bound for milliseconds to seconds; running it on Swift's cooperative pool (one thread
/// per core) would starve every other task in the process, so batches run here instead. `run` hands the
/// same closure to every worker (each gets its index, and typically pulls work items from a shared
/// counter) and blocks the caller until all have returned. Concurrent `run` calls are serialised.
final class WorkerPool: @unchecked Sendable {
    let threadCount: Int
    private let condition = NSCondition()
    private let serial = NSLock()
    // Guarded by `condition`:
    private var job: (@Sendable (Int) -> Void)?
    private var generation = 0
    private var remaining = 0
    private var shuttingDown = false

    /// Starts `threads` workers (at least 1), named `vecnode-embed-<i>`.
    init(threads: Int) {
        threadCount = max(1, threads)
        for index in 0..<threadCount {
            // Workers hold the pool strongly until `shutdown()`, so it outlives every thread that uses it.
            let t = Thread { self.workerLoop(index) }
            t.name = "vecnode-embed-\(index)"
            t.stackSize = 1 << 20
            t.start()
        }
    }

    /// Runs `body(workerIndex)` once on every worker and returns when all are done.
    func run(_ body: @escaping @Sendable (Int) -> Void) {
        serial.lock()
        defer { serial.unlock() }
        condition.lock()
        job = body
        remaining = threadCount
        generation &+= 1
        condition.broadcast()
        while remaining > 0 { condition.wait() }
        job = nil
        condition.unlock()
    }

    /// Stops the workers once they finish; the pool cannot be used afterwards. Called by the owner's deinit.
    func shutdown() {
        condition.lock()
        shuttingDown = true
        condition.broadcast()
        condition.unlock()
    }

    private func workerLoop(_ index: Int) {
        var seen = 0
        while true {
            condition.lock()
            while generation == seen && !shuttingDown { condition.wait() }
            if shuttingDown { condition.unlock(); return }
            seen = generation
            let body = job!
            condition.unlock()
            body(index)
            condition.lock()
            remaining -= 1
            if remaining == 0 { condition.broadcast() }
            condition.unlock()
        }
    }
}
