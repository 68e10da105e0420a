#if canImport(Glibc)
import Glibc
#endif
import HTTP
import Net
import Synchronization
import Testing

/// A raw TCP server that answers each request it reads with the next scripted step, byte for byte, so the
/// client's handling of closes, garbage and silence is tested against exactly those bytes.
final class ScriptedServer: Sendable {
    enum Step: Sendable {
        /// Write these bytes and keep the connection.
        case send(String)
        /// Write these bytes, then close the connection.
        case sendAndClose(String)
        /// Write nothing; wait for the client to give up and close.
        case silence
    }

    let address: SocketAddress
    private let thread: OSThread

    init(_ steps: [Step]) throws {
        let listener = try TCPListener(address: SocketAddress(host: "127.0.0.1", port: 0))
        address = listener.address
        let counter = Counter()
        self.counter = counter
        thread = try OSThread(name: "scripted") {
            defer { listener.close() }
            var remaining = steps[...]
            while !remaining.isEmpty {
                guard let conn = ScriptedServer.accept(listener) else { return }
                defer { conn.close() }
                var buffer: [UInt8] = []
                connection: while let step = remaining.first {
                    guard ScriptedServer.readRequest(conn, &buffer) else { break connection }
                    counter.value.add(1, ordering: .relaxed)
                    remaining = remaining.dropFirst()
                    switch step {
                    case .send(let s): try? conn.sendAll(Array(s.utf8))
                    case .sendAndClose(let s): try? conn.sendAll(Array(s.utf8)); break connection
                    case .silence: while (try? conn.receive(max: 4096))?.isEmpty == false {}; break connection
                    }
                }
            }
        }
    }

    private final class Counter: Sendable { let value = Atomic<Int>(0) }
    private let counter: Counter

    /// Requests read so far.
    var requests: Int { counter.value.load(ordering: .relaxed) }

    func join() { thread.join() }

    /// Waits up to 5 s for a connection; returns it in blocking mode.
    static func accept(_ l: TCPListener) -> Socket? {
        let deadline = monotonicNanoseconds() + 5_000_000_000
        while monotonicNanoseconds() < deadline {
            if let s = try? l.accept() {
                try? s.setNonBlocking(false)
                try? s.setTimeouts(seconds: 5)
                return s
            }
            usleep(1_000)
        }
        return nil
    }

    /// Reads one request (head + Content-Length body) from `s`; false at end of stream.
    static func readRequest(_ s: Socket, _ buffer: inout [UInt8]) -> Bool {
        while true {
            if let end = headEnd(buffer) {
                let head = String(decoding: buffer[..<end], as: UTF8.self).lowercased()
                var length = 0
                if let r = head.range(of: "content-length: ") {
                    length = Int(head[r.upperBound...].prefix { $0.isNumber }) ?? 0
                }
                if buffer.count >= end + 4 + length {
                    buffer.removeFirst(end + 4 + length)
                    return true
                }
            }
            guard let chunk = try? s.receive(max: 65536), !chunk.isEmpty else { return false }
            buffer += chunk
        }
    }

    static func headEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }
}

@Suite(.serialized) struct HTTPClientConnectionTests {
    static let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    let request = Array("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc".utf8)

    func client(_ s: ScriptedServer, timeout: Double = 5) -> HTTPClientConnection {
        HTTPClientConnection(address: s.address, connectTimeout: 2, requestTimeout: timeout)
    }

    /// The failure of an exchange, nil when it produced a reply.
    func failure(_ r: Result<HTTPClientReply, HTTPClientFailure>) -> HTTPClientFailure? {
        if case .failure(let f) = r { return f }
        return nil
    }

    func isMalformed(_ r: Result<HTTPClientReply, HTTPClientFailure>) -> Bool {
        if case .malformed = failure(r) { return true }
        return false
    }

    @Test func keepAliveReusesOneConnection() throws {
        let s = try ScriptedServer([.send(Self.ok), .send(Self.ok), .send(Self.ok)])
        let c = client(s)
        for _ in 0..<3 { #expect((try? c.exchange(request).get())?.body == Array("ok".utf8)) }
        #expect(c.connectsMade == 1)
        c.close()
        s.join()
    }

    @Test func aConnectionOpenedAheadIsUsedByTheFirstExchange() throws {
        let s = try ScriptedServer([.send(Self.ok)])
        let c = client(s)
        try c.connectIfNeeded()
        #expect((try? c.exchange(request).get())?.status == 200)
        #expect(c.connectsMade == 1)
        c.close()
        s.join()
    }

    @Test func connectionCloseMeansReconnect() throws {
        let s = try ScriptedServer([.sendAndClose("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"), .send(Self.ok)])
        let c = client(s)
        #expect((try? c.exchange(request).get())?.keepAlive == false)
        #expect((try? c.exchange(request).get())?.status == 200)
        #expect(c.connectsMade == 2)
        c.close()
        s.join()
    }

    /// A server that closes a kept-alive connection while it is idle (a proxy killed and restarted behind the
    /// gateway): the next request, even a write that is never resent, goes on a new connection instead of
    /// failing on the dead one.
    @Test func aConnectionClosedWhileIdleIsNotReused() throws {
        let s = try ScriptedServer([.sendAndClose(Self.ok), .send(Self.ok)])
        let c = client(s)
        #expect((try? c.exchange(request).get())?.keepAlive == true)
        usleep(100_000)  // the server's FIN arrives
        #expect((try? c.exchange(request, idempotent: false).get())?.status == 200)
        #expect(c.connectsMade == 2)
        c.close()
        s.join()
    }

    @Test func garbageIsMalformedAndTheNextRequestReconnects() throws {
        let s = try ScriptedServer([.send("<html>hello</html>\r\n\r\n"), .send(Self.ok)])
        let c = client(s)
        #expect(isMalformed(c.exchange(request)))
        #expect((try? c.exchange(request).get())?.status == 200)
        #expect(c.connectsMade == 2)
        c.close()
        s.join()
    }

    @Test func cutRepliesAreMalformedAndCloseDelimitedBodiesAreReplies() throws {
        let s = try ScriptedServer([.sendAndClose("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
                                    .sendAndClose("HTTP/1.0 503 Busy\r\n\r\nbusy"), .sendAndClose("")])
        let c = client(s)
        #expect(isMalformed(c.exchange(request)))
        let r = try c.exchange(request).get()
        #expect(r.status == 503 && r.body == Array("busy".utf8) && !r.keepAlive)
        #expect(failure(c.exchange(request)) == .connection)
        s.join()
    }

    @Test func silenceTimesOutOnTheDeadline() throws {
        let s = try ScriptedServer([.silence, .send(Self.ok)])
        let c = client(s, timeout: 0.2)
        let t0 = monotonicNanoseconds()
        #expect(failure(c.exchange(request)) == .timeout)
        let waited = monotonicNanoseconds() - t0
        #expect(waited >= 190_000_000 && waited < 2_000_000_000, "\(waited) ns")
        #expect((try? c.exchange(request).get())?.status == 200)
        c.close()
        s.join()
    }

    @Test func unreachableServerIsAConnectFailure() throws {
        let l = try TCPListener(address: SocketAddress(host: "127.0.0.1", port: 0))
        let address = l.address
        l.close()
        let c = HTTPClientConnection(address: address)
        #expect(failure(c.exchange(request)) == .connect)
        #expect(throws: HTTPClientFailure.connect) { try c.connectIfNeeded() }
        #expect(c.connectsMade == 0)
    }
}
