import JSON

/// The seed's table for `vecbench compare`: the same closed-loop load on a standalone server and on the
/// distributed cluster, side by side, with an improvement column (distributed ÷ standalone).
///
/// Headline rows are taken at the highest concurrency level both deployments ran (throughput, p50, p95, p99),
/// plus "max concurrent with p99 < 100 ms": the highest level whose p99 stayed under `latencyBudget` with at
/// most 1 % failed searches (`≥ N` when even the highest level tested passed, `none` when no level did).
/// Below the headline: one row per concurrency level, then the kills of the distributed run (`KillImpact`).
public struct ComparisonReport: Sendable {
    /// One deployment's results.
    public struct Deployment: Sendable {
        /// `standalone` or `distributed`.
        public var name: String
        /// What ran, e.g. `vecnode --role standalone (1 query node)`.
        public var setup: String
        /// Seconds to create, insert, flush and load the collection.
        public var ingestSeconds: Double
        /// One run per concurrency level.
        public var runs: [LoadRunResult]
        /// Kills injected during the runs.
        public var kills: [KillImpact]
        /// Timeline seconds at which the load started (kill times are reported relative to it).
        public var loadStart: Double

        public init(name: String, setup: String, ingestSeconds: Double, runs: [LoadRunResult], kills: [KillImpact] = [],
                    loadStart: Double = 0) {
            self.name = name
            self.setup = setup
            self.ingestSeconds = ingestSeconds
            self.runs = runs.sorted { $0.concurrency < $1.concurrency }
            self.kills = kills
            self.loadStart = loadStart
        }

        /// The run at concurrency `c`.
        public func run(concurrency c: Int) -> LoadRunResult? { runs.first { $0.concurrency == c } }

        /// Failed searches over all runs.
        public var failed: UInt64 { runs.reduce(0) { $0 + $1.failed } }

        /// Recall over all runs, weighted by successful searches (nil without ground truth).
        public var recall: Double? {
            var sum = 0.0, n = 0.0
            for r in runs { if let rc = r.recall { sum += rc * Double(r.succeeded); n += Double(r.succeeded) } }
            return n > 0 ? sum / n : nil
        }

        /// The highest concurrency whose run met the latency budget, and whether every level did.
        public func maxConcurrency(under budget: UInt64) -> (level: Int?, allPassed: Bool) {
            var best: Int?
            var all = true
            for r in runs {
                let total = r.succeeded + r.failed
                let ok = r.succeeded > 0 && r.latency.summary.p99 < budget && Double(r.failed) <= 0.01 * Double(total)
                if ok { best = r.concurrency } else { all = false }
            }
            return (best, all && best != nil)
        }
    }

    /// What was compared, for the heading.
    public var dataset: String
    public var rows: Int
    public var queries: Int
    public var topK: Int
    public var ef: Int
    public var durationSeconds: Double
    public var standalone: Deployment
    public var distributed: Deployment

    /// The p99 a concurrency level must stay under to count for "max concurrent" (the seed's 100 ms).
    public static let latencyBudget: UInt64 = 100_000_000

    public init(dataset: String, rows: Int, queries: Int, topK: Int, ef: Int, durationSeconds: Double,
                standalone: Deployment, distributed: Deployment) {
        self.dataset = dataset
        self.rows = rows
        self.queries = queries
        self.topK = topK
        self.ef = ef
        self.durationSeconds = durationSeconds
        self.standalone = standalone
        self.distributed = distributed
    }

    /// The concurrency of the headline rows: the highest level both deployments ran (nil: none in common).
    public var headlineConcurrency: Int? {
        Set(standalone.runs.map(\.concurrency)).intersection(distributed.runs.map(\.concurrency)).max()
    }

    /// A headline row: its label and the standalone and distributed values (nil: not measured).
    struct Row {
        var label: String
        var standalone: Double?
        var distributed: Double?
        var digits: Int
        /// Replaces the formatted value (for `≥ 32`, `none`).
        var standaloneText: String? = nil
        var distributedText: String? = nil
    }

