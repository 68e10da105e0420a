import Synchronization

/// The shared tally of one run: every client thread records into it (one short lock per request), the
/// progress thread reads snapshots from it, and the runner turns it into a `LoadRunResult`.
final class RunRecorder: Sendable {
    struct State: ~Copyable {
        var latency: LatencyHistogram
        var service: LatencyHistogram
        var succeeded: UInt64 = 0
        var failures: [RequestFailure: UInt64] = [:]
        var recallHits = 0
        var recallQueries = 0
        var connections = 0
    }
    private let state: Mutex<State>
    let timeline: LoadTimeline

    init(timeline: LoadTimeline) {
        self.timeline = timeline
        let h = try! LatencyHistogram()   // default layout is valid by construction
        state = Mutex(State(latency: h, service: h))
    }

    /// A successful search: `latency` is what the report shows, `service` the actual send → reply time.
    func success(completedAt: UInt64, latency: UInt64, service: UInt64, recallHits: Int?) {
        state.withLock { s in
            s.latency.record(latency)
            s.service.record(service)
            s.succeeded += 1
            if let h = recallHits {
                s.recallHits += h
                s.recallQueries += 1
            }
        }
        timeline.recordSuccess(completedAt: completedAt, latency: latency)
    }

    /// A failed search; `at` is when it was sent (the timeline shows it in that second).
    func failure(_ kind: RequestFailure, at: UInt64) {
        state.withLock { $0.failures[kind, default: 0] += 1 }
        timeline.recordFailure(at: at)
    }

    func addConnections(_ n: Int) { state.withLock { $0.connections += n } }

    /// (succeeded, failed, p99 ns) so far, for the progress line.
    func progress() -> (UInt64, UInt64, UInt64) {
        state.withLock { s in (s.succeeded, s.failures.values.reduce(0, +), s.latency.value(atPercentile: 99)) }
    }

    /// Everything recorded, as a result (mode-specific fields filled in by the caller).
    func result(mode: LoadConfiguration.Mode, concurrency: Int, elapsed: Double, k: Int) -> LoadRunResult {
        state.withLock { s in
            var isOpen = false
            if case .openLoop = mode { isOpen = true }
            return LoadRunResult(
                mode: mode, concurrency: concurrency, elapsedSeconds: elapsed, succeeded: s.succeeded, failures: s.failures,
                latency: s.latency, serviceTime: isOpen ? s.service : nil,
                recall: s.recallQueries > 0 ? Double(s.recallHits) / Double(s.recallQueries * k) : nil,
                connections: s.connections, timelineStart: 0, timelineEnd: 0, insert: nil)
        }
    }
}
