import JSON

/// What one process kill did to the searches, computed from the per-second timeline (`LoadTimeline.Bucket`):
/// the failures during the kill window, the latency spike in it against the seconds before, and how long after
/// the kill the per-second p99 was back to normal.
///
/// Definitions (1-second resolution, the timeline's):
/// - **baseline**: the last `baselineSeconds` whole seconds before the kill that lie inside its run and had
///   completed searches; `baselineP99` is the median of their per-second p99, `baselineMax` their largest max.
/// - **kill window**: from the kill to `windowEnd` (the restart plus the restart delay again, so the rejoin is
///   inside it, clipped to the end of the load — it may run on into the next runs); every second overlapping it
///   counts. `failed`/`completed` are the searches in those seconds; `windowP99` is the worst per-second p99 and
///   `windowMax` the slowest search.
/// - **bad second**: no search completed, a search failed, or its p99 > `tolerance` × the reference: the baseline
///   in the kill's run; in a later run (another concurrency, another normal) the median per-second p99 of that run.
/// - **recovery**: 0 when no second of the window was bad; otherwise the time from the kill to the start of the
///   first second after the last bad second of the window that begins `steadySeconds` good seconds in a row
///   (fewer when the load ends first). nil: not recovered before the load ended.
public struct KillImpact: Sendable, Equatable {
    /// The process killed (`querynode-2`).
    public var process: String
    /// Timeline seconds of the kill and of the restart (nil: not restarted).
    public var killedAt: Double
    public var restartedAt: Double?
    /// End of the kill window (timeline seconds).
    public var windowEnd: Double
    /// Searches failed / completed in the seconds of the kill window.
    public var failed: UInt64
    public var completed: UInt64
    /// Median per-second p99 and the largest per-second max before the kill, ns (nil: no second before it).
    public var baselineP99: UInt64?
    public var baselineMax: UInt64?
    /// Worst per-second p99 and slowest search in the window, ns (nil: nothing completed in it).
    public var windowP99: UInt64?
    public var windowMax: UInt64?
    /// Seconds from the kill until the per-second p99 was back within `tolerance` × baseline (see the type's
    /// documentation); nil when it was not before the run ended.
    public var recoverySeconds: Double?

    /// Per-second p99 allowed after recovery, relative to the baseline.
    public static let tolerance = 1.5
    /// Seconds before the kill that form the baseline.
    public static let baselineSeconds = 5
    /// Good seconds in a row that count as recovered.
    public static let steadySeconds = 3

    public init(process: String, killedAt: Double, restartedAt: Double?, windowEnd: Double, failed: UInt64, completed: UInt64,
                baselineP99: UInt64?, baselineMax: UInt64?, windowP99: UInt64?, windowMax: UInt64?, recoverySeconds: Double?) {
        self.process = process
        self.killedAt = killedAt
        self.restartedAt = restartedAt
        self.windowEnd = windowEnd
        self.failed = failed
        self.completed = completed
        self.baselineP99 = baselineP99
        self.baselineMax = baselineMax
        self.windowP99 = windowP99
        self.windowMax = windowMax
        self.recoverySeconds = recoverySeconds
    }

    /// Analyses one kill.
    /// - Parameters:
    ///   - buckets: the timeline's seconds (`LoadTimeline.buckets`; index = second).
    ///   - runs: timeline spans (start, end seconds) of the load's runs in order; the load ends with the last.
    ///   - killedAt, restartedAt: timeline seconds of the kill and restart; `restartDelay` the configured delay
    ///     (the window ends `restartDelay` after the restart, or after the kill when there was no restart).
    public static func analyse(process: String, buckets: [LoadTimeline.Bucket], runs: [(start: Double, end: Double)],
                               killedAt: Double, restartedAt: Double?, restartDelay: Double) -> KillImpact {
        func bucket(_ s: Int) -> LoadTimeline.Bucket? { s >= 0 && s < buckets.count ? buckets[s] : nil }
        let loadEnd = runs.map(\.end).max() ?? killedAt
        let windowEnd = min(loadEnd, (restartedAt ?? killedAt) + max(restartDelay, 0))
        // The run a second belongs to: the one holding its middle, else the last one started before it.
        func runIndex(_ t: Double) -> Int? {
            runs.firstIndex { $0.start <= t && t < $0.end } ?? runs.lastIndex { $0.start <= t }
        }
        let killRun = runIndex(killedAt)

        // Baseline: up to `baselineSeconds` whole seconds of the kill's run before the kill.
        var before: [LoadTimeline.Bucket] = []
        let runStart = killRun.map { runs[$0].start } ?? 0
        var s = Int(killedAt.rounded(.down)) - 1
        while s >= 0, Double(s) >= runStart.rounded(.up), before.count < baselineSeconds {
            if let b = bucket(s), b.completed > 0 { before.append(b) }
            s -= 1
        }
        let baselineP99 = median(before.map(\.p99))
        let baselineMax = before.map(\.max).max()
        // Later runs have other concurrency, so their seconds are compared with their own run's median p99.
        var runMedians: [Int: UInt64?] = [:]
        func reference(_ second: Int) -> UInt64? {
            guard let r = runIndex(Double(second) + 0.5), r != killRun else { return baselineP99 }
            if let m = runMedians[r] { return m }
            let lo = Int(runs[r].start.rounded(.up)), hi = Int(runs[r].end.rounded(.down)) - 1
            let m = hi >= lo ? median((lo...hi).compactMap { bucket($0) }.filter { $0.completed > 0 }.map(\.p99)) : nil
            runMedians[r] = m
            return m
        }

        let firstSecond = Int(killedAt.rounded(.down))
        let windowSeconds = firstSecond...max(firstSecond, Int(windowEnd.rounded(.up)) - 1)
        var failed: UInt64 = 0, completed: UInt64 = 0
        var windowP99: UInt64?, windowMax: UInt64?
        for i in windowSeconds {
            guard let b = bucket(i) else { continue }
            failed += b.failed
            completed += b.completed
            if b.completed > 0 {
                windowP99 = Swift.max(windowP99 ?? 0, b.p99)
                windowMax = Swift.max(windowMax ?? 0, b.max)
            }
        }

        func bad(_ i: Int) -> Bool {
            guard let b = bucket(i), b.completed > 0, b.failed == 0 else { return true }
            if let ref = reference(i) { return Double(b.p99) > tolerance * Double(ref) }
            return false
        }
        var recovery: Double?
        if let lastBad = windowSeconds.reversed().first(where: bad) {
            let lastSecond = Int(loadEnd.rounded(.up)) - 1
            var t = lastBad + 1
            while t <= lastSecond {
                let streak = t...Swift.min(lastSecond, t + steadySeconds - 1)
                if let firstBad = streak.first(where: bad) {
                    t = firstBad + 1
                } else {
                    recovery = Swift.max(0, Double(t) - killedAt)
                    break
                }
            }
        } else {
            recovery = 0
        }
        return KillImpact(process: process, killedAt: killedAt, restartedAt: restartedAt, windowEnd: windowEnd,
                          failed: failed, completed: completed, baselineP99: baselineP99, baselineMax: baselineMax,
                          windowP99: windowP99, windowMax: windowMax, recoverySeconds: recovery)
    }

