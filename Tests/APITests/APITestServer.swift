import HTTPTestSupport
import API
import HTTP
import JSON
import Net
import Testing

/// A live `HTTPServer` on 127.0.0.1:0 with every API route over an `InMemoryBackend`, and a blocking
/// keep-alive client that checks what every reply must satisfy.
final class APITestServer {
    let server: HTTPServer
    let backend: InMemoryBackend
    let metrics: APIMetrics
    let client: RawHTTPClient
    static let node = "node-test-1"

    init(auth: APIAuth = .disabled, backend: InMemoryBackend = InMemoryBackend(), defaultCollection: String? = nil) throws {
        self.backend = backend
        let metrics = APIMetrics()
        self.metrics = metrics
        var router = HTTPRouter()
        MilvusRESTRoutes(backend: backend, auth: auth, metrics: metrics).register(on: &router)
        SeedRoutes(backend: backend, auth: auth, defaultCollection: defaultCollection).register(on: &router)
        metrics.register(on: &router)
        OpenAPIDocument.register(on: &router)
        ConsoleRoutes().register(on: &router)
        var config = HTTPServerConfiguration()
        config.handlerExecutor = TestThreadExecutor.shared
        config.extraResponseHeaders = SeedRoutes.upstreamHeaders(node: APITestServer.node)
        config.responseObserver = { metrics.observe($0) }
        server = try HTTPServer(configuration: config, router: router)
        try server.start()
        client = try RawHTTPClient(port: server.address.port)
    }

    func stop() async { await server.shutdown(gracePeriod: 1) }

    /// Sends one request on the keep-alive connection; every reply must carry `X-Upstream-Server`.
    func request(_ method: String, _ path: String, body: [UInt8] = [], headers: [String: String] = [:]) throws -> RawResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.count)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        try client.send(Array((head + "\r\n").utf8) + body)
        let r = try #require(try client.readResponse())
        #expect(r.header("x-upstream-server") == APITestServer.node, "\(path)")
        return r
    }

    /// POSTs a Milvus request and returns the envelope, checking Milvus's rules: HTTP 200, JSON object with
    /// an integer `code`; `data` on success, a non-empty `message` on failure.
    @discardableResult
    func milvus(_ path: String, _ body: String, headers: [String: String] = [:],
                sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        try milvus(path, bytes: Array(body.utf8), headers: headers, sourceLocation: sourceLocation)
    }

    @discardableResult
    func milvus(_ path: String, bytes: [UInt8], headers: [String: String] = [:],
                sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        let r = try request("POST", path.hasPrefix("/") ? path : "/v2/vectordb/" + path, body: bytes, headers: headers)
        #expect(r.status == 200, sourceLocation: sourceLocation)
        #expect(r.header("content-type") == "application/json", sourceLocation: sourceLocation)
        let v = try JSONValue.parse(r.body)
        try APITestServer.checkEnvelope(v, sourceLocation: sourceLocation)
        return v
    }

    static func checkEnvelope(_ v: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws {
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
    var code: Int64? { self["code"]?.int64Value }
    var data: JSONValue? { self["data"] }
    var message: String { self["message"]?.stringValue ?? "" }
}

/// Runs `body` with a fresh server, always shutting it down.
func withAPIServer(auth: APIAuth = .disabled, backend: InMemoryBackend = InMemoryBackend(), defaultCollection: String? = nil,
                   _ body: (APITestServer) async throws -> Void) async throws {
    let s = try APITestServer(auth: auth, backend: backend, defaultCollection: defaultCollection)
    do {
        try await body(s)
    } catch {
        await s.stop()
        throw error
    }
    await s.stop()
}
