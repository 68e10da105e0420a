import Dispatch
import HTTP
import Net
import Synchronization

/// Drives one server with a `SearchWorkload`: closed or open loop, an optional insert stream, a progress
/// line, and everything recorded into a `LoadRunResult` and the shared `LoadTimeline`.
///
/// Threads: one dedicated OS thread per client connection (HTTP's blocking keep-alive `HTTPClientConnection`,
/// never on Swift's cooperative pool), one for the insert stream, one for progress lines. `run` blocks the caller until the
/// run is over; call it from a plain thread (the CLI's main thread), not from an async task.
///
/// ```swift
/// let runner = try LoadRunner(workload: w, groundTruth: gt, timeline: LoadTimeline())
/// var c = LoadConfiguration(); c.concurrency = 64; c.duration = 30
/// let result = try runner.run(c)
/// ```
public final class LoadRunner: Sendable {
    public let workload: SearchWorkload
    public let groundTruth: GroundTruth?
    public let insertWorkload: InsertWorkload?
    /// Where this runner's runs are recorded second by second; add marks to it from any thread.
    public let timeline: LoadTimeline
    private let target: LoadTarget

    /// - Throws: `LoadError.invalidConfiguration` when the ground truth does not cover every query or has
    ///   fewer than `topK` ids per query.
    public init(target: LoadTarget, workload: SearchWorkload, groundTruth: GroundTruth? = nil, insert: InsertWorkload? = nil,
                timeline: LoadTimeline = LoadTimeline()) throws(LoadError) {
        if let gt = groundTruth {
            guard gt.rows >= workload.count else {
                throw .invalidConfiguration("ground truth has \(gt.rows) rows but there are \(workload.count) queries")
            }
            guard gt.columns >= workload.topK else {
                throw .invalidConfiguration("ground truth has \(gt.columns) ids per query, fewer than --top-k \(workload.topK)")
            }
        }
        self.target = target
        self.workload = workload
        self.groundTruth = groundTruth
        self.insertWorkload = insert
        self.timeline = timeline
    }

    /// Shared between the client threads of one run.
    private final class Control: Sendable {
        let ticket = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let ready = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let start = Atomic<UInt64>(0)
        let wake = DispatchSemaphore(value: 0)
        let insertResult = Mutex<InsertStreamResult?>(nil)
    }

    /// Runs the load described by `config` and returns what was measured.
    /// - Throws: `LoadError.invalidConfiguration` for a bad configuration, `.system` when threads cannot start.
    public func run(_ config: LoadConfiguration) throws(LoadError) -> LoadRunResult {
        try config.validate()
        if config.insertRate != nil, insertWorkload == nil {
            throw .invalidConfiguration("--insert-rate needs vector queries (the insert stream writes them)")
        }
        let recorder = RunRecorder(timeline: timeline)
        let control = Control()
        var workers: [OSThread] = []
        do {
            for i in 0..<config.concurrency {
                workers.append(try OSThread(name: "load-\(i)") { [self] in
                    self.client(config: config, control: control, recorder: recorder)
                })
            }
        } catch {
            control.stop.store(true, ordering: .sequentiallyConsistent)
            for _ in workers { control.go.signal() }
            for w in workers { w.join() }
            throw .system("cannot start client thread \(workers.count + 1) of \(config.concurrency): \(error)")
        }
        for _ in workers { control.ready.wait() }     // every client has connected (or failed to)
        let start = monotonicNanoseconds() + 1_000_000
        control.start.store(start, ordering: .sequentiallyConsistent)

        // Helpers start before the clients are released, so a missing insert stream fails the run instead of
        // silently measuring searches without writes.
        var helpers: [OSThread] = []
        do {
            if let rate = config.insertRate, let insert = insertWorkload {
                helpers.append(try OSThread(name: "load-insert") { [self] in
                    self.insertStream(insert, rate: rate, config: config, control: control)
                })
            }
            if config.progressInterval > 0, let sink = config.progress {
                helpers.append(try OSThread(name: "load-progress") {
                    LoadRunner.progressLoop(config: config, control: control, recorder: recorder, sink: sink)
                })
            }
        } catch {
            control.stop.store(true, ordering: .sequentiallyConsistent)
            control.wake.signal()
            for _ in workers { control.go.signal() }
            for t in workers + helpers { t.join() }
            throw .system("cannot start the insert or progress thread: \(error)")
        }
        timeline.addMark(LoadRunResult.labelFor(mode: config.mode, concurrency: config.concurrency), at: start)
        for _ in workers { control.go.signal() }

        for w in workers { w.join() }
        let end = monotonicNanoseconds()
        control.stop.store(true, ordering: .sequentiallyConsistent)
        control.wake.signal()                          // the progress thread, if any, returns at once
        for h in helpers { h.join() }

        var result = recorder.result(mode: config.mode, concurrency: config.concurrency,
                                     elapsed: Double(end - start) / 1e9, k: workload.topK)
        result.timelineStart = Double(start - min(start, timeline.origin)) / 1e9
        result.timelineEnd = Double(end - min(end, timeline.origin)) / 1e9
        result.insert = control.insertResult.withLock { $0 }
        return result
    }

