import API
import Testing

struct MetricsRegistryTests {
    @Test func rendersPrometheusTextExactly() {
        let r = MetricsRegistry()
        r.registerCounter("vecnode_test_total", help: "Things.\nCounted.")
        r.registerGauge("vecnode_test_gauge", help: "A level.")
        r.registerHistogram("vecnode_test_seconds", help: "Latency.", buckets: [0.1, 1])
        r.registerCounter("vecnode_test_total", help: "again")  // idempotent
        r.increment("vecnode_test_total", labels: ["b": "x\"y", "a": "1"])
        r.increment("vecnode_test_total", labels: ["a": "1", "b": "x\"y"], by: 2)
        r.set("vecnode_test_gauge", to: 0.5)
        r.observe("vecnode_test_seconds", labels: ["route": "/s"], value: 0.05)
        r.observe("vecnode_test_seconds", labels: ["route": "/s"], value: 0.5)
        r.observe("vecnode_test_seconds", labels: ["route": "/s"], value: 3)
        #expect(r.value("vecnode_test_total", labels: ["a": "1", "b": "x\"y"]) == 3)
        #expect(r.render() == """
            # HELP vecnode_test_gauge A level.
            # TYPE vecnode_test_gauge gauge
            vecnode_test_gauge 0.5
            # HELP vecnode_test_seconds Latency.
            # TYPE vecnode_test_seconds histogram
            vecnode_test_seconds_bucket{route="/s",le="0.1"} 1
            vecnode_test_seconds_bucket{route="/s",le="1"} 2
            vecnode_test_seconds_bucket{route="/s",le="+Inf"} 3
            vecnode_test_seconds_sum{route="/s"} 3.55
            vecnode_test_seconds_count{route="/s"} 3
            # HELP vecnode_test_total Things.\\nCounted.
            # TYPE vecnode_test_total counter
            vecnode_test_total{a="1",b="x\\"y"} 3

            """)
    }

    @Test func computedGauges() {
        let r = MetricsRegistry()
        r.registerGauge("vecnode_segments", help: "Segments per node.") { [(["node": "2"], 7), (["node": "1"], 3)] }
        #expect(r.render().hasSuffix("vecnode_segments{node=\"1\"} 3\nvecnode_segments{node=\"2\"} 7\n"))
    }
}
