import TestSupport
import Foundation
import Synchronization
import Testing

@testable import Wire

// Messages, a router and harnesses shared by the Wire tests.

struct Echo: WireRequest, Equatable {
    static let kind = MessageKind(0x0100)
    typealias Response = EchoReply
    var text: String
    func encode(into w: inout WireWriter) { w.writeString(text) }
    init(text: String) { self.text = text }
    init(from r: inout WireReader) throws(WireDecodingError) { text = try r.readString(limit: 1 << 20) }
}

struct EchoReply: WireCodable, Equatable {
    var text: String
    func encode(into w: inout WireWriter) { w.writeString(text) }
    init(text: String) { self.text = text }
    init(from r: inout WireReader) throws(WireDecodingError) { text = try r.readString() }
}

/// A search-shaped call: a query vector in, hits out (the handler derives hits from the query).
struct Search: WireRequest, Equatable {
    static let kind = MessageKind(0x0101)
    typealias Response = SearchHits
    var vector: [Float]
    var topK: UInt32
    var filter: String?
    func encode(into w: inout WireWriter) {
        w.writeFloats(vector)
        w.writeUInt32(topK)
        w.writeOptional(filter)
    }
    init(vector: [Float], topK: UInt32, filter: String?) {
        self.vector = vector
        self.topK = topK
        self.filter = filter
    }
    init(from r: inout WireReader) throws(WireDecodingError) {
        vector = try r.readFloats(maxCount: 1 << 24)
        topK = try r.readUInt32()
        filter = try r.readOptional(String.self)
    }
}

struct SearchHits: WireCodable, Equatable {
    var ids: [Int64]
    var scores: [Float]
    func encode(into w: inout WireWriter) {
        w.writeArray(ids)
        w.writeFloats(scores)
    }
    init(ids: [Int64], scores: [Float]) {
        self.ids = ids
        self.scores = scores
    }
    init(from r: inout WireReader) throws(WireDecodingError) {
        ids = try r.readArray(of: Int64.self, maxCount: 10_000)
        scores = try r.readFloats(maxCount: 10_000)
    }

    /// What the test handler answers for `search`.
    static func expected(for search: Search) -> SearchHits {
        let k = Int(min(search.topK, UInt32(search.vector.count)))
        return SearchHits(ids: (0..<k).map { Int64($0) * 7 }, scores: Array(search.vector.prefix(k)))
    }
}

/// Makes the handler throw a `WireError` with these fields (or a plain Swift error when `code == 0`).
struct Fail: WireRequest {
    static let kind = MessageKind(0x0102)
    typealias Response = WireEmpty
    var code: UInt16
    var retriable: Bool
    var message: String
    func encode(into w: inout WireWriter) {
        w.writeUInt16(code)
        w.writeBool(retriable)
        w.writeString(message)
    }
    init(code: UInt16, retriable: Bool, message: String) {
        self.code = code
        self.retriable = retriable
        self.message = message
    }
    init(from r: inout WireReader) throws(WireDecodingError) {
        code = try r.readUInt16()
        retriable = try r.readBool()
        message = try r.readString()
    }
}

/// Sleeps in the handler (cancellably) and reports cancellation to the server's probe.
struct Sleep: WireRequest {
    static let kind = MessageKind(0x0103)
    typealias Response = WireEmpty
    var millis: UInt32
    func encode(into w: inout WireWriter) { w.writeUInt32(millis) }
    init(millis: UInt32) { self.millis = millis }
    init(from r: inout WireReader) throws(WireDecodingError) { millis = try r.readUInt32() }
}

/// A kind no server routes.
struct Unrouted: WireRequest {
    static let kind = MessageKind(0x01FF)
    typealias Response = WireEmpty
    func encode(into w: inout WireWriter) {}
    init() {}
    init(from r: inout WireReader) throws(WireDecodingError) {}
}

/// A role's own error type that maps itself to a wire code.
struct RoleError: WireErrorConvertible {
    var wireError: WireError { WireError(WireError.Code(2001), retriable: true, "collection is loading") }
}

struct PlainError: Error, CustomStringConvertible {
    var description: String { "plain Swift error" }
}

/// Counts handlers that observed cancellation.
final class Probe: Sendable {
    let cancelled = Atomic<Int>(0)
    let started = Atomic<Int>(0)
}

func makeRouter(_ probe: Probe) -> WireRouter {
    var router = WireRouter()
    router.on(Echo.self) { request, _ in EchoReply(text: request.text) }
    router.on(Search.self) { request, _ in SearchHits.expected(for: request) }
    router.on(Fail.self) { request, _ in
        if request.code == 0 { throw PlainError() }
        if request.message == "convertible" { throw RoleError() }
        throw WireError(WireError.Code(request.code), retriable: request.retriable, request.message)
    }
    router.on(Blob.self) { request, _ in BlobReply(bytes: [UInt8](repeating: 7, count: Int(request.count))) }
    router.on(Sleep.self) { request, _ in
        probe.started.add(1, ordering: .relaxed)
        do {
            try await Task.sleep(for: .milliseconds(Int(request.millis)))
        } catch {
            probe.cancelled.add(1, ordering: .relaxed)
            throw error
        }
        return WireEmpty()
    }
    return router
}

enum TransportKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case inMemory, tcp
    var testDescription: String { rawValue }
}

