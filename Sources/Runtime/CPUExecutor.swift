import Foundation
import Glibc
import Synchronization

/// A Swift `TaskExecutor` backed by dedicated OS threads, for CPU-heavy async work (searches, index builds,
/// batch embedding) that must never occupy Swift's cooperative pool.
///
/// Why: the cooperative pool has one thread per core (two here), and CPU-bound loops on it starve every other
/// task — networking, timers, `Task.sleep` (measured in /work/shared/design/swift-on-linux.md: no ping reply
/// within 2 s). Jobs sent here run on this executor's own threads, optionally at a lower priority (`niceness`)
/// so that request handling always wins the CPU.
///
/// Use it with a task-executor preference:
/// ```swift
/// let cpu = try CPUExecutor(name: "search", threads: 2, niceness: 10)
/// let hits = await withTaskExecutorPreference(cpu) { index.search(query) }   // runs on "search-0"/"search-1"
/// let hits = try await cpu.run { try index.search(query) }                  // the same, shorter
/// Task(executorPreference: cpu) { build() }
/// ```
/// Actor-isolated code still runs on its actor; only nonisolated async code and its synchronous callees follow
/// the preference. Jobs are taken first-in first-out by whichever thread is free; there is no ordering
/// between threads (this is not a `SerialExecutor`).
///
/// Lifetime: threads run until `shutdown()`, which lets them finish every job already enqueued and then
/// joins them. Enqueuing after `shutdown()` is a programming error and stops the process (a dropped job would
/// leave its task suspended forever).
public final class CPUExecutor: TaskExecutor, @unchecked Sendable {
    /// The executor's name; its threads are called `<name>-0`, `<name>-1`, … (truncated to 15 bytes, the
    /// kernel's limit, as `top -H` and /proc show them).
    public let name: String
    /// Number of dedicated threads.
    public let threadCount: Int
    /// Niceness added to each thread's scheduling priority (0 = same as the process, 19 = lowest).
    public let niceness: Int32

    private let cond = NSCondition()
    /// Jobs waiting to run, oldest first; `head` indexes the next one so dequeue is O(1).
    private var queue: [UnownedJob] = []
    private var head = 0
    private var stopping = false
    private var threads: [pthread_t] = []

    /// Starts `threads` dedicated threads.
    /// - Parameters:
    ///   - name: thread-name prefix (keep it short: the kernel keeps 15 bytes of `<name>-<i>`).
    ///   - threads: 1…1024 threads; one per core suits CPU-bound work.
    ///   - niceness: 0…19, added to the process's niceness on each thread (Linux applies it per thread).
    /// - Throws: `RuntimeError.invalidArgument` for an out-of-range count or niceness,
    ///   `RuntimeError.system` if the system cannot create a thread.
    public init(name: String, threads: Int, niceness: Int32 = 0) throws(RuntimeError) {
        guard (1...1024).contains(threads) else {
            throw .invalidArgument("CPUExecutor threads must be 1...1024, got \(threads)")
        }
        guard (0...19).contains(niceness) else {
            throw .invalidArgument("CPUExecutor niceness must be 0...19, got \(niceness)")
        }
        self.name = name
        self.threadCount = threads
        self.niceness = niceness
        for i in 0..<threads {
            let context = ThreadContext(executor: self, name: Self.threadName(name, i))
            let box = Unmanaged.passRetained(context).toOpaque()
            var tid = pthread_t()
            let rc = pthread_create(&tid, nil, { raw in
                let context = Unmanaged<ThreadContext>.fromOpaque(raw!).takeRetainedValue()
                context.executor.threadMain(name: context.name)
                return nil
            }, box)
            guard rc == 0 else {
                Unmanaged<ThreadContext>.fromOpaque(box).release()
                shutdown()
                throw .system(call: "pthread_create", errno: rc)
            }
            cond.lock()
            self.threads.append(tid)
            cond.unlock()
        }
    }

    /// The kernel-visible name of thread `index`: `<name>-<index>`, cut to 15 bytes at a character boundary.
    static func threadName(_ name: String, _ index: Int) -> String {
        let suffix = "-\(index)"  // always kept: it tells the threads apart
        var base = name
        while !base.isEmpty && base.utf8.count + suffix.utf8.count > 15 { base.removeLast() }
        return base + suffix
    }

    private final class ThreadContext {
        let executor: CPUExecutor
        let name: String
        init(executor: CPUExecutor, name: String) {
            self.executor = executor
            self.name = name
        }
    }

    /// Called by the Swift runtime for every job that prefers this executor.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        cond.lock()
        precondition(!stopping, "CPUExecutor '\(name)' received a job after shutdown()")
        queue.append(unowned)
        cond.signal()
        cond.unlock()
    }

    /// Runs the synchronous, CPU-bound `body` on one of this executor's threads and returns its result.
    /// The awaiting task is suspended meanwhile, so no cooperative-pool thread is held.
    public func run<T, E: Error>(_ body: () throws(E) -> T) async throws(E) -> T {
        try await withTaskExecutorPreference(self) { () async throws(E) -> T in try body() }
    }

    /// Lets the threads finish every job already enqueued, then stops and joins them. Idempotent; must not be
    /// called from one of this executor's own threads.
    public func shutdown() {
        cond.lock()
        stopping = true
        cond.broadcast()
        let toJoin = threads
        threads = []
        cond.unlock()
        for t in toJoin { pthread_join(t, nil) }
    }

    /// Jobs enqueued and not yet started (for tests and metrics).
    public var pendingJobs: Int {
        cond.lock()
        defer { cond.unlock() }
        return queue.count - head
    }

    private func threadMain(name: String) {
        setCurrentThreadName(name)
        if niceness != 0 {
            // On Linux `who = 0` with PRIO_PROCESS means the calling thread, not the whole process.
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            errno = 0
            let current = getpriority(which, 0)
            let base = errno == 0 ? current : 0
            _ = setpriority(which, 0, min(19, base + niceness))
        }
        let me = asUnownedTaskExecutor()
        while true {
            cond.lock()
            while head == queue.count && !stopping { cond.wait() }
            if head == queue.count {  // stopping, and nothing left to run
                cond.unlock()
                return
            }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            cond.unlock()
            job.runSynchronously(on: me)
        }
    }
}