    var headlineRows: [Row] {
        let c = headlineConcurrency
        let s = c.flatMap { standalone.run(concurrency: $0) }, d = c.flatMap { distributed.run(concurrency: $0) }
        func ms(_ r: LoadRunResult?, _ pick: (LatencySummary) -> UInt64) -> Double? {
            guard let r, r.succeeded > 0 else { return nil }
            return Double(pick(r.latency.summary)) / 1e6
        }
        let at = c.map { " at c=\($0)" } ?? ""
        let sm = standalone.maxConcurrency(under: Self.latencyBudget), dm = distributed.maxConcurrency(under: Self.latencyBudget)
        func levelText(_ m: (level: Int?, allPassed: Bool)) -> String {
            guard let l = m.level else { return "none" }
            return m.allPassed ? "≥ \(l)" : String(l)
        }
        return [
            Row(label: "throughput (req/s)\(at)", standalone: s?.throughput, distributed: d?.throughput, digits: 1),
            Row(label: "p50 latency (ms)\(at)", standalone: ms(s, \.p50), distributed: ms(d, \.p50), digits: 2),
            Row(label: "p95 latency (ms)\(at)", standalone: ms(s, \.p95), distributed: ms(d, \.p95), digits: 2),
            Row(label: "p99 latency (ms)\(at)", standalone: ms(s, \.p99), distributed: ms(d, \.p99), digits: 2),
            Row(label: "max concurrent with p99 < \(Self.latencyBudget / 1_000_000) ms", standalone: sm.level.map(Double.init),
                distributed: dm.level.map(Double.init), digits: 0, standaloneText: levelText(sm), distributedText: levelText(dm)),
        ]
    }

    /// distributed ÷ standalone, e.g. `1.52×` (`-` when either is missing or the standalone value is 0).
    static func ratio(_ s: Double?, _ d: Double?) -> String {
        guard let s, let d, s > 0, s.isFinite, d.isFinite else { return "-" }
        return LoadReport.number(d / s, digits: 2) + "×"
    }

    /// The report as markdown (ends with a newline).
    public var markdown: String {
        var out = "### vecnode standalone vs distributed\n\n"
        out += "\(dataset): \(rows) rows, \(queries) queries cycled, top-\(topK), ef \(ef); closed loop, "
            + "\(LoadReport.number(durationSeconds, digits: durationSeconds.rounded() == durationSeconds ? 0 : 1)) s per concurrency level. "
            + "Improvement = distributed ÷ standalone (above 1 is better for throughput and max concurrent, below 1 for latency).\n\n"
        out += "- standalone: \(standalone.setup)\n- distributed: \(distributed.setup)\n\n"
        out += "| | standalone | distributed | improvement |\n|---|---:|---:|---:|\n"
        for r in headlineRows {
            let s = r.standaloneText ?? r.standalone.map { LoadReport.number($0, digits: r.digits) } ?? "-"
            let d = r.distributedText ?? r.distributed.map { LoadReport.number($0, digits: r.digits) } ?? "-"
            out += "| \(r.label) | \(s) | \(d) | \(Self.ratio(r.standalone, r.distributed)) |\n"
        }
        out += "| failed searches (all levels) | \(standalone.failed) | \(distributed.failed) | |\n"
        let rs = standalone.recall, rd = distributed.recall
        if rs != nil || rd != nil {
            out += "| recall@\(topK) | \(rs.map { LoadReport.number($0, digits: 4) } ?? "-") | \(rd.map { LoadReport.number($0, digits: 4) } ?? "-") | |\n"
        }
        out += "| ingest: create, insert, flush, load (s) | \(LoadReport.number(standalone.ingestSeconds, digits: 1)) | "
            + "\(LoadReport.number(distributed.ingestSeconds, digits: 1)) | \(Self.ratio(standalone.ingestSeconds, distributed.ingestSeconds)) |\n"

        out += "\nPer concurrency level (req/s, latency in ms, failed searches):\n\n"
        out += "| clients | standalone req/s | p50 | p95 | p99 | failed | distributed req/s | p50 | p95 | p99 | failed | req/s ratio |\n"
        out += "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        let levels = Array(Set(standalone.runs.map(\.concurrency)).union(distributed.runs.map(\.concurrency))).sorted()
        for c in levels {
            let s = standalone.run(concurrency: c), d = distributed.run(concurrency: c)
            out += "| \(c) | " + Self.cells(s) + " | " + Self.cells(d) + " | \(Self.ratio(s?.throughput, d?.throughput)) |\n"
        }
        for dep in [standalone, distributed] where !dep.kills.isEmpty {
            out += "\nKills during the \(dep.name) run (seconds from the start of its load; window = kill → restart + restart delay):\n\n"
            out += "| process | killed at s | restarted at s | failed / searches in window | p99 before ms | worst-second p99 ms | max ms (before) | recovery |\n"
            out += "|---|---:|---:|---:|---:|---:|---:|---|\n"
            for k in dep.kills {
                let t = { (v: Double) in LoadReport.number(v - dep.loadStart, digits: 1) }
                let ms = { (v: UInt64?) in v.map(LoadReport.milliseconds) ?? "-" }
                out += "| \(k.process) | \(t(k.killedAt)) | \(k.restartedAt.map(t) ?? "-") | \(k.failed) / \(k.failed + k.completed) | "
                    + "\(ms(k.baselineP99)) | \(ms(k.windowP99)) | \(ms(k.windowMax)) (\(ms(k.baselineMax))) | \(k.recoveryText) |\n"
            }
        }
        return out
    }