    private static func median(_ values: [UInt64]) -> UInt64? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[(sorted.count - 1) / 2]
    }

    /// One line, e.g. `kill querynode-2 at 8.0 s, restarted at 11.0 s: 0 failed / 2400 searches in the window (8.0–14.0 s);
    /// p99 12.00 ms before → 45.00 ms worst second (3.8×), max 230.00 ms (before 20.00 ms); recovered after 2.0 s`.
    /// Times are seconds since the start of the load.
    public func line(loadStart: Double = 0) -> String {
        func t(_ v: Double) -> String { LoadReport.number(v - loadStart, digits: 1) }
        var s = "kill \(process) at \(t(killedAt)) s"
        s += restartedAt.map { ", restarted at \(t($0)) s" } ?? ", not restarted"
        s += ": \(failed) failed / \(completed + failed) searches in the window (\(t(killedAt))–\(t(windowEnd)) s); "
        s += "p99 " + (baselineP99.map { LoadReport.milliseconds($0) + " ms" } ?? "- (no second before the kill)")
        s += " before → " + (windowP99.map { LoadReport.milliseconds($0) + " ms" } ?? "- (nothing completed)") + " worst second"
        if let ratio = spikeRatio { s += " (\(LoadReport.number(ratio, digits: 1))×)" }
        s += ", max " + (windowMax.map { LoadReport.milliseconds($0) + " ms" } ?? "-")
        if let bm = baselineMax { s += " (before \(LoadReport.milliseconds(bm)) ms)" }
        s += "; " + recoveryText
        return s
    }

    /// `recovered after 2.0 s` or `not recovered before the load ended`.
    public var recoveryText: String {
        recoverySeconds.map { "recovered after \(LoadReport.number($0, digits: 1)) s" } ?? "not recovered before the load ended"
    }

    /// Worst per-second p99 in the window ÷ baseline p99 (nil when either is missing).
    public var spikeRatio: Double? {
        guard let w = windowP99, let b = baselineP99, b > 0 else { return nil }
        return Double(w) / Double(b)
    }

    /// Writes the kill as a JSON object: `{"process", "killedAtSeconds", "restartedAtSeconds", "windowEndSeconds",
    /// "failed", "completed", "baselineP99Ms", "baselineMaxMs", "windowP99Ms", "windowMaxMs", "recoverySeconds"}`,
    /// times relative to `loadStart`, absent values null.
    func write(to w: inout JSONWriter, loadStart: Double) {
        func r(_ v: Double) -> Double { (v * 1_000).rounded() / 1_000 }
        w.beginObject()
        w.field("process", process)
        w.field("killedAtSeconds", r(killedAt - loadStart))
        w.field("restartedAtSeconds", restartedAt.map { r($0 - loadStart) })
        w.field("windowEndSeconds", r(windowEnd - loadStart))
        w.field("failed", failed)
        w.field("completed", completed)
        w.milliseconds("baselineP99Ms", baselineP99)
        w.milliseconds("baselineMaxMs", baselineMax)
        w.milliseconds("windowP99Ms", windowP99)
        w.milliseconds("windowMaxMs", windowMax)
        w.field("recoverySeconds", recoverySeconds.map(r))
        w.endObject()
    }
}
