import HTTPTestSupport
import Testing
import Synchronization
import Net
import JSON
@testable import HTTP

/// The router every live-server test uses.
func testRouter() -> HTTPRouter {
    var r = HTTPRouter()
    r.get("/health") { _ in .text("ok") }
    r.post("/echo") { req in HTTPResponse(status: .ok, headers: ["content-type": "application/octet-stream"], body: req.body) }
    r.get("/delay") { req in
        let ms = Int(req.query?.split(separator: "=").last ?? "0") ?? 0
        try await Task.sleep(for: .milliseconds(ms))
        return .text("slept \(ms)")
    }
    r.post("/json") { req in
        let v = try JSONValue.parse(req.body, options: JSONParseOptions(maxDepth: 64))
        var count = 0
        if case .array(let a) = v { count = a.count } else if case .object(let o) = v { count = o.count }
        return .json(["count": .int(Int64(count))])
    }
    r.get("/big") { _ in HTTPResponse(body: [UInt8](repeating: 0x61, count: 1 << 20)) }
    return r
}

/// Runs `body` against a started server and always shuts it down, even when `body` throws.
func withServer(_ tweak: (inout HTTPServerConfiguration) -> Void = { _ in },
                _ body: (HTTPServer) async throws -> Void) async throws {
    var cfg = HTTPServerConfiguration()
    cfg.handlerExecutor = TestThreadExecutor.shared
    tweak(&cfg)
    let server = try HTTPServer(configuration: cfg, router: testRouter())
    try server.start()
    do {
        try await body(server)
    } catch {
        await server.shutdown(gracePeriod: 0.5)
        throw error
    }
    await server.shutdown(gracePeriod: 2)
}

/// Live tests on 127.0.0.1 with raw-socket clients. Serialized: the blocking clients occupy a
/// cooperative thread each.
@Suite(.serialized) struct HTTPServerTests {
    @Test func keepAliveServesManyRequestsOnOneConnection() async throws {
        try await withServer({ $0.extraResponseHeaders = ["X-Upstream-Server": "node-7"] }) { server in
            #expect(server.address.port != 0)
            let c = try RawHTTPClient(port: server.address.port)
            for i in 0..<5 {
                try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(String(i).count)\r\n\r\n\(i)")
                let r = try #require(try c.readResponse())
                #expect(r.status == 200)
                #expect(r.bodyText == "\(i)")
                #expect(r.header("connection") == nil)
                #expect(r.header("date") != nil)
            }
            try c.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            let h = try #require(try c.readResponse())
            #expect(h.bodyText == "ok" && h.header("x-upstream-server") == "node-7")
            try c.send("GET /missing HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\n\r\n")
            #expect(try c.readResponse()?.header("x-upstream-server") == "node-7")     // 404 from the router
            let bad = try #require(try c.readResponse())                                // 400 from the parser
            #expect(bad.status == 400 && bad.header("x-upstream-server") == "node-7")
        }
    }

