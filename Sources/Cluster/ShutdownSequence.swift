import Runtime
import Synchronization

/// The steps that undo a start, run in reverse order of registration, once.
///
/// A role registers a step right after each thing it starts (open the store → close it; listen → stop
/// listening; register the session → deregister), so stopping — or cleaning up after a start that failed
/// halfway — undoes exactly what was done, newest first: deregister, stop HTTP, stop the wire listener,
/// close the store.
final class ShutdownSequence: Sendable {
    private struct Step: Sendable {
        let name: String
        let run: @Sendable () async -> Void
    }

    private let steps = Mutex<[Step]>([])
    private let log: Logger

    init(log: Logger) { self.log = log }

    /// Adds a step that runs before every step added earlier.
    func add(_ name: String, _ run: @escaping @Sendable () async -> Void) {
        steps.withLock { $0.append(Step(name: name, run: run)) }
    }

    /// Runs every step, newest first; later calls find nothing left to do.
    func run() async {
        let all = steps.withLock { s -> [Step] in
            defer { s.removeAll() }
            return s
        }
        for step in all.reversed() {
            let start = ContinuousClock.now
            await step.run()
            log.debug("stopped", ["step": step.name, "took_ms": (ContinuousClock.now - start).milliseconds])
        }
    }
}

extension Duration {
    /// Whole milliseconds, for log fields.
    var milliseconds: Int64 {
        let c = components
        return c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
    }
}
