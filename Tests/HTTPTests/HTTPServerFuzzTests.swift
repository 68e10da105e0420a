import HTTPTestSupport
import TestSupport
import Testing
import Net
import JSON
@testable import HTTP

/// Seeded generator (SplitMix64) so a failing fuzz run can be replayed.
/// The shared seeded generator (TestSupport.SplitMix64), with fuzzing helpers.
typealias FuzzRNG = SplitMix64

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

/// Random and mutated requests against a live server for a bounded time: the server must never crash or
/// hang, and everything it sends must be a well-formed HTTP/1.1 response (JSON bodies valid JSON).
@Suite(.serialized) struct HTTPServerFuzzTests {
    static let seed: UInt64 = 0x5EED_F00D
    static let seconds = 6.0

    static func fuzzRouter() -> HTTPRouter {
        var r = HTTPRouter()
        r.get("/health") { _ in .text("ok") }
        r.post("/echo") { req in HTTPResponse(body: req.body) }
        r.post("/json") { req in
            var floats: [Float] = []
            let v = try JSONValue.parse(req.body, options: JSONParseOptions(maxDepth: 32))
            if let d = v.value(forKeyIgnoringCase: "data"), let f = d.floatArray() { floats = f }
            return .json(["echo": v, "floats": .int(Int64(floats.count))])
        }
        return r
    }

