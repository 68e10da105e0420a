import Foundation
import Gateway
import HTTP
import HTTPTestSupport
import JSON
import Net
import Synchronization
import Testing

/// A backend standing in for a proxy: answers /health, a read (`entities/search`) and a write
/// (`entities/insert`), naming itself; can be told to fail health checks or to drop writes unanswered.
final class FakeProxyState: Sendable {
    let healthy = Atomic<Bool>(true)
    let writes = Atomic<Int>(0)
}

final class FakeProxy: Sendable {
    let name: String
    let server: HTTPServer
    let state = FakeProxyState()

    init(name: String, delay: Duration = .zero) throws {
        self.name = name
        var r = HTTPRouter()
        let state = self.state
        r.get("/health") { _ in state.healthy.load(ordering: .relaxed) ? .json(["status": "ok"]) : .json(["status": "down"], status: HTTPStatus(code: 503)) }
        r.post("/v2/vectordb/entities/search") { req in
            if delay > .zero { try await Task.sleep(for: delay) }
            return .json(["code": 0, "served": .string(name), "echo": .string(String(decoding: req.body, as: UTF8.self)),
                          "query": .string(req.query ?? "")])
        }
        r.post("/v2/vectordb/entities/insert") { _ in
            state.writes.wrappingAdd(1, ordering: .relaxed)
            return .json(["code": 0, "served": .string(name)])
        }
        var cfg = HTTPServerConfiguration()
        cfg.handlerExecutor = TestThreadExecutor.shared
        cfg.extraResponseHeaders = ["X-Upstream-Server": name]
        server = try HTTPServer(configuration: cfg, router: r)
        try server.start()
    }
}

/// Starts a gateway over `proxies`, runs `body`, and always stops everything.
func withGateway(_ proxies: [FakeProxy], tweak: (inout GatewayConfiguration) -> Void = { _ in },
                 _ body: (Gateway) async throws -> Void) async throws {
    var cfg = GatewayConfiguration(listen: try SocketAddress(host: "127.0.0.1", port: 0),
                                   upstreams: proxies.map(\.server.address))
    cfg.healthInterval = 0.1
    cfg.forwardingThreads = 8
    tweak(&cfg)
    let gateway = try Gateway(configuration: cfg)
    try gateway.start()
    do {
        try await body(gateway)
    } catch {
        await gateway.shutdown(gracePeriod: 0.5)
        for p in proxies { await p.server.shutdown(gracePeriod: 0.2) }
        throw error
    }
    await gateway.shutdown(gracePeriod: 1)
    for p in proxies { await p.server.shutdown(gracePeriod: 0.2) }
}

