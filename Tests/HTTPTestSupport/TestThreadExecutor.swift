import Dispatch
import Net
import Synchronization

/// A `TaskExecutor` backed by one dedicated OS thread — what a CPU-heavy handler would use — so tests
/// whose clients block a cooperative thread can never starve the handlers.
public final class TestThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = Mutex<[UnownedJob]>([])
    /// Jobs run so far (lets tests check that handlers really ran here).
    public let jobsRun = Atomic<Int>(0)
    private let ready = DispatchSemaphore(value: 0)
    private var thread: OSThread?

    public init(name: String) {
        thread = try! OSThread(name: name) { [unowned self] in
            while true {
                ready.wait()
                let job = queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                if let job {
                    jobsRun.add(1, ordering: .relaxed)
                    job.runSynchronously(on: asUnownedTaskExecutor())
                }
            }
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let j = UnownedJob(job)
        queue.withLock { $0.append(j) }
        ready.signal()
    }

    /// One executor for the whole test process (its thread lives as long as the process).
    public static let shared = TestThreadExecutor(name: "test-handlers")
    /// A second executor standing in for the search threads of CPU-heavy handlers.
    public static let cpu = TestThreadExecutor(name: "test-cpu")
}