    private static func cells(_ r: LoadRunResult?) -> String {
        guard let r else { return "- | - | - | - | -" }
        let s = r.latency.summary
        let ms: (UInt64) -> String = { s.count == 0 ? "-" : LoadReport.milliseconds($0) }
        return "\(LoadReport.number(r.throughput, digits: 1)) | \(ms(s.p50)) | \(ms(s.p95)) | \(ms(s.p99)) | \(r.failed)"
    }

    /// The report as one JSON object:
    /// `{"dataset","rows","queries","topK","ef","durationSeconds","latencyBudgetMs","headlineConcurrency",
    /// "standalone":D,"distributed":D,"improvement":{"rps","p50","p95","p99","maxConcurrency"}}` with
    /// D = `{"name","setup","ingestSeconds","rps","latencyMs":{"p50","p95","p99"},"maxConcurrencyUnderBudget",
    /// "allLevelsUnderBudget","failed","recall","runs":[{"concurrency","seconds","rps","ok","failed","errors",
    /// "latencyMs":{"p50","p95","p99","max"}}],"kills":[…]}` — headline values at `headlineConcurrency`; absent
    /// values null, never missing.
    public func json() -> [UInt8] {
        var w = JSONWriter()
        let c = headlineConcurrency
        w.beginObject()
        w.field("dataset", dataset)
        w.field("rows", rows)
        w.field("queries", queries)
        w.field("topK", topK)
        w.field("ef", ef)
        w.field("durationSeconds", durationSeconds)
        w.field("latencyBudgetMs", Int(Self.latencyBudget / 1_000_000))
        w.field("headlineConcurrency", c)
        w.key("standalone"); Self.write(&w, standalone, headline: c)
        w.key("distributed"); Self.write(&w, distributed, headline: c)
        let rows = headlineRows
        w.key("improvement")
        w.beginObject()
        for (key, r) in zip(["rps", "p50", "p95", "p99", "maxConcurrency"], rows) {
            if let s = r.standalone, let d = r.distributed, s > 0 { w.field(key, (d / s * 1_000).rounded() / 1_000) } else { w.field(key, nil as Double?) }
        }
        w.endObject()
        w.endObject()
        return w.bytes
    }

    private static func write(_ w: inout JSONWriter, _ dep: Deployment, headline: Int?) {
        func latency(_ r: LoadRunResult?, withMax: Bool) {
            guard let r, r.succeeded > 0 else { w.writeNull(); return }
            let s = r.latency.summary
            w.beginObject()
            w.milliseconds("p50", s.p50)
            w.milliseconds("p95", s.p95)
            w.milliseconds("p99", s.p99)
            if withMax { w.milliseconds("max", s.max) }
            w.endObject()
        }
        let h = headline.flatMap { dep.run(concurrency: $0) }
        let m = dep.maxConcurrency(under: latencyBudget)
        w.beginObject()
        w.field("name", dep.name)
        w.field("setup", dep.setup)
        w.field("ingestSeconds", (dep.ingestSeconds * 10).rounded() / 10)
        w.field("rps", h.map { ($0.throughput * 10).rounded() / 10 })
        w.key("latencyMs"); latency(h, withMax: false)
        w.field("maxConcurrencyUnderBudget", m.level)
        w.field("allLevelsUnderBudget", m.allPassed)
        w.field("failed", dep.failed)
        w.field("recall", dep.recall.map { ($0 * 10_000).rounded() / 10_000 })
        w.key("runs")
        w.beginArray()
        for r in dep.runs {
            w.beginObject()
            w.field("concurrency", r.concurrency)
            w.field("seconds", (r.elapsedSeconds * 1_000).rounded() / 1_000)
            w.field("rps", (r.throughput * 10).rounded() / 10)
            w.field("ok", r.succeeded)
            w.field("failed", r.failed)
            w.key("errors")
            w.beginObject()
            for (k, v) in r.failures.sorted(by: { $0.key < $1.key }) { w.field(k.description, v) }
            w.endObject()
            w.key("latencyMs"); latency(r, withMax: true)
            w.endObject()
        }
        w.endArray()
        w.key("kills")
        w.beginArray()
        for k in dep.kills { k.write(to: &w, loadStart: dep.loadStart) }
        w.endArray()
        w.endObject()
    }
}
