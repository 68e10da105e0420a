import Foundation
import Runtime
import Synchronization

/// Clean-up steps that must run however a command ends — normal return, a thrown error, or ctrl-C / SIGTERM —
/// so `vecbench compare` never leaves a standalone server or a cluster running. Steps run newest first, each
/// at most once.
final class Teardown: Sendable {
    private struct Step { let id: Int; let name: String; let body: @Sendable () -> Void }
    private let steps = Mutex<[Step]>([])
    private let nextID = Atomic<Int>(0)
    private let handler: SignalHandler?
    /// Held while a step runs, so the main path waits for the signal path's clean-up (and vice versa) instead
    /// of carrying on — e.g. deleting the cluster directory while `cluster.sh down` still needs its pid files.
    private let execution = NSLock()
    private let signalled = Atomic<Bool>(false)

    /// Whether a SIGINT/SIGTERM arrived: the command must not report success or delete its logs.
    var interrupted: Bool { signalled.load(ordering: .sequentiallyConsistent) }

    /// Installs the SIGINT/SIGTERM handler: on a signal, prints a line, runs every step and exits with 130.
    init() {
        handler = try? SignalHandler()
        guard let handler else { return }
        let stream = handler.stream
        Task.detached { [self] in
            for await signal in stream {
                let name = SignalHandler.name(of: signal)
                // Blocking clean-up (cluster.sh down waits for processes) runs on its own thread, not the pool.
                self.signalled.store(true, ordering: .sequentiallyConsistent)
                Thread.detachNewThread {
                    FileHandle.standardError.write(Data("\nvecbench: \(name): stopping the servers…\n".utf8))
                    self.runAll()
                    exit(130)
                }
                break
            }
        }
    }

    /// Registers a step; returns its id for `run(_:)`.
    @discardableResult
    func add(_ name: String, _ body: @escaping @Sendable () -> Void) -> Int {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        steps.withLock { $0.append(Step(id: id, name: name, body: body)) }
        return id
    }

    /// Runs one step now (and forgets it); waits while another thread runs a step.
    func run(_ id: Int) {
        execution.lock()
        defer { execution.unlock() }
        let step = steps.withLock { s -> Step? in
            guard let i = s.firstIndex(where: { $0.id == id }) else { return nil }
            return s.remove(at: i)
        }
        step?.body()
    }

    /// Runs every remaining step, newest first; waits while another thread runs a step.
    func runAll() {
        execution.lock()
        defer { execution.unlock() }
        while let step = steps.withLock({ $0.popLast() }) { step.body() }
    }

    deinit { handler?.cancel() }
}
