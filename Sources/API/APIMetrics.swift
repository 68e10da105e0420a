import HTTP
import Runtime

/// The API's Prometheus metrics, on a ``MetricsRegistry`` the roles add their own metrics to, served at
/// `GET /metrics`. Every metric is documented in docs/metrics.md.
///
/// Wire it to the server with `config.responseObserver = metrics.observe` so every response — the
/// server's own 4xx/5xx included — is counted; the Milvus routes also report their envelope codes.
public final class APIMetrics: Sendable {
    public let registry: MetricsRegistry

    static let requests = "vecnode_http_requests_total"
    static let duration = "vecnode_http_request_duration_seconds"
    static let requestBytes = "vecnode_http_request_body_bytes_total"
    static let responseBytes = "vecnode_http_response_body_bytes_total"
    static let milvusReplies = "vecnode_milvus_requests_total"
    static let residentMemory = "vecnode_process_resident_memory_bytes"

    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        registry.registerCounter(APIMetrics.requests, help: "HTTP requests answered, by method, route and HTTP status.")
        registry.registerHistogram(APIMetrics.duration, help: "Seconds from the request being fully received to its response being queued, by route and HTTP status.")
        registry.registerCounter(APIMetrics.requestBytes, help: "Request body bytes received, by route.")
        registry.registerCounter(APIMetrics.responseBytes, help: "Response body bytes sent, by route.")
        registry.registerCounter(APIMetrics.milvusReplies, help: "Milvus REST requests by endpoint and envelope code (0 = success).")
        registry.registerGauge(APIMetrics.residentMemory, help: "Resident set size of the process.") {
            [([:], Double(ProcessMemory.residentBytes()))]
        }
    }

    /// The server's `responseObserver`: counts the exchange. `route` is the matched path pattern, or
    /// `unmatched` for 404s and rejected requests (keeps label cardinality bounded).
    public func observe(_ exchange: HTTPExchange) {
        let route = exchange.route ?? "unmatched"
        let status = String(exchange.status)
        registry.increment(APIMetrics.requests, labels: ["method": exchange.method?.rawValue ?? "unknown", "route": route, "status": status])
        registry.observe(APIMetrics.duration, labels: ["route": route, "status": status],
                         value: Double(exchange.durationNanoseconds) / 1e9)
        registry.increment(APIMetrics.requestBytes, labels: ["route": route], by: Double(exchange.requestBodyBytes))
        registry.increment(APIMetrics.responseBytes, labels: ["route": route], by: Double(exchange.responseBodyBytes))
    }

    /// Counts a Milvus envelope (called by ``MilvusRESTRoutes``).
    func recordMilvusReply(endpoint: String, code: Int) {
        registry.increment(APIMetrics.milvusReplies, labels: ["endpoint": endpoint, "code": String(code)])
    }

    /// Adds `GET /metrics` (Prometheus text format 0.0.4): the registry's families plus what every source
    /// in `sources` collects at scrape time (in order; each bounds its own time).
    public func register(on router: inout HTTPRouter, sources: [any MetricsSource] = []) {
        router.get("/metrics") { [registry] _ in
            var collected: [MetricFamily] = []
            for source in sources { collected += await source.collectMetrics() }
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "text/plain; version=0.0.4; charset=utf-8")
            return HTTPResponse(status: .ok, headers: headers, body: Array(registry.render(adding: collected).utf8))
        }
    }
}
