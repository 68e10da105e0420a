import JSON

/// The report of a `vecbench load` invocation: what was driven, and one row per run.
///
/// Text (`text`): a header line, a table with one row per run, then error, open-loop service-time and
/// insert-stream lines where they apply. Columns:
///
/// | column | meaning |
/// |---|---|
/// | run | `closed c=N` (N clients back to back) or `open R/s c=N` (fixed arrival rate over N connections) |
/// | secs | seconds from the first request to the last reply |
/// | ok / err | successful / failed searches (failures by kind are listed below the table) |
/// | req/s | successful searches per second |
/// | p50 … max, mean | latency of successful searches in ms (`-` when none succeeded); open loop: from the *scheduled* send time |
/// | recall@k | mean recall of the replies against `--gt` (`-` without ground truth) |
///
/// JSON (`json()`): `{"target", "collection", "api", "queries", "topK", "ef", "runs": [{"label", "mode",
/// "concurrency", "targetRPS", "seconds", "ok", "errors": {kind: n}, "errorCount", "rps", "latencyMs":
/// {"p50","p95","p99","p999","max","mean"}, "serviceTimeMs", "recall", "connections", "insert"}], "kills": [see
/// `KillImpact`]}` — absent
/// values (no ground truth, closed loop's service time, no successful search's latency) are `null`, never
/// missing, so scripts can rely on the keys.
public struct LoadReport: Sendable {
    /// The URL driven.
    public var target: String
    public var collection: String
    public var api: SearchWorkload.API
    /// Distinct queries cycled through.
    public var queries: Int
    public var topK: Int
    /// `ef` sent with Milvus searches (nil: not sent).
    public var ef: Int?
    public var runs: [LoadRunResult]
    /// Process kills injected during the runs (`--kill`), analysed; printed after the table.
    public var kills: [KillImpact] = []
    /// Timeline seconds at which the load started: kill times are printed relative to it.
    public var loadStart: Double = 0

    public init(target: String, collection: String, api: SearchWorkload.API, queries: Int, topK: Int, ef: Int?,
                runs: [LoadRunResult] = []) {
        self.target = target
        self.collection = collection
        self.api = api
        self.queries = queries
        self.topK = topK
        self.ef = ef
        self.runs = runs
    }

    /// The human-readable report (ends with a newline).
    public var text: String {
        var out = "vecbench load: \(target) collection \(collection) (\(api.rawValue) API), \(queries) queries, top-k \(topK)"
        if let ef { out += ", ef \(ef)" }
        out += "\n"
        let headers = ["run", "secs", "ok", "err", "req/s", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "mean ms", "recall@\(topK)"]
        var rows: [[String]] = [headers]
        for r in runs {
            let s = r.latency.summary
            // No successful search: no latency to show (zeros would read as "instant").
            let ms: (UInt64) -> String = { s.count == 0 ? "-" : LoadReport.milliseconds($0) }
            rows.append([
                r.label, LoadReport.number(r.elapsedSeconds, digits: 1), String(r.succeeded), String(r.failed),
                LoadReport.number(r.throughput, digits: 1), ms(s.p50), ms(s.p95), ms(s.p99), ms(s.p999), ms(s.max),
                s.count == 0 ? "-" : LoadReport.number(s.mean / 1e6, digits: 2), r.recall.map { LoadReport.number($0, digits: 4) } ?? "-",
            ])
        }
        var widths = [Int](repeating: 0, count: headers.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        for row in rows {
            var line = ""
            for (i, c) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                line += i == 0 ? c + pad : "  " + pad + c
            }
            out += line + "\n"
        }
        for r in runs where !r.failures.isEmpty {
            out += "errors \(r.label): " + LoadReport.kinds(r.failures) + "\n"
        }
        for r in runs {
            if r.connections > r.concurrency {
                out += "reconnects \(r.label): \(r.connections - r.concurrency) (the server closed or reset connections)\n"
            }
        }
        for r in runs {
            guard let st = r.serviceTime?.summary, st.count > 0 else { continue }
            out += "service time \(r.label) (actual send → reply, what a closed-loop tool would report): p50 \(LoadReport.milliseconds(st.p50))"
                + " p99 \(LoadReport.milliseconds(st.p99)) max \(LoadReport.milliseconds(st.max)) ms\n"
        }
        for r in runs {
            guard let i = r.insert else { continue }
            let l = i.latency.summary
            let latency = l.count == 0 ? "" : ", p50 \(LoadReport.milliseconds(l.p50)) p99 \(LoadReport.milliseconds(l.p99)) ms"
            out += "inserts \(r.label): \(LoadReport.number(i.targetRate)) rows/s asked, \(LoadReport.number(i.rowsPerSecond, digits: 1)) rows/s acknowledged"
                + " (\(i.rowsInserted) rows)\(latency), errors " + (i.failures.isEmpty ? "none" : LoadReport.kinds(i.failures)) + "\n"
        }
        for k in kills { out += k.line(loadStart: loadStart) + "\n" }
        return out
    }

