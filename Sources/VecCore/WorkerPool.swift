import Foundation
import Glibc
import Synchronization

/// A fixed set of dedicated OS threads for CPU-heavy loops (index builds, batch searches, flat scans).
///
/// Why not Swift concurrency or Dispatch: the cooperative pool has one thread per core, and CPU-bound loops
/// there (or on Dispatch queues) starve network I/O (measured in docs/performance.md). These threads can also
/// run at a lower priority (`niceness`) so that request handling always wins the CPU.
///
/// One job runs at a time (concurrent callers queue); the calling thread takes part as worker 0, so a pool of
/// `threadCount` uses `threadCount − 1` extra threads. Threads live until `shutdown()`.
public final class WorkerPool: @unchecked Sendable {
    /// Workers that take part in each job, the caller included.
    public let threadCount: Int
    private let cond = NSCondition()
    private let serial = NSLock()
    private var generation = 0
    private var job: ((Int) -> Void)?
    private var remaining = 0
    private var stopping = false

    /// A process-wide pool with one worker per core, at normal priority.
    public static let shared = WorkerPool(threads: ProcessInfo.processInfo.activeProcessorCount)

    /// Starts `threads − 1` threads (at least one worker: the caller).
    /// - Parameter niceness: added to the threads' scheduling niceness (Linux applies it per thread);
    ///   0 keeps the process's priority, 10 yields to everything else.
    public init(threads: Int, niceness: Int32 = 0) {
        threadCount = max(1, threads)
        for w in 1..<threadCount {
            let t = Thread { [self] in workerLoop(w, niceness: niceness) }
            t.name = "vec-worker-\(w)"
            t.start()
        }
    }

    /// Stops the threads after the running job. The pool must not be used afterwards.
    public func shutdown() {
        cond.lock()
        stopping = true
        cond.broadcast()
        cond.unlock()
    }

    private func workerLoop(_ index: Int, niceness: Int32) {
        if niceness != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }
        var seen = 0
        while true {
            cond.lock()
            while generation == seen && !stopping { cond.wait() }
            if stopping {
                cond.unlock()
                return
            }
            seen = generation
            var body = job
            cond.unlock()
            body!(index)
            // Drop the reference before reporting completion: `runOnAll` checks that the (non-escaping)
            // job closure is no longer referenced once every worker has reported.
            body = nil
            cond.lock()
            remaining -= 1
            if remaining == 0 { cond.broadcast() }
            cond.unlock()
        }
    }

    /// Runs `body(worker)` once on every worker (`0..<threadCount`, the caller is 0) and returns when all
    /// have finished.
    public func runOnAll(_ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            serial.lock()
            defer { serial.unlock() }
            if threadCount == 1 {
                body(0)
                return
            }
            cond.lock()
            job = body
            remaining = threadCount - 1
            generation += 1
            cond.broadcast()
            cond.unlock()
            body(0)
            cond.lock()
            while remaining > 0 { cond.wait() }
            job = nil
            cond.unlock()
        }
    }

    /// Like `parallelFor`, for short jobs that must never wait for the pool: when the work is a single chunk,
    /// or another job (an index build, a batch search) holds the pool, the caller runs every chunk itself at
    /// once instead of queueing behind it; otherwise the pool's workers share the chunks.
    ///
    /// Why: a shard's searches are a few (segment, query) pairs each. Queued on the shard's pool, concurrent
    /// searches ran one at a time per shard, each paying a wake-up of the workers, and all of them waited
    /// behind a seal's index build. Callers that arrive concurrently are themselves on dedicated threads
    /// (the query node's CPU executor), so running inline keeps every core busy without the queue.
    /// The body gets no worker index: it must not use per-worker state.
    public func parallelForIfIdle(_ count: Int, chunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let step = max(1, chunk)
        if count <= step || threadCount == 1 || !serial.try() {
            body(0..<count)
            return
        }
        serial.unlock()
        // The pool looked idle; `parallelFor` queues if another caller took it in between (rare, and short).
        parallelFor(count, chunk: step) { range, _ in body(range) }
    }

    /// Splits `0..<count` into chunks of `chunk` items handed out dynamically to the workers, and calls
    /// `body(range, worker)` for each. Returns when every chunk is done.
    public func parallelFor(_ count: Int, chunk: Int = 1, _ body: (Range<Int>, Int) -> Void) {
        guard count > 0 else { return }
        let step = max(1, chunk)
        let next = AtomicCounter()
        runOnAll { worker in
            while true {
                let start = next.fetchAdd(step)
                if start >= count { break }
                body(start..<min(count, start + step), worker)
            }
        }
    }
}

/// A shared integer counter (a class so closures can capture it).
final class AtomicCounter: Sendable {
    private let value = Atomic<Int>(0)
    func fetchAdd(_ n: Int) -> Int { value.wrappingAdd(n, ordering: .relaxed).oldValue }
}
