import Foundation
import Testing
import VecCore

@testable import Wire

/// TCP-only behaviour: authentication and the server's answers to malformed frames on a live socket.
@Suite struct TCPTransportTests {
    private func withTCP(_ body: (Harness) async throws -> Void) async throws {
        try await Harness.with(.tcp, body)
    }

    /// A transport and listener with a customised configuration, stopped even if `body` throws.
    private func withListener(
        _ configure: (inout WireConfiguration) -> Void,
        _ body: (TCPTransport, any WireListener) async throws -> Void
    ) async throws {
        var configuration = testConfiguration()
        configure(&configuration)
        let transport = try TCPTransport(configuration: configuration)
        let listener = try await transport.listen(on: WireAddress(host: "127.0.0.1", port: 0), handler: makeRouter(Probe()))
        do {
            try await body(transport, listener)
        } catch {
            await listener.stop()
            transport.shutdown()
            throw error
        }
        await listener.stop()
        transport.shutdown()
    }

    private func withListener(handshakeTimeout: Duration, _ body: (any WireListener) async throws -> Void) async throws {
        try await withListener({ $0.handshakeTimeout = handshakeTimeout }) { _, listener in try await body(listener) }
    }

    @Test func connectionsOverTheLimitAreRefused() async throws {
        try await withListener({ $0.maxConnections = 2 }) { _, listener in
            let a = try RawClient(port: listener.address.port)
            try a.handshake()
            let b = try RawClient(port: listener.address.port)
            try b.handshake()
            let c = try RawClient(port: listener.address.port)
            let error = try c.nextError()
            #expect(error.code == .unavailable && error.retriable)
            #expect(c.isClosedByServer())
            withExtendedLifetime((a, b)) {}
        }
    }

    @Test func theServerLimitsRequestsInFlightPerConnection() async throws {
        try await withListener({ $0.maxInFlightPerConnection = 1 }) { transport, listener in
            let client = transport.client(for: listener.address)
            _ = try await client.call(Echo(text: "connect"))
            let start = ContinuousClock.now
            async let first = client.call(Sleep(millis: 300))
            async let second = client.call(Sleep(millis: 300))
            _ = try await (first, second)
            // One at a time: the server did not read the second request until the first finished.
            #expect(ContinuousClock.now - start >= .milliseconds(590))
        }
    }

    @Test func bulkCallsUseTheirOwnConnection() async throws {
        try await withTCP { h in
            let listener = try #require(h.listener as? TCPListener)
            _ = try await h.client.call(Echo(text: "small"))
            #expect(await eventually { listener.connectionCount == 1 })
            let big = Search(vector: [Float](repeating: 1, count: 100_000), topK: 3, filter: nil)  // 400 KB ≥ threshold
            let hits = try await h.client.call(big)
            #expect(hits == SearchHits.expected(for: big))
            #expect(await eventually { listener.connectionCount == 2 })
        }
    }

    @Test func wrongClusterSecretIsRefusedWithAClearError() async throws {
        try await withTCP { h in
            let intruder = try TCPTransport(configuration: testConfiguration(secret: try ClusterSecret("not-the-secret")))
            defer { intruder.shutdown() }
            let error = await wireError { _ = try await intruder.client(for: h.address).call(Echo(text: "let me in")) }
            #expect(error?.code == .authenticationFailed)
            #expect(error?.retriable == false)
            #expect(error?.message.contains("cluster secret mismatch") == true, "\(String(describing: error))")
            // The node keeps serving peers that know the secret.
            let reply = try await h.client.call(Echo(text: "friend"))
            #expect(reply.text == "friend")
        }
    }

    @Test func aRawClientWithTheWrongSecretIsRefusedAndDisconnected() async throws {
        try await withTCP { h in
            let raw = try RawClient(port: h.address.port)
            let (challenge, body) = try raw.next()
            #expect(challenge.kind == .challenge)
            var r = WireReader(body)
            let serverNonce = try Handshake.Challenge(from: &r).serverNonce
            let nonce = Handshake.nonce()
            var w = WireWriter()
            Handshake.Hello(
                clientNonce: nonce, name: "raw",
                proof: Handshake.clientProof(secret: try ClusterSecret("wrong"), serverNonce: serverNonce, clientNonce: nonce)
            ).encode(into: &w)
            try raw.send(Frame.seal(w, kind: .hello, requestID: 0, flags: []))
            #expect(try raw.nextError().code == .authenticationFailed)
            #expect(raw.isClosedByServer())
        }
    }

    @Test func requestsBeforeTheHandshakeAreRefused() async throws {
        try await withTCP { h in
            let raw = try RawClient(port: h.address.port)
            _ = try raw.next()  // CHALLENGE
            try raw.send(frame(Echo(text: "no hello"), id: 1))
            #expect(try raw.nextError().code == .authenticationFailed)
            #expect(raw.isClosedByServer())
        }
    }

    @Test func aSilentClientIsDroppedAfterTheHandshakeTimeout() async throws {
        try await withListener(handshakeTimeout: .milliseconds(200)) { listener in
            let raw = try RawClient(port: listener.address.port)
            _ = try raw.next()  // CHALLENGE, then say nothing
            #expect(raw.isClosedByServer())
        }
    }