    @Test func pipelinedResponsesKeepRequestOrder() async throws {
        try await withServer { server in
            let c = try RawHTTPClient(port: server.address.port)
            // The first handler finishes last; responses must still come back in request order.
            try c.send("GET /delay?ms=150 HTTP/1.1\r\nHost: t\r\n\r\n"
                       + "GET /delay?ms=0 HTTP/1.1\r\nHost: t\r\n\r\n"
                       + "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
                       + "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                       + "HEAD /health HTTP/1.1\r\nHost: t\r\n\r\n"
                       + "GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(try c.readResponse()?.bodyText == "slept 150")
            #expect(try c.readResponse()?.bodyText == "slept 0")
            #expect(try c.readResponse()?.status == 404)
            #expect(try c.readResponse()?.bodyText == "abc")
            let head = try #require(try c.readResponse(headRequest: true))
            #expect(head.status == 200 && head.header("content-length") == "2")
            let last = try #require(try c.readResponse())
            #expect(last.bodyText == "ok" && last.header("connection") == "close")
            #expect(try c.isClosedByServer())
        }
    }

    @Test func errorsAreJSONAndCloseTheConnection() async throws {
        try await withServer { server in
            let c = try RawHTTPClient(port: server.address.port)
            try c.send("GET /health HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n")
            let r = try #require(try c.readResponse())
            #expect(r.status == 400)
            #expect(r.header("content-type") == "application/json")
            #expect(try JSONValue.parse(r.body)["error"]?.stringValue?.contains("header") == true)
            #expect(r.header("connection") == "close")
            #expect(try c.isClosedByServer())

            let c2 = try RawHTTPClient(port: server.address.port)
            try c2.send("POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            let m = try #require(try c2.readResponse())
            #expect(m.status == 405 && m.header("allow") == "GET, HEAD")
            try c2.send("POST /json HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n[1,2,")
            let j = try #require(try c2.readResponse())
            #expect(j.status == 400)
            #expect(j.bodyText.contains("byte 5"))
        }
    }

    @Test func http10AndConnectionClose() async throws {
        try await withServer { server in
            let c = try RawHTTPClient(port: server.address.port)
            try c.send("GET /health HTTP/1.0\r\n\r\n")
            let r = try #require(try c.readResponse())
            #expect(r.status == 200 && r.header("connection") == "close")
            #expect(try c.isClosedByServer())

            let k = try RawHTTPClient(port: server.address.port)
            for _ in 0..<2 {
                try k.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                #expect(try k.readResponse()?.header("connection") == "keep-alive")
            }
        }
    }

    @Test func expectContinue() async throws {
        try await withServer({ $0.maxBodyBytes = 1000 }) { server in
            let c = try RawHTTPClient(port: server.address.port)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            #expect(try c.readResponse()?.status == 100)
            try c.send("data")
            #expect(try c.readResponse()?.bodyText == "data")

            let big = try RawHTTPClient(port: server.address.port)
            try big.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
            #expect(try big.readResponse()?.status == 413)
            #expect(try big.isClosedByServer())
        }
    }

    @Test func slowlorisHitsTheReadTimeout() async throws {
        try await withServer({ $0.readTimeout = 0.3 }) { server in
            let c = try RawHTTPClient(port: server.address.port)
            let start = monotonicNanoseconds()
            try c.send("GET /health HTTP/1.1\r\nHo")
            try await Task.sleep(for: .milliseconds(150))
            try c.send("st: t\r\n")           // still trickling: the deadline counts from the first byte
            let r = try #require(try c.readResponse())
            let elapsed = Double(monotonicNanoseconds() - start) / 1e9
            #expect(r.status == 408)
            #expect(elapsed >= 0.3 && elapsed < 2, "408 after \(elapsed) s")
            #expect(try c.isClosedByServer())
        }
    }

    @Test func idleConnectionsAreClosed() async throws {
        try await withServer({ $0.idleTimeout = 0.3 }) { server in
            let c = try RawHTTPClient(port: server.address.port)
            try c.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try c.readResponse()?.status == 200)
            let start = monotonicNanoseconds()
            #expect(try c.isClosedByServer())
            #expect(Double(monotonicNanoseconds() - start) / 1e9 < 2)
        }
    }

    @Test func gracefulShutdownFinishesInFlightAndClosesIdle() async throws {
        var cfg = HTTPServerConfiguration()
        cfg.handlerExecutor = TestThreadExecutor.shared
        let server = try HTTPServer(configuration: cfg, router: testRouter())
        try server.start()
        defer { server.shutdownBlocking(gracePeriod: 0.5) }     // also when an expectation below throws
        let port = server.address.port
        let idle = try RawHTTPClient(port: port)
        try idle.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try idle.readResponse()?.status == 200)
        let busy = try RawHTTPClient(port: port)
        try busy.send("GET /delay?ms=400 HTTP/1.1\r\nHost: t\r\n\r\n")
        try await Task.sleep(for: .milliseconds(100))   // the request is in flight
        server.beginShutdown(gracePeriod: 5)
        let r = try #require(try busy.readResponse())
        #expect(r.bodyText == "slept 400")
        #expect(r.header("connection") == "close")
        #expect(try busy.isClosedByServer())
        #expect(try idle.isClosedByServer())
        await server.shutdown(gracePeriod: 5)
        #expect(throws: NetError.self) { _ = try RawHTTPClient(port: port) }
    }

    @Test func gracePeriodBoundsShutdown() async throws {
        var cfg = HTTPServerConfiguration()
        cfg.handlerExecutor = TestThreadExecutor.shared
        let server = try HTTPServer(configuration: cfg, router: testRouter())
        try server.start()
        defer { server.shutdownBlocking(gracePeriod: 0) }
        let busy = try RawHTTPClient(port: server.address.port)
        try busy.send("GET /delay?ms=3000 HTTP/1.1\r\nHost: t\r\n\r\n")
        try await Task.sleep(for: .milliseconds(50))
        let start = monotonicNanoseconds()
        await server.shutdown(gracePeriod: 0.2)
        #expect(Double(monotonicNanoseconds() - start) / 1e9 < 1.5)
        #expect(try busy.readResponse() == nil)
    }

