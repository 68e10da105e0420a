#if canImport(Glibc)
import Glibc
#endif

/// Draws a `LoadTimeline` as a self-contained SVG: per 1-s bucket, throughput (grey bars) and failures (red
/// bars) against the right axis, p50 (blue) and p99 (red) latency on a logarithmic left axis — so a spike of
/// 100× reads as clearly as a drift of 2× — and each mark as a labelled vertical line: run starts dashed grey,
/// process kills solid red, restarts solid green.
public struct LoadPlot: Sendable {
    public var title: String
    public var width = 960
    public var height = 520

    public init(title: String) { self.title = title }

    private let left = 72.0, right = 72.0, top = 48.0, bottom = 56.0

    /// The SVG document for `buckets` and `marks` (an empty timeline yields a frame saying "no data").
    public func svg(buckets: [LoadTimeline.Bucket], marks: [LoadTimeline.Mark]) -> String {
        let w = Double(width), h = Double(height)
        let plotW = w - left - right, plotH = h - top - bottom
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\""
            + " font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(w / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(LoadPlot.escape(title))</text>\n"
        let seconds = max(1, (buckets.last?.second ?? 0) + 1, Int((marks.last?.seconds ?? 0).rounded(.up)))
        func x(_ t: Double) -> Double { left + t / Double(seconds) * plotW }

        // Right axis: requests per second (completed + failed), linear from 0.
        let peak = max(buckets.map { Double($0.completed + $0.failed) }.max() ?? 0, 1)
        let rpsStep = LoadPlot.niceCeiling(peak / 5)
        let rpsTicks = Int((peak / rpsStep).rounded(.up))
        let rpsMax = rpsStep * Double(rpsTicks)
        func yRPS(_ v: Double) -> Double { top + plotH - v / rpsMax * plotH }

        // Left axis: latency in ms, log10, whole decades around the data.
        let lat = buckets.flatMap { [$0.p50, $0.p99] }.filter { $0 > 0 }.map { Double($0) / 1e6 }
        var loDecade = -1, hiDecade = 2
        if let lo = lat.min(), let hi = lat.max() {
            loDecade = Int(LoadPlot.log10(lo).rounded(.down))
            hiDecade = max(loDecade + 1, Int(LoadPlot.log10(hi).rounded(.up)))
        }
        func yLat(_ ms: Double) -> Double {
            let v = (LoadPlot.log10(ms) - Double(loDecade)) / Double(hiDecade - loDecade)
            return top + plotH - min(max(v, 0), 1) * plotH
        }

        // Grid and axes.
        s += "<g stroke=\"#ddd\">\n"
        for d in loDecade...hiDecade {
            s += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(yLat(LoadPlot.pow10(d))))\" y2=\"\(f(yLat(LoadPlot.pow10(d))))\"/>\n"
        }
        s += "</g>\n"
        for d in loDecade...hiDecade {
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(yLat(LoadPlot.pow10(d)) + 4))\" text-anchor=\"end\">\(LoadPlot.msLabel(d))</text>\n"
        }
        for i in 0...rpsTicks {
            let v = rpsStep * Double(i)
            s += "<text x=\"\(f(left + plotW + 6))\" y=\"\(f(yRPS(v) + 4))\">\(LoadReport.number(v, digits: rpsStep < 1 ? 1 : 0))</text>\n"
        }
        let step = LoadPlot.niceCeiling(Double(seconds) / 10)
        var t = 0.0
        while t <= Double(seconds) + 1e-9 {
            s += "<text x=\"\(f(x(t)))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(LoadReport.number(t))</text>\n"
            t += step
        }
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(h - 12))\" text-anchor=\"middle\">seconds</text>\n"
        s += "<text transform=\"translate(16 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">latency (ms, log scale)</text>\n"
        s += "<text transform=\"translate(\(f(w - 14)) \(f(top + plotH / 2))) rotate(90)\" text-anchor=\"middle\">requests per second</text>\n"

        if buckets.isEmpty {
            s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\">no data</text>\n"
        }
        // Throughput and failure bars.
        let barW = max(plotW / Double(seconds) - 1, 0.5)
        s += "<g fill=\"#c8c8c8\">\n"
        for b in buckets where b.completed > 0 {
            let y0 = yRPS(Double(b.completed))
            s += "<rect x=\"\(f(x(Double(b.second))))\" y=\"\(f(y0))\" width=\"\(f(barW))\" height=\"\(f(top + plotH - y0))\"/>\n"
        }
        s += "</g>\n<g fill=\"#e06060\">\n"
        for b in buckets where b.failed > 0 {
            let y1 = yRPS(Double(b.completed)), y0 = yRPS(Double(b.completed + b.failed))
            s += "<rect x=\"\(f(x(Double(b.second))))\" y=\"\(f(y0))\" width=\"\(f(barW))\" height=\"\(f(y1 - y0))\"/>\n"
        }
        s += "</g>\n"
        // Latency lines, broken where a second has no completed search.
        for (color, pick) in [("#1f5fbf", { (b: LoadTimeline.Bucket) in b.p50 }), ("#c0392b", { (b: LoadTimeline.Bucket) in b.p99 })] {
            var segment: [String] = []
            func flush() {
                if segment.count == 1 { segment.append(segment[0]) }
                if !segment.isEmpty {
                    s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(segment.joined(separator: " "))\"/>\n"
                }
                segment.removeAll()
            }
            for b in buckets {
                let v = pick(b)
                if b.completed == 0 || v == 0 { flush(); continue }
                segment.append("\(f(x(Double(b.second) + 0.5))),\(f(yLat(Double(v) / 1e6)))")
            }
            flush()
        }
        // Marks.
        for (i, m) in marks.enumerated() {
            let mx = x(m.seconds)
            let (stroke, dash, width): (String, String, String) = switch m.kind {
            case .run: ("#555", " stroke-dasharray=\"4 3\"", "1")
            case .kill: ("#d62728", "", "2")
            case .restart: ("#2ca02c", "", "2")
            }
            s += "<line x1=\"\(f(mx))\" x2=\"\(f(mx))\" y1=\"\(f(top))\" y2=\"\(f(top + plotH))\" stroke=\"\(stroke)\" stroke-width=\"\(width)\"\(dash)/>\n"
            s += "<text x=\"\(f(mx + 3))\" y=\"\(f(top + 12 + Double(i % 3) * 13))\" fill=\"\(m.kind == .run ? "#333" : stroke)\">\(LoadPlot.escape(m.label))</text>\n"
        }
        // Frame and legend.
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#444\"/>\n"
        let legend: [(String, String)] = [("#1f5fbf", "p50 latency"), ("#c0392b", "p99 latency"), ("#c8c8c8", "completed/s"), ("#e06060", "failed/s")]
        for (i, (color, name)) in legend.enumerated() {
            let lx = left + Double(i) * 130
            s += "<rect x=\"\(f(lx))\" y=\"\(f(top - 16))\" width=\"12\" height=\"10\" fill=\"\(color)\"/>"
                + "<text x=\"\(f(lx + 16))\" y=\"\(f(top - 7))\">\(name)</text>\n"
        }
        s += "</svg>\n"
        return s
    }

    private func f(_ v: Double) -> String { LoadReport.number(v, digits: 1) }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// The smallest of 1, 2, 5 × 10^n that is ≥ v.
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        var p = pow10(Int(log10(v).rounded(.down)))
        while true {
            for m in [1.0, 2, 5] where m * p >= v * (1 - 1e-12) { return m * p }
            p *= 10
        }
    }

    static func pow10(_ d: Int) -> Double {
        var r = 1.0
        if d >= 0 { for _ in 0..<d { r *= 10 } } else { for _ in 0..<(-d) { r /= 10 } }
        return r
    }

    static func log10(_ v: Double) -> Double { v > 0 && v.isFinite ? Glibc.log10(v) : 0 }

    static func msLabel(_ decade: Int) -> String {
        if decade >= 3 { return LoadReport.number(pow10(decade - 3)) + " s" }
        if decade >= 0 { return LoadReport.number(pow10(decade)) + " ms" }
        if decade >= -3 { return LoadReport.number(pow10(decade + 3)) + " µs" }
        return LoadReport.number(pow10(decade + 6)) + " ns"
    }
}
