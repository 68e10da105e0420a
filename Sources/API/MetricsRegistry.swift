import Synchronization

/// A small Prometheus registry: counters, gauges and fixed-bucket histograms, each a family of series
/// keyed by label values, rendered in the text exposition format (version 0.0.4).
///
/// Families are registered once (re-registering the same name and kind returns silently, so roles can
/// register their metrics without coordinating); updating an unregistered name is a programming error.
/// Updates take one mutex and a dictionary lookup, cheap enough for the HTTP server's loop thread.
///
/// ```swift
/// registry.registerCounter("vecnode_querynode_search_total", help: "Searches served per query node.")
/// registry.increment("vecnode_querynode_search_total", labels: ["node": "3"])
/// ```
public final class MetricsRegistry: Sendable {
    /// Default latency buckets in seconds (Prometheus client defaults, plus 100 µs … 2.5 ms for fast calls).
    public static let defaultLatencyBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                         0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    enum Kind: String { case counter, gauge, histogram }

    struct Histogram {
        var buckets: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    struct Family {
        let name: String
        let help: String
        let kind: Kind
        let bounds: [Double]
        var values: [String: Double] = [:]
        var histograms: [String: Histogram] = [:]
        /// Gauges computed at render time.
        var compute: (@Sendable () -> [([String: String], Double)])?
    }

    private let families = Mutex<[String: Family]>([:])

    public init() {}

    public func registerCounter(_ name: String, help: String) { register(Family(name: name, help: help, kind: .counter, bounds: [])) }
    public func registerGauge(_ name: String, help: String) { register(Family(name: name, help: help, kind: .gauge, bounds: [])) }

    /// A gauge whose series are computed when `/metrics` is scraped (memory, segment counts …).
    public func registerGauge(_ name: String, help: String, compute: @escaping @Sendable () -> [([String: String], Double)]) {
        register(Family(name: name, help: help, kind: .gauge, bounds: [], compute: compute))
    }

    /// A histogram with fixed upper bounds (sorted ascending; `+Inf` is implicit).
    public func registerHistogram(_ name: String, help: String, buckets: [Double] = MetricsRegistry.defaultLatencyBuckets) {
        precondition(!buckets.isEmpty && zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 }, "buckets must ascend")
        register(Family(name: name, help: help, kind: .histogram, bounds: buckets))
    }

    private func register(_ family: Family) {
        precondition(MetricsRegistry.isValidName(family.name), "invalid metric name \(family.name)")
        families.withLock { f in
            if let existing = f[family.name] {
                precondition(existing.kind == family.kind, "metric \(family.name) registered as \(existing.kind) and \(family.kind)")
                return
            }
            f[family.name] = family
        }
    }

    /// Adds `value` (≥ 0) to a counter series.
    public func increment(_ name: String, labels: [String: String] = [:], by value: Double = 1) {
        let key = MetricsRegistry.labelKey(labels)
        families.withLock { f in
            precondition(f[name]?.kind == .counter, "\(name) is not a registered counter")
            f[name]!.values[key, default: 0] += value
        }
    }

    /// Sets a gauge series.
    public func set(_ name: String, labels: [String: String] = [:], to value: Double) {
        let key = MetricsRegistry.labelKey(labels)
        families.withLock { f in
            precondition(f[name]?.kind == .gauge, "\(name) is not a registered gauge")
            f[name]!.values[key] = value
        }
    }

    /// Records one observation in a histogram series.
    public func observe(_ name: String, labels: [String: String] = [:], value: Double) {
        let key = MetricsRegistry.labelKey(labels)
        families.withLock { f in
            guard let family = f[name], family.kind == .histogram else { preconditionFailure("\(name) is not a registered histogram") }
            var h = family.histograms[key] ?? Histogram(buckets: [UInt64](repeating: 0, count: family.bounds.count))
            if let i = family.bounds.firstIndex(where: { value <= $0 }) { h.buckets[i] += 1 }
            h.sum += value
            h.count += 1
            f[name]!.histograms[key] = h
        }
    }

    /// The current value of a counter or gauge series (nil if never set); for tests and self-checks.
    public func value(_ name: String, labels: [String: String] = [:]) -> Double? {
        let key = MetricsRegistry.labelKey(labels)
        return families.withLock { $0[name]?.values[key] }
    }

    /// The exposition text: families sorted by name, series sorted by labels.
    public func render() -> String { render(adding: []) }

    /// The exposition text of the registered families plus `extra` (collected at scrape time), sorted by
    /// name. A collected family whose name is registered here is left out (the registry's wins).
    public func render(adding extra: [MetricFamily]) -> String {
        var snapshot = families.withLock { $0 }
        for family in extra where snapshot[family.name] == nil { snapshot[family.name] = family.registryFamily }
        var out = ""
        for name in snapshot.keys.sorted() {
            let f = snapshot[name]!
            out += "# HELP \(name) \(MetricsRegistry.escapeHelp(f.help))\n# TYPE \(name) \(f.kind.rawValue)\n"
            switch f.kind {
            case .counter, .gauge:
                var values = f.values
                if let compute = f.compute {
                    for (labels, v) in compute() { values[MetricsRegistry.labelKey(labels)] = v }
                }
                for key in values.keys.sorted() {
                    out += "\(name)\(key.isEmpty ? "" : "{\(key)}") \(MetricsRegistry.format(values[key]!))\n"
                }
            case .histogram:
                for key in f.histograms.keys.sorted() {
                    let h = f.histograms[key]!
                    let prefix = key.isEmpty ? "" : key + ","
                    var cumulative: UInt64 = 0
                    for (i, bound) in f.bounds.enumerated() {
                        cumulative += h.buckets[i]
                        out += "\(name)_bucket{\(prefix)le=\"\(MetricsRegistry.format(bound))\"} \(cumulative)\n"
                    }
                    out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(h.count)\n"
                    out += "\(name)_sum\(key.isEmpty ? "" : "{\(key)}") \(MetricsRegistry.format(h.sum))\n"
                    out += "\(name)_count\(key.isEmpty ? "" : "{\(key)}") \(h.count)\n"
                }
            }
        }
        return out
    }

    /// `a="x",b="y"` with names sorted and values escaped (`\\`, `\"`, `\n`).
    static func labelKey(_ labels: [String: String]) -> String {
        labels.keys.sorted().map { k in
            var v = ""
            for c in labels[k]! {
                switch c {
                case "\\": v += "\\\\"
                case "\"": v += "\\\""
                case "\n": v += "\\n"
                default: v.append(c)
                }
            }
            return "\(k)=\"\(v)\""
        }.joined(separator: ",")
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }

    /// Integral values without a fraction, others in Swift's shortest round-trip form.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    static func isValidName(_ s: String) -> Bool {
        guard let first = s.utf8.first, !(first >= 48 && first <= 57) else { return false }
        return s.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 58 }
    }
}
