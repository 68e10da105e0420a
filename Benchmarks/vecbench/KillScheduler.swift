import Foundation
import LoadGen
import Net
import Synchronization

/// Carries out `--kill ROLE-N@SECONDS` during a load: on its own thread, at each kill time `scripts/cluster.sh
/// kill NAME`, then `restart NAME` after the restart delay, marking both on the load's timeline (red and green
/// lines on the plot). `finish()` performs any restart still pending (the cluster is never left with a process
/// down) and returns what happened, for `KillImpact.analyse`.
final class KillScheduler: Sendable {
    /// One kill as it happened; times are timeline seconds at which `cluster.sh kill` / `restart` was invoked
    /// (the script then confirms the death, which can take a second or two on a loaded machine; the restart
    /// delay counts from that confirmation).
    struct Event: Sendable {
        var process: String
        var killedAt: Double?
        var restartedAt: Double?
        /// Why the kill or restart failed (nil: both worked).
        var error: String?
    }

    private let kills: [KillSpec]
    private let restartAfter: Double
    private let cluster: ClusterScript
    private let timeline: LoadTimeline
    private let stop = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let events = Mutex<[Event]>([])
    private let thread = Mutex<OSThread?>(nil)

    init(kills: [KillSpec], restartAfter: Double, cluster: ClusterScript, timeline: LoadTimeline) {
        self.kills = kills.sorted { $0.seconds < $1.seconds }
        self.restartAfter = restartAfter
        self.cluster = cluster
        self.timeline = timeline
        events.withLock { e in e = self.kills.map { Event(process: $0.process) } }
    }

    /// Starts the thread; kill times count from `loadStart` (monotonic ns).
    func start(loadStart: UInt64) throws {
        guard !kills.isEmpty else { return }
        let t = try OSThread(name: "load-kills") { [self] in self.loop(loadStart: loadStart) }
        thread.withLock { $0 = t }
    }

    /// Stops scheduling further kills, restarts any process still down, and returns the events.
    func finish() -> [Event] {
        stop.store(true, ordering: .sequentiallyConsistent)
        wake.signal()
        if let t = thread.withLock({ $0 }) { t.join() }
        return events.withLock { $0 }
    }

    private enum Action { case kill, restart }

    private func loop(loadStart: UInt64) {
        // Kills are due at fixed times; each restart is due `restartAfter` after its kill has completed.
        var pending: [(due: UInt64, index: Int, action: Action)] = kills.enumerated().map {
            (loadStart + UInt64($0.element.seconds * 1e9), $0.offset, .kill)
        }
        while !pending.isEmpty {
            pending.sort { $0.due < $1.due }
            let a = pending.removeFirst()
            let stopping = waitUntil(a.due)
            let process = kills[a.index].process
            switch a.action {
            case .kill:
                if stopping { continue }         // the load is over: no new faults
                let issued = monotonicNanoseconds()
                do {
                    try cluster.kill(process)
                    let done = monotonicNanoseconds()
                    timeline.addMark("kill \(process)", at: issued, kind: .kill)
                    events.withLock { $0[a.index].killedAt = timeline.seconds(at: issued) }
                    pending.append((done + UInt64(restartAfter * 1e9), a.index, .restart))
                } catch {
                    events.withLock { $0[a.index].error = "kill: \(error)" }
                }
            case .restart:
                let issued = monotonicNanoseconds()
                do {
                    try cluster.restart(process)
                    timeline.addMark("restart \(process)", at: issued, kind: .restart)
                    events.withLock { $0[a.index].restartedAt = timeline.seconds(at: issued) }
                } catch {
                    events.withLock { $0[a.index].error = "restart: \(error)" }
                }
            }
        }
    }

    /// Sleeps until `due` (monotonic ns) or until `finish()`; returns whether the scheduler is stopping.
    private func waitUntil(_ due: UInt64) -> Bool {
        while !stop.load(ordering: .sequentiallyConsistent) {
            let now = monotonicNanoseconds()
            if now >= due { return false }
            _ = wake.wait(timeout: .now() + .nanoseconds(Int(min(due - now, 500_000_000))))
        }
        return true
    }
}

extension KillScheduler {
    /// The impact of each kill that happened, from the timeline and the runs. Failed kills are left out (the
    /// caller reports their errors).
    static func analyse(_ events: [Event], runs: [LoadRunResult], timeline: LoadTimeline, restartAfter: Double) -> [KillImpact] {
        let buckets = timeline.buckets
        let spans = runs.map { (start: $0.timelineStart, end: $0.timelineEnd) }
        return events.compactMap { e -> KillImpact? in
            guard let killedAt = e.killedAt else { return nil }
            return KillImpact.analyse(process: e.process, buckets: buckets, runs: spans, killedAt: killedAt,
                                      restartedAt: e.restartedAt, restartDelay: restartAfter)
        }
    }
}