    // MARK: - Client threads

    private func client(config: LoadConfiguration, control: Control, recorder: RunRecorder) {
        let conn = HTTPClientConnection(address: target.address, connectTimeout: config.connectTimeout, requestTimeout: config.requestTimeout)
        try? conn.connectIfNeeded()        // a failure here is counted on the first request
        control.ready.signal()
        control.go.wait()
        if control.stop.load(ordering: .sequentiallyConsistent) { return }
        let start = control.start.load(ordering: .sequentiallyConsistent)
        OpenLoopSchedule.sleep(until: start)
        let end: UInt64? = config.duration.map { start + UInt64($0 * 1e9) }
        var schedule: OpenLoopSchedule?
        if case .openLoop(let rate) = config.mode { schedule = OpenLoopSchedule(start: start, rate: rate) }
        var ids: [Int64] = []
        ids.reserveCapacity(workload.topK)
        while true {
            let ticket = control.ticket.wrappingAdd(1, ordering: .relaxed).oldValue
            if let n = config.requests, ticket >= n { break }
            let due: UInt64
            if let schedule {
                due = schedule.sendTime(ticket)
                if let end, due >= end { break }
                OpenLoopSchedule.sleep(until: due)
            } else {
                due = monotonicNanoseconds()
                if let end, due >= end { break }
            }
            let sent = monotonicNanoseconds()
            let outcome = conn.exchange(workload.request(ticket))
            let done = monotonicNanoseconds()
            switch outcome {
            case .success(let reply):
                // Failures go on the timeline at the second they were sent: a search that times out 10 s after a
                // process kill belongs to the kill, not to whatever second its deadline expired in.
                if let f = workload.check(reply, ids: &ids) {
                    recorder.failure(f, at: sent)
                } else {
                    let hits = groundTruth?.hits(row: ticket % workload.count, k: workload.topK, found: ids)
                    recorder.success(completedAt: done, latency: done - min(due, done), service: done - sent, recallHits: hits)
                }
            case .failure(let failure):
                let f = RequestFailure(failure)
                recorder.failure(f, at: sent)
                // A refused connect returns at once: back off so a dead server is not hammered in a spin.
                if f == .connect { OpenLoopSchedule.sleep(until: monotonicNanoseconds() + 10_000_000) }
            }
        }
        recorder.addConnections(conn.connectsMade)
    }

    private func insertStream(_ insert: InsertWorkload, rate: Double, config: LoadConfiguration, control: Control) {
        let conn = HTTPClientConnection(address: target.address, connectTimeout: config.connectTimeout, requestTimeout: config.requestTimeout)
        let batch = config.effectiveInsertBatch
        let start = control.start.load(ordering: .sequentiallyConsistent)
        let schedule = OpenLoopSchedule(start: start, rate: rate / Double(batch))
        var latency = try! LatencyHistogram()
        var failures: [RequestFailure: UInt64] = [:]
        var rows: UInt64 = 0
        var b = 0
        outer: while !control.stop.load(ordering: .relaxed) {
            let due = schedule.sendTime(b)
            // Sleep in slices so the end of the searches ends the stream promptly.
            while monotonicNanoseconds() < due {
                if control.stop.load(ordering: .relaxed) { break outer }
                OpenLoopSchedule.sleep(until: min(due, monotonicNanoseconds() + 50_000_000))
            }
            let outcome = conn.exchange(insert.request(first: b * batch, count: batch))
            let done = monotonicNanoseconds()
            switch outcome {
            case .success(let reply):
                if let f = insert.check(reply) { failures[f, default: 0] += 1 } else {
                    rows += UInt64(batch)
                    latency.record(done - min(due, done))
                }
            case .failure(let failure):
                let f = RequestFailure(failure)
                failures[f, default: 0] += 1
                if f == .connect { OpenLoopSchedule.sleep(until: monotonicNanoseconds() + 10_000_000) }
            }
            b += 1
        }
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        control.insertResult.withLock {
            $0 = InsertStreamResult(targetRate: rate, rowsInserted: rows, failures: failures, latency: latency, elapsedSeconds: elapsed)
        }
    }

    private static func progressLoop(config: LoadConfiguration, control: Control, recorder: RunRecorder,
                                     sink: @Sendable (String) -> Void) {
        let start = control.start.load(ordering: .sequentiallyConsistent)
        let label = LoadRunResult.labelFor(mode: config.mode, concurrency: config.concurrency)
        while true {
            if control.wake.wait(timeout: .now() + config.progressInterval) == .success { return }
            if control.stop.load(ordering: .relaxed) { return }
            let elapsed = Double(monotonicNanoseconds() - start) / 1e9
            let (ok, failed, p99) = recorder.progress()
            let rps = elapsed > 0 ? Double(ok) / elapsed : 0
            sink("[\(label)] \(LoadReport.number(elapsed, digits: 1)) s  \(LoadReport.number(rps, digits: 1)) req/s"
                 + "  p99 \(LoadReport.milliseconds(p99)) ms  ok \(ok)  errors \(failed)")
        }
    }
}
