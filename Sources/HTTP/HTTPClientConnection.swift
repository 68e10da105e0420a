import Glibc
import Net

/// A blocking HTTP/1.1 keep-alive client connection to one server, for use by one thread at a time.
///
/// `exchange(_:)` sends one complete request and waits for the whole reply under one deadline (send + wait +
/// receive). It connects lazily and reconnects after anything that leaves the connection in an unknown
/// state (timeout, reset, malformed reply) or when the server closes. Blocking I/O: call it from dedicated
/// threads, never from Swift's cooperative pool.
public final class HTTPClientConnection {
    public let address: SocketAddress
    private let connectTimeout: Double
    private let requestTimeout: Double
    private let parser: HTTPReplyParser
    private var socket: Socket?
    private var input: [UInt8] = []
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)

    /// Connections opened so far (1 for a healthy keep-alive client; more means reconnects).
    public private(set) var connectsMade = 0

    /// - Parameters:
    ///   - connectTimeout: seconds allowed for the TCP handshake.
    ///   - requestTimeout: seconds allowed from sending the first byte to receiving the last.
    public init(address: SocketAddress, connectTimeout: Double = 5, requestTimeout: Double = 30,
                parser: HTTPReplyParser = HTTPReplyParser()) {
        self.address = address
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.parser = parser
    }

    deinit { socket?.close() }

    /// Closes the connection (the next exchange reconnects).
    public func close() {
        socket?.close()
        socket = nil
        input.removeAll(keepingCapacity: true)
    }

    /// Opens the connection now if it is not open.
    public func connectIfNeeded() throws(HTTPClientFailure) {
        if socket != nil { return }
        do {
            let s = try Socket.connect(to: address, timeout: connectTimeout, ioTimeout: requestTimeout)
            try? s.setNoDelay()
            socket = s
        } catch {
            throw .connect
        }
        connectsMade += 1
        lastUsed = monotonicNanoseconds()   // a fresh connection is not idle: `exchange` must not replace it
        input.removeAll(keepingCapacity: true)
    }

    /// Seconds a connection may sit idle before it is replaced instead of reused (default 15; servers close
    /// idle keep-alive connections, ours after 60 s), so a request rarely meets a connection the server
    /// has just closed.
    public var maxIdleSeconds = 15.0
    private var lastUsed: UInt64 = 0

    /// Sends `request` (complete HTTP/1.1 request bytes) and returns the reply or why there is none.
    ///
    /// - Parameter idempotent: when true and a reused connection turns out closed by the server before any
    ///   reply byte arrived, the request is sent once more on a new connection. Leave it false for requests
    ///   that must not be applied twice: the first copy may have been processed.
    public func exchange(_ request: [UInt8], idempotent: Bool = false) -> Result<HTTPClientReply, HTTPClientFailure> {
        let now = monotonicNanoseconds()
        if let s = socket, now &- lastUsed > UInt64(maxIdleSeconds * 1e9) || Self.closedWhileIdle(s) { close() }
        let reused = socket != nil
        var outcome = attempt(request)
        if idempotent, reused, case .failure(.connection) = outcome, sentNothingBack {
            outcome = attempt(request)
        }
        lastUsed = monotonicNanoseconds()
        return outcome
    }

    /// Whether the server closed (or reset) a kept-alive connection while it sat idle: between exchanges
    /// nothing may arrive, so a socket that polls readable holds an end of stream, a reset or stray bytes.
    /// Reusing it would send a request into a dead connection — for a write that is never resent (a proxy
    /// killed and restarted behind the gateway), a failed client request.
    private static func closedWhileIdle(_ s: Socket) -> Bool {
        var pfd = pollfd(fd: s.fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, 0) != 0
    }

    /// Whether the last failed attempt received no byte of a reply (so a retry cannot duplicate a reply).
    private var sentNothingBack = false

    private func attempt(_ request: [UInt8]) -> Result<HTTPClientReply, HTTPClientFailure> {
        sentNothingBack = false
        do throws(HTTPClientFailure) { try connectIfNeeded() } catch { return .failure(error) }
        guard let s = socket else { return .failure(.connect) }
        let deadline = monotonicNanoseconds() &+ UInt64(requestTimeout * 1e9)
        do {
            try s.sendAll(request)
        } catch {
            close()
            sentNothingBack = true
            if case .timedOut = error as? NetError { return .failure(.timeout) }
            return .failure(.connection)
        }
        var received = false
        while true {
            do throws(HTTPClientFailure) {
                if let reply = try parser.parse(&input) {
                    if !reply.keepAlive { close() }
                    return .success(reply)
                }
            } catch {
                close()
                return .failure(error)
            }
            let now = monotonicNanoseconds()
            guard now < deadline else { close(); return .failure(.timeout) }
            var pfd = pollfd(fd: s.fd, events: Int16(POLLIN), revents: 0)
            let waitMs = Int32(min(Double(deadline - now) / 1e6 + 1, 3_600_000))
            let n = poll(&pfd, 1, waitMs)
            if n == 0 { close(); return .failure(.timeout) }
            if n < 0 {
                if errno == EINTR { continue }
                close()
                return .failure(.connection)
            }
            let r: Socket.IOResult
            do {
                r = try scratch.withUnsafeMutableBytes { try s.receive(into: $0) }
            } catch {
                close()
                sentNothingBack = !received
                return .failure(.connection)
            }
            switch r {
            case .bytes(let got):
                received = true
                input.append(contentsOf: scratch[0..<got])
            case .wouldBlock:
                continue
            case .endOfStream:
                let outcome: Result<HTTPClientReply, HTTPClientFailure>
                do throws(HTTPClientFailure) {
                    if let reply = try parser.finish(&input) { outcome = .success(reply) } else { outcome = .failure(.connection) }
                } catch {
                    outcome = .failure(error)
                }
                close()
                sentNothingBack = !received
                return outcome
            }
        }
    }
}