    /// The machine-readable report (one JSON object).
    public func json() -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("target"); w.write(target)
        w.key("collection"); w.write(collection)
        w.key("api"); w.write(api.rawValue)
        w.key("queries"); w.write(queries)
        w.key("topK"); w.write(topK)
        w.key("ef"); if let ef { w.write(ef) } else { w.writeNull() }
        w.key("runs")
        w.beginArray()
        for r in runs {
            w.beginObject()
            w.key("label"); w.write(r.label)
            switch r.mode {
            case .closedLoop:
                w.key("mode"); w.write("closed")
                w.key("targetRPS"); w.writeNull()
            case .openLoop(let rate):
                w.key("mode"); w.write("open")
                w.key("targetRPS"); LoadReport.write(&w, rate)
            }
            w.key("concurrency"); w.write(r.concurrency)
            w.key("seconds"); LoadReport.write(&w, r.elapsedSeconds)
            w.key("ok"); w.write(Int64(clamping: r.succeeded))
            w.key("errors"); LoadReport.write(&w, r.failures)
            w.key("errorCount"); w.write(Int64(clamping: r.failed))
            w.key("rps"); LoadReport.write(&w, r.throughput)
            w.key("latencyMs"); LoadReport.write(&w, r.latency)
            w.key("serviceTimeMs"); if let s = r.serviceTime { LoadReport.write(&w, s) } else { w.writeNull() }
            w.key("recall"); if let rc = r.recall { LoadReport.write(&w, rc) } else { w.writeNull() }
            w.key("connections"); w.write(r.connections)
            w.key("insert")
            if let i = r.insert {
                w.beginObject()
                w.key("targetRowsPerSecond"); LoadReport.write(&w, i.targetRate)
                w.key("rows"); w.write(Int64(clamping: i.rowsInserted))
                w.key("rowsPerSecond"); LoadReport.write(&w, i.rowsPerSecond)
                w.key("errors"); LoadReport.write(&w, i.failures)
                w.key("latencyMs"); LoadReport.write(&w, i.latency)
                w.endObject()
            } else {
                w.writeNull()
            }
            w.endObject()
        }
        w.endArray()
        w.key("kills")
        w.beginArray()
        for k in kills { k.write(to: &w, loadStart: loadStart) }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    private static func write(_ w: inout JSONWriter, _ d: Double) {
        if d.isFinite { try? w.write(d) } else { w.writeNull() }
    }

    private static func write(_ w: inout JSONWriter, _ failures: [RequestFailure: UInt64]) {
        w.beginObject()
        for (k, v) in failures.sorted(by: { $0.key < $1.key }) {
            w.key(k.description)
            w.write(Int64(clamping: v))
        }
        w.endObject()
    }

    /// `{"p50",…,"mean"}` in ms, or null when nothing was recorded.
    private static func write(_ w: inout JSONWriter, _ h: LatencyHistogram) {
        guard !h.isEmpty else { w.writeNull(); return }
        let s = h.summary
        w.beginObject()
        for (k, v) in [("p50", s.p50), ("p95", s.p95), ("p99", s.p99), ("p999", s.p999), ("max", s.max)] {
            w.key(k)
            write(&w, (Double(v) / 1e3).rounded() / 1e3)
        }
        w.key("mean"); write(&w, (s.mean / 1e3).rounded() / 1e3)
        w.endObject()
    }

    private static func kinds(_ failures: [RequestFailure: UInt64]) -> String {
        failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    // MARK: - Number formatting (no Foundation in this module)

    /// Nanoseconds as milliseconds with 2 decimals.
    static func milliseconds(_ ns: UInt64) -> String { number(Double(ns) / 1e6, digits: 2) }

    /// `x` with a fixed number of decimals (0 → an integer), e.g. `number(3.14159, digits: 2)` = "3.14".
    static func number(_ x: Double, digits: Int = 0) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9e18 else { return String(x) }
        let n = UInt64(scaled)
        let whole = n / UInt64(scale)
        var s = (x < 0 && n != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let frac = String(n % UInt64(scale))
            s += "." + String(repeating: "0", count: digits - frac.count) + frac
        }
        return s
    }
}
