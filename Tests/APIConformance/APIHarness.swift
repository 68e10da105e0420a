import API
import HTTP
import HTTPTestSupport
import JSON
import Net
import Testing

/// A live `HTTPServer` on 127.0.0.1:0 with every API route (Milvus REST v2, the seed's `/health` and
/// `/search`, `/metrics`, `/openapi.json`, the console) over any `APIBackend`, and a blocking keep-alive
/// client that checks what every reply must satisfy. The API tests run it over the in-memory backend, the
/// proxy tests over a real cluster; `EndpointCase.all` runs the same requests over both.
public final class APIHarness {
    public let server: HTTPServer
    public let metrics: APIMetrics
    public let client: RawHTTPClient
    /// The node every response names in `X-Upstream-Server`.
    public static let node = "node-test-1"

    public init(backend: any APIBackend, auth: APIAuth = .disabled, defaultCollection: String? = nil,
                metricsSources: [any MetricsSource] = []) throws {
        let metrics = APIMetrics()
        self.metrics = metrics
        var router = HTTPRouter()
        APIHarness.registerRoutes(on: &router, backend: backend, auth: auth, defaultCollection: defaultCollection,
                                  metrics: metrics, metricsSources: metricsSources)
        var config = HTTPServerConfiguration()
        config.handlerExecutor = TestThreadExecutor.shared
        config.extraResponseHeaders = SeedRoutes.upstreamHeaders(node: APIHarness.node)
        config.responseObserver = { metrics.observe($0) }
        server = try HTTPServer(configuration: config, router: router)
        try server.start()
        client = try RawHTTPClient(port: server.address.port)
    }

    /// Every route a vecnode server serves, registered as `Cluster.APIServer` does.
    public static func registerRoutes(on router: inout HTTPRouter, backend: any APIBackend, auth: APIAuth = .disabled,
                                      defaultCollection: String? = nil, metrics: APIMetrics = APIMetrics(),
                                      metricsSources: [any MetricsSource] = []) {
        MilvusRESTRoutes(backend: backend, auth: auth, metrics: metrics).register(on: &router)
        SeedRoutes(backend: backend, auth: auth, defaultCollection: defaultCollection).register(on: &router)
        metrics.register(on: &router, sources: metricsSources)
        OpenAPIDocument.register(on: &router)
        ConsoleRoutes().register(on: &router)
    }

    public func stop() async { await server.shutdown(gracePeriod: 1) }

    /// Sends one request on the keep-alive connection; every reply must carry `X-Upstream-Server`.
    public func request(_ method: String, _ path: String, body: [UInt8] = [], headers: [String: String] = [:],
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> RawResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.count)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        try client.send(Array((head + "\r\n").utf8) + body)
        let r = try #require(try client.readResponse(), sourceLocation: sourceLocation)
        #expect(r.header("x-upstream-server") == APIHarness.node, "\(path)", sourceLocation: sourceLocation)
        return r
    }

    /// POSTs a Milvus request and returns the envelope, checking Milvus's rules: HTTP 200, JSON object with
    /// an integer `code`; `data` on success, a non-empty `message` on failure.
    @discardableResult
    public func milvus(_ path: String, _ body: String, headers: [String: String] = [:],
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        try milvus(path, bytes: Array(body.utf8), headers: headers, sourceLocation: sourceLocation)
    }

    @discardableResult
    public func milvus(_ path: String, bytes: [UInt8], headers: [String: String] = [:],
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        let r = try request("POST", path.hasPrefix("/") ? path : "/v2/vectordb/" + path, body: bytes, headers: headers,
                            sourceLocation: sourceLocation)
        #expect(r.status == 200, sourceLocation: sourceLocation)
        #expect(r.header("content-type") == "application/json", sourceLocation: sourceLocation)
        let v = try JSONValue.parse(r.body)
        try APIHarness.checkEnvelope(v, sourceLocation: sourceLocation)
        return v
    }

    public static func checkEnvelope(_ v: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let code = try #require(v["code"]?.int64Value, "no integer code in \(v)", sourceLocation: sourceLocation)
        if code == 0 {
            #expect(v["data"] != nil, "success without data: \(v)", sourceLocation: sourceLocation)
            #expect(v["message"] == nil, sourceLocation: sourceLocation)
        } else {
            let message = v["message"]?.stringValue ?? ""
            #expect(!message.isEmpty, "error without message: \(v)", sourceLocation: sourceLocation)
            #expect(v["data"] == nil, sourceLocation: sourceLocation)
        }
    }
}

extension JSONValue {
    public var code: Int64? { self["code"]?.int64Value }
    public var data: JSONValue? { self["data"] }
    public var message: String { self["message"]?.stringValue ?? "" }
}