    @Test func hundredsOfConcurrentConnections() async throws {
        try await withServer { server in
            var clients: [RawHTTPClient] = []
            for _ in 0..<400 { clients.append(try RawHTTPClient(port: server.address.port)) }
            for (i, c) in clients.enumerated() {
                try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(String(i).count)\r\n\r\n\(i)")
            }
            for (i, c) in clients.enumerated() {
                #expect(try c.readResponse()?.bodyText == "\(i)")
            }
        }
    }

    @Test func largeResponsesSurviveSlowReaders() async throws {
        try await withServer { server in
            let c = try RawHTTPClient(port: server.address.port)
            try c.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\nGET /big HTTP/1.1\r\nHost: t\r\n\r\n")
            try await Task.sleep(for: .milliseconds(100))   // the server's socket buffer fills meanwhile
            #expect(try c.readResponse()?.body.count == 1 << 20)
            #expect(try c.readResponse()?.body.count == 1 << 20)
        }
    }

    @Test func handlersRunOnTheConfiguredExecutor() async throws {
        try await withServer { server in
            let before = TestThreadExecutor.shared.jobsRun.load(ordering: .relaxed)
            let c = try RawHTTPClient(port: server.address.port)
            try c.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try c.readResponse()?.status == 200)
            let after = TestThreadExecutor.shared.jobsRun.load(ordering: .relaxed)
            #expect(after > before)
        }
    }

    @Test func cpuHeavyHandlerDoesNotBlockOtherConnections() async throws {
        let spinning = Atomic<Bool>(false)
        let spinDone = Atomic<Bool>(false)
        var router = testRouter()
        router.get("/spin") { _ in
            // The CPU-heavy part hops to dedicated threads; the event loop keeps serving meanwhile.
            await withTaskExecutorPreference(TestThreadExecutor.cpu) {
                spinning.store(true, ordering: .relaxed)
                let end = monotonicNanoseconds() + 600_000_000
                var x: UInt64 = 1
                while monotonicNanoseconds() < end { x = x &* 6364136223846793005 &+ 1 }
                spinDone.store(x != 0, ordering: .relaxed)
            }
            return .text("spun")
        }
        var cfg = HTTPServerConfiguration()
        cfg.handlerExecutor = TestThreadExecutor.shared     // test clients block pool threads; see the suite note
        let server = try HTTPServer(configuration: cfg, router: router)
        try server.start()
        defer { server.shutdownBlocking(gracePeriod: 2) }
        let spin = try RawHTTPClient(port: server.address.port)
        try spin.send("GET /spin HTTP/1.1\r\nHost: t\r\n\r\n")
        while !spinning.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
        let c = try RawHTTPClient(port: server.address.port)
        try c.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try c.readResponse()?.status == 200)
        let finishedFirst = spinDone.load(ordering: .relaxed)
        #expect(!finishedFirst, "/health waited for the spinning handler")
        #expect(try spin.readResponse()?.bodyText == "spun")
    }

    @Test func observerSeesEveryResponse() async throws {
        let seen = Mutex<[HTTPExchange]>([])
        try await withServer({ $0.responseObserver = { e in seen.withLock { $0.append(e) } } }) { server in
            let c = try RawHTTPClient(port: server.address.port)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                       + "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n"
                       + "PUT /health HTTP/1.1\r\nHost: t\r\n\r\n"
                       + "GET /x HTTP/9.9\r\n\r\n")
            for _ in 0..<4 { _ = try c.readResponse() }
            #expect(try c.isClosedByServer())
        }
        let r = seen.withLock { $0 }
        #expect(r.count == 4)
        guard r.count == 4 else { return }
        #expect(r[0].method == .POST && r[0].route == "/echo" && r[0].status == 200)
        #expect(r[0].requestBodyBytes == 3 && r[0].responseBodyBytes == 3)
        #expect(r[1].method == .GET && r[1].route == nil && r[1].status == 404)
        #expect(r[2].method == .PUT && r[2].route == "/health" && r[2].status == 405)
        #expect(r[3].method == nil && r[3].route == nil && r[3].status == 505)
    }

    @Test func portInUseIsATypedError() throws {
        let a = try HTTPServer(configuration: .init(), router: testRouter())
        defer { a.shutdownBlocking(gracePeriod: 0) }
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(configuration: .init(address: a.address), router: testRouter())
        }
    }
}