func post(_ c: RawHTTPClient, _ path: String, _ body: String) throws -> RawResponse {
    try c.send("POST \(path) HTTP/1.1\r\nHost: g\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
    return try #require(try c.readResponse())
}

func servedBy(_ r: RawResponse) throws -> String {
    try #require(JSONValue.parse(r.body).value(forKeyIgnoringCase: "served")?.stringValue)
}

@Suite(.serialized) struct GatewayTests {
    @Test func forwardsBodiesQueriesAndNamesTheUpstream() async throws {
        let p = try FakeProxy(name: "proxy-a")
        try await withGateway([p]) { g in
            let c = try RawHTTPClient(port: g.address.port)
            let r = try post(c, "/v2/vectordb/entities/search?trace=1", #"{"collectionName":"c","data":[[1,2]]}"#)
            #expect(r.status == 200)
            #expect(r.header("X-Upstream-Server") == "proxy-a")
            let v = try JSONValue.parse(r.body)
            #expect(v.value(forKeyIgnoringCase: "echo")?.stringValue == #"{"collectionName":"c","data":[[1,2]]}"#)
            #expect(v.value(forKeyIgnoringCase: "query")?.stringValue == "trace=1")
            // Unknown paths reach the upstream too (its 404).
            try c.send("GET /nope HTTP/1.1\r\nHost: g\r\n\r\n")
            #expect(try #require(try c.readResponse()).status == 404)
        }
    }

    @Test func leastConnectionsSpreadsConcurrentRequests() async throws {
        let a = try FakeProxy(name: "a", delay: .milliseconds(30))
        let b = try FakeProxy(name: "b", delay: .milliseconds(30))
        try await withGateway([a, b]) { g in
            let port = g.address.port
            // Clients on OS threads: blocking sockets must not occupy the cooperative pool the gateway uses.
            let names = Mutex<[String]>([])
            let failures = Mutex<[String]>([])
            let threads = (0..<4).map { _ in
                Thread {
                    do {
                        let c = try RawHTTPClient(port: port)
                        for _ in 0..<6 {
                            let n = try servedBy(try post(c, "/v2/vectordb/entities/search", "{}"))
                            names.withLock { $0.append(n) }
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            for t in threads { t.start() }
            while names.withLock({ $0.count }) + failures.withLock({ $0.count }) * 6 < 24 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(failures.withLock { $0 }.isEmpty)
            let all = names.withLock { $0 }
            #expect(all.count == 24)
            let countA = all.filter { $0 == "a" }.count
            #expect(countA >= 6 && countA <= 18, "a served \(countA) of 24")
        }
    }

    @Test func deadUpstreamIsSkippedAndReadsNeverFail() async throws {
        let a = try FakeProxy(name: "a")
        let b = try FakeProxy(name: "b")
        try await withGateway([a, b]) { g in
            let c = try RawHTTPClient(port: g.address.port)
            await a.server.shutdown(gracePeriod: 0)
            // Every read succeeds, served by b, before and after the health check notices.
            for _ in 0..<20 {
                let r = try post(c, "/v2/vectordb/entities/search", "{}")
                #expect(r.status == 200)
                #expect(try servedBy(r) == "b")
            }
            let start = ContinuousClock.now
            while g.balancer.upstreams[0].isHealthy && ContinuousClock.now - start < .seconds(3) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(!g.balancer.upstreams[0].isHealthy)
            try c.send("GET /gateway/status HTTP/1.1\r\nHost: g\r\n\r\n")
            let status = try JSONValue.parse(try #require(try c.readResponse()).body)
            #expect(status.value(forKeyIgnoringCase: "upstreams")?[0]?.value(forKeyIgnoringCase: "healthy")?.boolValue == false)
        }
    }

    @Test func failingHealthChecksTakeAnUpstreamOutAndBackIn() async throws {
        let a = try FakeProxy(name: "a")
        let b = try FakeProxy(name: "b")
        try await withGateway([a, b]) { g in
            a.state.healthy.store(false, ordering: .relaxed)
            try await Self.waitFor { !g.balancer.upstreams[0].isHealthy }
            let c = try RawHTTPClient(port: g.address.port)
            for _ in 0..<10 { #expect(try servedBy(try post(c, "/v2/vectordb/entities/search", "{}")) == "b") }
            a.state.healthy.store(true, ordering: .relaxed)
            try await Self.waitFor { g.balancer.upstreams[0].isHealthy }
        }
    }

    @Test func writesAreNotRetriedAndAllDownIs502() async throws {
        let a = try FakeProxy(name: "a")
        try await withGateway([a], tweak: { $0.healthInterval = 5 }) { g in
            let c = try RawHTTPClient(port: g.address.port)
            #expect(try post(c, "/v2/vectordb/entities/insert", "{}").status == 200)
            #expect(a.state.writes.load(ordering: .relaxed) == 1)
            await a.server.shutdown(gracePeriod: 0)
            let r = try post(c, "/v2/vectordb/entities/insert", "{}")
            #expect(r.status == 502)
            #expect(try JSONValue.parse(r.body).value(forKeyIgnoringCase: "error")?.stringValue != nil)
            #expect(a.state.writes.load(ordering: .relaxed) == 1)
        }
    }

    @Test func configurationIsValidated() throws {
        let any = try SocketAddress(host: "127.0.0.1", port: 0)
        #expect(throws: GatewayError.self) { try GatewayConfiguration(listen: any, upstreams: []).validate() }
        var c = GatewayConfiguration(listen: any, upstreams: [any])
        c.forwardingThreads = 0
        #expect(throws: GatewayError.self) { try c.validate() }
        #expect(GatewayConfiguration.isRetriable(method: .POST, path: "/v2/vectordb/entities/search"))
        #expect(GatewayConfiguration.isRetriable(method: .POST, path: "/search"))
        #expect(!GatewayConfiguration.isRetriable(method: .POST, path: "/v2/vectordb/entities/insert"))
        #expect(!GatewayConfiguration.isRetriable(method: .POST, path: "/v2/vectordb/collections/drop"))
    }

    static func waitFor(_ condition: () -> Bool, timeout: Duration = .seconds(3)) async throws {
        let start = ContinuousClock.now
        while !condition() {
            guard ContinuousClock.now - start < timeout else {
                Issue.record("condition not reached within \(timeout)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
