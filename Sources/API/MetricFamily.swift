/// A metric family collected at scrape time rather than kept in a ``MetricsRegistry``: what a
/// ``MetricsSource`` returns (a proxy's view of its query nodes, for instance). Rendered together with the
/// registry's own families by ``MetricsRegistry/render(adding:)``.
public struct MetricFamily: Sendable {
    public let name: String
    public let help: String
    let kind: MetricsRegistry.Kind
    let bounds: [Double]
    let values: [([String: String], Double)]
    let histograms: [([String: String], MetricsRegistry.Histogram)]

    /// A counter family (values only go up between scrapes of the same process) with one sample per label set.
    public static func counter(_ name: String, help: String, samples: [([String: String], Double)]) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: .counter, bounds: [], values: samples, histograms: [])
    }

    /// A gauge family with one sample per label set.
    public static func gauge(_ name: String, help: String, samples: [([String: String], Double)]) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: .gauge, bounds: [], values: samples, histograms: [])
    }

    /// A histogram family. `bounds` ascend (`+Inf` implied); each sample gives its per-bucket counts, not
    /// cumulative, `bounds.count + 1` of them (the last for `+Inf`), and the sum of the observations.
    /// - Precondition: the bucket counts match the bounds (API misuse otherwise).
    public static func histogram(_ name: String, help: String, bounds: [Double],
                                 samples: [(labels: [String: String], buckets: [UInt64], sum: Double)]) -> MetricFamily {
        precondition(!bounds.isEmpty && zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "buckets must ascend")
        let histograms = samples.map { s -> ([String: String], MetricsRegistry.Histogram) in
            precondition(s.buckets.count == bounds.count + 1, "\(name): \(s.buckets.count) bucket counts for \(bounds.count) bounds")
            let total = s.buckets.reduce(0, &+)
            return (s.labels, MetricsRegistry.Histogram(buckets: Array(s.buckets.prefix(bounds.count)), sum: s.sum, count: total))
        }
        return MetricFamily(name: name, help: help, kind: .histogram, bounds: bounds, values: [], histograms: histograms)
    }

    /// As a registry family (values keyed by rendered labels).
    var registryFamily: MetricsRegistry.Family {
        precondition(MetricsRegistry.isValidName(name), "invalid metric name \(name)")
        var f = MetricsRegistry.Family(name: name, help: help, kind: kind, bounds: bounds)
        for (labels, v) in values { f.values[MetricsRegistry.labelKey(labels)] = v }
        for (labels, h) in histograms { f.histograms[MetricsRegistry.labelKey(labels)] = h }
        return f
    }
}

/// Something that contributes metric families when `/metrics` is scraped, such as a proxy collecting its
/// query nodes' counters over the wire. `collectMetrics()` must bound its own time: the scrape waits for it.
public protocol MetricsSource: Sendable {
    /// The families to add to this scrape's exposition.
    func collectMetrics() async -> [MetricFamily]
}