let testSecret = try! ClusterSecret("test-cluster-secret-0123456789")

func testConfiguration(secret: ClusterSecret = testSecret) -> WireConfiguration {
    var c = WireConfiguration(clusterSecret: secret)
    c.nodeName = "test"
    c.connectTimeout = .seconds(2)
    c.handshakeTimeout = .seconds(2)
    c.reconnectBackoffInitial = .milliseconds(20)
    c.reconnectBackoffMax = .milliseconds(200)
    c.defaultTimeout = .seconds(20)
    c.maxFrameSize = 16 << 20
    return c
}

/// A transport with one listener on 127.0.0.1:0 serving `makeRouter`; stopped even if `body` throws.
struct Harness: Sendable {
    let kind: TransportKind
    let transport: any WireTransport
    let probe: Probe
    let address: WireAddress
    let listener: any WireListener

    var client: any WireClient { transport.client(for: address) }

    static func with<T>(_ kind: TransportKind, _ body: (Harness) async throws -> T) async throws -> T {
        let transport: any WireTransport
        switch kind {
        case .inMemory: transport = InMemoryNetwork(maxFrameSize: 16 << 20)
        case .tcp: transport = try TCPTransport(configuration: testConfiguration())
        }
        let probe = Probe()
        let listener = try await transport.listen(
            on: WireAddress(host: "127.0.0.1", port: 0), handler: makeRouter(probe))
        let harness = Harness(
            kind: kind, transport: transport, probe: probe, address: listener.address, listener: listener)
        do {
            let result = try await body(harness)
            await harness.tearDown()
            return result
        } catch {
            await harness.tearDown()
            throw error
        }
    }

    func tearDown() async {
        await listener.stop()
        (transport as? TCPTransport)?.shutdown()
    }
}

/// Runs `body` and returns the `WireError` it threw (nil if it succeeded; records an issue for other errors).
func wireError(_ body: () async throws -> Void) async -> WireError? {
    do {
        try await body()
        return nil
    } catch let error as WireError {
        return error
    } catch {
        Issue.record("expected a WireError, got \(type(of: error)): \(error)")
        return nil
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(3), _ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A deterministic generator for randomised tests (SplitMix64).
/// The shared seeded generator (TestSupport.SplitMix64).
typealias SeededGenerator = SplitMix64

/// A hand-driven client socket for sending arbitrary bytes to a TCP listener.
final class RawClient {
    let fd: Int32
    let reader: FrameReader

    init(port: UInt16, receiveTimeout: Duration = .seconds(3)) throws {
        fd = try Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(2))
        Socket.setReceiveTimeout(fd, receiveTimeout)
        Socket.setSendTimeout(fd, .seconds(2))
        reader = FrameReader(fd: fd, maxBodySize: 64 << 20)
    }

    deinit { Socket.close(fd) }

    /// Runs the client side of the handshake with `secret`.
    func handshake(secret: ClusterSecret = testSecret) throws {
        let (h, body) = try reader.next()
        #expect(h.kind == .challenge)
        var r = WireReader(body)
        let challenge = try Handshake.Challenge(from: &r)
        let nonce = Handshake.nonce()
        var w = WireWriter()
        Handshake.Hello(
            clientNonce: nonce, name: "raw",
            proof: Handshake.clientProof(secret: secret, serverNonce: challenge.serverNonce, clientNonce: nonce)
        ).encode(into: &w)
        try send(Frame.seal(w, kind: .hello, requestID: 0, flags: []))
        let (welcome, _) = try reader.next()
        #expect(welcome.kind == .welcome)
    }

    func send(_ bytes: [UInt8]) throws { try Socket.sendAll(fd, bytes) }

    func next() throws -> (FrameHeader, [UInt8]) { try reader.next() }

    /// The next frame, which must be an error reply; returns its decoded error.
    func nextError() throws -> WireError {
        let (h, body) = try reader.next()
        #expect(h.flags.contains(.error))
        var r = WireReader(body)
        return try WireError(from: &r)
    }

    /// Whether the server closes the connection (reads and discards until end of stream or timeout).
    func isClosedByServer() -> Bool {
        while true {
            do {
                _ = try reader.next()
            } catch {
                switch error {
                case .closed, .truncated: return true
                case .socket(let e): return !e.timedOut
                case .frame: continue
                }
            }
        }
    }
}

/// A valid request frame for `message` with `requestID`.
func frame<M: WireMessage>(_ message: M, id: UInt64) -> [UInt8] {
    var w = WireWriter()
    message.encode(into: &w)
    return Frame.seal(w, kind: M.kind, requestID: id, flags: [])
}

/// Replies with `count` bytes (to exceed the frame limit on the way back).
struct Blob: WireRequest {
    static let kind = MessageKind(0x0104)
    typealias Response = BlobReply
    var count: UInt32
    func encode(into w: inout WireWriter) { w.writeUInt32(count) }
    init(count: UInt32) { self.count = count }
    init(from r: inout WireReader) throws(WireDecodingError) { count = try r.readUInt32() }
}

struct BlobReply: WireCodable {
    var bytes: [UInt8]
    func encode(into w: inout WireWriter) { w.writeBytes(bytes) }
    init(bytes: [UInt8]) { self.bytes = bytes }
    init(from r: inout WireReader) throws(WireDecodingError) { bytes = try r.readBytes() }
}
