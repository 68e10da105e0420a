import Foundation

/// A serial executor that runs its jobs on one dedicated OS thread, outside Swift's cooperative pool.
///
/// The `RootCoord` actor runs on one: its meta-store writes block for an fsync, and blocking one of the
/// pool's two threads (on this machine) would stall every other task in the process. On its own thread the
/// actor may block freely, and its methods never interleave (no suspension points inside a write).
///
/// The thread exits once the executor is released (the actor using it is gone), after running the jobs
/// already queued.
public final class DedicatedThreadExecutor: SerialExecutor, @unchecked Sendable {
    /// Shared with the thread; the thread holds only this, so releasing the executor can stop it.
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var jobs: [UnownedJob] = []
        var stopping = false
        /// Set at the first enqueue (the executor's own reference, unowned: queued jobs keep their actor,
        /// and the actor keeps this executor, alive).
        var executor: UnownedSerialExecutor?
    }

    private let queue = Queue()

    /// Starts the thread, named `name` (visible in debuggers and `top -H`).
    public init(name: String) {
        let queue = self.queue
        let thread = Thread {
            while true {
                queue.condition.lock()
                while queue.jobs.isEmpty && !queue.stopping { queue.condition.wait() }
                if queue.jobs.isEmpty {
                    queue.condition.unlock()
                    return
                }
                let batch = queue.jobs
                queue.jobs.removeAll(keepingCapacity: true)
                let executor = queue.executor
                queue.condition.unlock()
                for job in batch {
                    if let executor { job.runSynchronously(on: executor) }
                }
            }
        }
        thread.name = name
        thread.start()
    }

    deinit {
        queue.condition.lock()
        queue.stopping = true
        queue.condition.signal()
        queue.condition.unlock()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.condition.lock()
        if queue.executor == nil { queue.executor = asUnownedSerialExecutor() }
        queue.jobs.append(unowned)
        queue.condition.signal()
        queue.condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}