    static func randomJSON(_ rng: inout FuzzRNG, depth: Int = 0) -> String {
        switch rng.below(depth > 3 ? 5 : 8) {
        case 0: return "null"
        case 1: return rng.chance(50) ? "true" : "false"
        case 2: return String(Int64(bitPattern: rng.next()))
        case 3: return String(Double(rng.below(1_000_000)) / 997)
        case 4: return "\"s\(rng.below(100))\\n\\u00e9\u{1F600}\""
        case 5: return "[" + (0..<rng.below(6)).map { _ in randomJSON(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        case 6: return "{\"data\": [" + (0..<rng.below(40)).map { _ in String(Float(rng.below(2000)) / 1000 - 1) }.joined(separator: ", ") + "]}"
        default:
            return "{" + (0..<rng.below(5)).map { "\"k\($0)\": " + randomJSON(&rng, depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }

    static func validRequest(_ rng: inout FuzzRNG) -> [UInt8] {
        switch rng.below(5) {
        case 0: return Array("GET /health HTTP/1.1\r\nHost: f\r\n\r\n".utf8)
        case 1:
            let body = randomJSON(&rng)
            return Array("POST /json HTTP/1.1\r\nHost: f\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        case 2:
            let body = randomJSON(&rng)
            let bytes = Array(body.utf8)
            var s = "POST /json HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n"
            var i = 0
            while i < bytes.count {
                let n = min(bytes.count - i, 1 + rng.below(16))
                s += String(n, radix: 16) + "\r\n" + String(decoding: bytes[i..<(i + n)], as: UTF8.self) + "\r\n"
                i += n
            }
            return Array((s + "0\r\n\r\n").utf8)
        case 3: return Array("POST /echo HTTP/1.0\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc".utf8)
        // (No HEAD: its responses carry content-length without a body, which the checker cannot frame
        // without knowing which request a response answers. HEAD is covered by HTTPServerTests.)
        default: return Array("POST /echo HTTP/1.1\r\nHost: f\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi".utf8)
        }
    }

    static let interesting: [UInt8] = [0, 9, 10, 13, 32, 34, 44, 58, 59, 92, 0x7f, 0x80, 0xc3, 0xff,
                                       UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "0"), UInt8(ascii: "9")]

    static func mutate(_ input: [UInt8], _ rng: inout FuzzRNG) -> [UInt8] {
        var b = input
        for _ in 0..<(1 + rng.below(4)) {
            switch rng.below(8) {
            case 0 where !b.isEmpty: b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
            case 1 where !b.isEmpty: b[rng.below(b.count)] = interesting[rng.below(interesting.count)]
            case 2: b.insert(interesting[rng.below(interesting.count)], at: rng.below(b.count + 1))
            case 3 where !b.isEmpty: b.remove(at: rng.below(b.count))
            case 4 where !b.isEmpty: b.removeLast(rng.below(b.count))                  // truncate
            case 5 where b.count > 2:                                                   // duplicate a slice
                let s = rng.below(b.count - 1), e = s + 1 + rng.below(min(64, b.count - s - 1))
                b.insert(contentsOf: b[s..<e], at: rng.below(b.count))
            case 6: b.insert(contentsOf: Array("\r\nX-F: \(String(repeating: "a", count: rng.below(3000)))".utf8), at: rng.below(b.count + 1))
            default: b.insert(contentsOf: Array("\r\n".utf8), at: rng.below(b.count + 1))
            }
        }
        return b
    }

    static func randomBytes(_ rng: inout FuzzRNG) -> [UInt8] {
        (0..<rng.below(600)).map { _ in rng.chance(30) ? interesting[rng.below(interesting.count)] : UInt8(truncatingIfNeeded: rng.next()) }
    }

    /// Sends `bytes` in random fragments, half-closes, and checks every response until the server closes.
    static func exchange(_ bytes: [UInt8], port: UInt16, rng: inout FuzzRNG) throws -> Int {
        let c = try RawHTTPClient(port: port, timeout: 5)
        var i = 0
        do {
            while i < bytes.count {
                let n = min(bytes.count - i, 1 + rng.below(rng.chance(50) ? 8 : 4096))
                try c.send(Array(bytes[i..<(i + n)]))
                i += n
            }
        } catch let e as NetError where e.isPeerReset {
            // The server may close early after an error response; read what it sent.
        }
        c.socket.shutdownWrite()
        var responses = 0
        while let r = try c.readResponse(headRequest: false) {
            responses += 1
            #expect((100...599).contains(r.status))
            if r.header("content-type") == "application/json" {
                let v = try JSONValue.parse(r.body)
                if r.status >= 400 { #expect(v["error"]?.stringValue != nil) }
            }
            if responses > 64 { throw MalformedResponse(description: "too many responses") }
        }
        return responses
    }

    @Test func randomAndMutatedRequests() async throws {
        var cfg = HTTPServerConfiguration()
        cfg.handlerExecutor = TestThreadExecutor.shared
        cfg.maxBodyBytes = 64 * 1024
        cfg.maxHeaderBytes = 8 * 1024
        cfg.maxURIBytes = 1024
        cfg.readTimeout = 1
        let server = try HTTPServer(configuration: cfg, router: HTTPServerFuzzTests.fuzzRouter())
        try server.start()
        defer { server.shutdownBlocking(gracePeriod: 0.5) }     // also when the test throws
        var rng = FuzzRNG(seed: HTTPServerFuzzTests.seed)
        var cases = 0, responses = 0
        var failure: Error? = nil
        let deadline = monotonicNanoseconds() + UInt64(HTTPServerFuzzTests.seconds * 1e9)
        while monotonicNanoseconds() < deadline {
            let bytes: [UInt8]
            switch rng.below(10) {
            case 0: bytes = HTTPServerFuzzTests.randomBytes(&rng)
            case 1, 2: bytes = HTTPServerFuzzTests.validRequest(&rng)
            case 3: bytes = (0..<(2 + rng.below(4))).flatMap { _ in HTTPServerFuzzTests.validRequest(&rng) }
            default:
                let base = (0..<(1 + rng.below(3))).flatMap { _ in HTTPServerFuzzTests.validRequest(&rng) }
                bytes = HTTPServerFuzzTests.mutate(base, &rng)
            }
            do {
                responses += try HTTPServerFuzzTests.exchange(bytes, port: server.address.port, rng: &rng)
            } catch {
                failure = error
                Issue.record("fuzz case \(cases) (seed \(HTTPServerFuzzTests.seed)) failed: \(error); input \(String(decoding: bytes.prefix(300), as: UTF8.self).debugDescription)")
                break
            }
            cases += 1
        }
        // Still healthy afterwards.
        if failure == nil {
            let c = try RawHTTPClient(port: server.address.port)
            try c.send("GET /health HTTP/1.1\r\nHost: f\r\n\r\n")
            #expect(try c.readResponse()?.bodyText == "ok")
        }
        await server.shutdown(gracePeriod: 2)
        #expect(cases > 200, "only \(cases) fuzz cases ran")
        print("fuzz: \(cases) cases, \(responses) responses, seed \(HTTPServerFuzzTests.seed)")
    }
}