    @Test func aTricklingClientIsDroppedAtTheHandshakeDeadline() async throws {
        try await withListener(handshakeTimeout: .milliseconds(400)) { listener in
            let raw = try RawClient(port: listener.address.port)
            _ = try raw.next()  // CHALLENGE
            let hello = frame(Echo(text: "slow"), id: 1)
            let start = ContinuousClock.now
            var sent = 0
            // One byte every 50 ms: each recv succeeds well within the timeout, the total does not.
            while sent < hello.count, ContinuousClock.now - start < .seconds(3) {
                if (try? raw.send([hello[sent]])) == nil { break }
                sent += 1
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(sent < hello.count, "the server let the handshake run past its deadline")
            #expect(raw.isClosedByServer())
        }
    }

    /// Sends `bytes` after a valid handshake and returns the error reply and whether the server then closed.
    private func afterHandshake(_ h: Harness, send bytes: [UInt8]) throws -> (WireError, closed: Bool, RawClient) {
        let raw = try RawClient(port: h.address.port, receiveTimeout: .milliseconds(500))
        try raw.handshake()
        try raw.send(bytes)
        let error = try raw.nextError()
        return (error, raw.isClosedByServer(), raw)
    }

    private func withHeaderCRCFixed(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        let crc = CRC32C.checksum(b[0..<24])
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { b[24 + i] = $0[i] } }
        return b
    }

    @Test func badMagicGetsAnErrorReplyThenClose() async throws {
        try await withTCP { h in
            var bytes = frame(Echo(text: "x"), id: 5)
            bytes[0] = UInt8(ascii: "H")
            let (error, closed, _) = try afterHandshake(h, send: bytes)
            #expect(error.code == .malformedFrame)
            #expect(closed)
        }
    }

    @Test func unknownVersionGetsUnsupportedVersionThenClose() async throws {
        try await withTCP { h in
            var bytes = frame(Echo(text: "x"), id: 5)
            bytes[4] = 9
            let (error, closed, _) = try afterHandshake(h, send: withHeaderCRCFixed(bytes))
            #expect(error.code == .unsupportedVersion)
            #expect(error.message.contains("version 9"))
            #expect(closed)
        }
    }

    @Test func corruptChecksumsGetAnErrorReplyThenClose() async throws {
        try await withTCP { h in
            var header = frame(Echo(text: "x"), id: 5)
            header[10] ^= 0xFF
            let (e1, closed1, _) = try afterHandshake(h, send: header)
            #expect(e1.code == .malformedFrame && closed1)

            var body = frame(Echo(text: "payload"), id: 6)
            body[FrameHeader.size + 2] ^= 0x01
            let (e2, closed2, _) = try afterHandshake(h, send: body)
            #expect(e2.code == .malformedFrame && closed2)
            #expect(e2.message.contains("CRC"))
        }
    }

    @Test func aHugeDeclaredLengthIsRefusedWithoutReadingIt() async throws {
        try await withTCP { h in
            var bytes = Array(frame(Echo(text: "x"), id: 7)[0..<FrameHeader.size])
            withUnsafeBytes(of: UInt32(0xFFFF_FFF0).littleEndian) { for i in 0..<4 { bytes[16 + i] = $0[i] } }
            let (error, closed, _) = try afterHandshake(h, send: withHeaderCRCFixed(bytes))
            #expect(error.code == .frameTooLarge)
            #expect(closed)
        }
    }

    @Test func unknownKindsAndBadBodiesKeepTheConnectionOpen() async throws {
        try await withTCP { h in
            let raw = try RawClient(port: h.address.port)
            try raw.handshake()
            try raw.send(frame(Unrouted(), id: 1))
            #expect(try raw.nextError().code == .unknownKind)
            var w = WireWriter()
            w.writeUInt8(0xFF)  // not a valid Echo body
            try raw.send(Frame.seal(w, kind: Echo.kind, requestID: 2, flags: []))
            #expect(try raw.nextError().code == .malformedMessage)
            try raw.send(frame(Echo(text: "still here"), id: 3))
            let (header, body) = try raw.next()
            #expect(header.requestID == 3 && header.flags == .response)
            var r = WireReader(body)
            #expect(try EchoReply(from: &r).text == "still here")
        }
    }

    @Test func stoppingTheListenerClosesItsConnections() async throws {
        try await withTCP { h in
            let raw = try RawClient(port: h.address.port)
            try raw.handshake()
            let listener = try #require(h.listener as? TCPListener)
            #expect(await eventually { listener.connectionCount == 1 })
            await h.listener.stop()
            #expect(raw.isClosedByServer())
        }
    }

    @Test func backoffGrowsAndIsCapped() throws {
        var c = testConfiguration()
        c.reconnectBackoffInitial = .milliseconds(100)
        c.reconnectBackoffMax = .seconds(1)
        let peer = TCPPeer(address: WireAddress(host: "127.0.0.1", port: 1), configuration: c)
        for _ in 0..<20 {
            let first = peer.backoff(afterFailures: 1)
            #expect(first >= .milliseconds(80) && first <= .milliseconds(120))
            let third = peer.backoff(afterFailures: 3)
            #expect(third >= .milliseconds(320) && third <= .milliseconds(480))
            #expect(peer.backoff(afterFailures: 50) <= .milliseconds(1200))
        }
    }

    @Test func invalidConfigurationIsRejected() throws {
        var c = testConfiguration()
        c.maxFrameSize = 10
        #expect(throws: WireError.self) { try TCPTransport(configuration: c) }
        #expect(throws: WireError.self) { try WireAddress(parsing: "nohost") }
        #expect(throws: WireError.self) { try WireAddress(parsing: "host:99999") }
        #expect(try WireAddress(parsing: "[::1]:80") == WireAddress(host: "::1", port: 80))
    }
}
