#if canImport(Glibc)
import Glibc
#endif
import Net

/// A blocking HTTP/1.1 keep-alive client connection, used by exactly one load-generator thread.
///
/// `exchange(_:)` sends one request and waits for its whole reply, with one deadline for the request
/// (send + wait + receive). It connects lazily and reconnects after any failure that leaves the connection in
/// an unknown state (timeout, reset, malformed reply) or when the server asked to close. Failures are
/// returned as a `RequestFailure` kind, never thrown: a load run counts them and goes on.
///
/// Blocking I/O on a dedicated OS thread, never on Swift's cooperative pool (two threads on this machine):
/// one thread per connection is the simplest design that held 59–115k messages/s in the spike
/// (../shared/design/swift-on-linux.md).
public final class HTTPClientConnection {
    private let target: LoadTarget
    private let connectTimeout: Double
    private let requestTimeout: Double
    private let parser: HTTPResponseParser
    private var socket: Socket?
    private var input: [UInt8] = []
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)

    /// Connections opened so far (1 for a healthy keep-alive run; more means reconnects).
    public private(set) var connectsMade = 0

    /// - Parameters:
    ///   - connectTimeout: seconds allowed for the TCP handshake.
    ///   - requestTimeout: seconds allowed from sending the first byte to receiving the last.
    public init(target: LoadTarget, connectTimeout: Double = 5, requestTimeout: Double = 10,
                parser: HTTPResponseParser = HTTPResponseParser()) {
        self.target = target
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

    /// Opens the connection now if it is not open (so a run's first request does not pay the handshake).
    /// - Returns: nil on success, `.connect` when the server cannot be reached.
    @discardableResult
    public func connectIfNeeded() -> RequestFailure? {
        if socket != nil { return nil }
        do {
            socket = try Socket.connect(to: target.address, timeout: connectTimeout, ioTimeout: requestTimeout)
            connectsMade += 1
            input.removeAll(keepingCapacity: true)
            return nil
        } catch {
            return .connect
        }
    }

    /// Sends `request` (complete HTTP/1.1 request bytes) and returns the reply or why there is none.
    public func exchange(_ request: [UInt8]) -> Result<HTTPReply, RequestFailure> {
        if let f = connectIfNeeded() { return .failure(f) }
        guard let s = socket else { return .failure(.connect) }
        let deadline = monotonicNanoseconds() &+ UInt64(requestTimeout * 1e9)
        do {
            try s.sendAll(request)
        } catch let e as NetError {
            close()
            if case .timedOut = e { return .failure(.timeout) }
            return .failure(.connection)
        } catch {
            close()
            return .failure(.connection)
        }
        while true {
            do {
                if let reply = try parser.parse(&input) {
                    if !reply.keepAlive { close() }
                    return .success(reply)
                }
            } catch {
                close()
                return .failure(.malformed)
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
                return .failure(.connection)
            }
            switch r {
            case .bytes(let got):
                input.append(contentsOf: scratch[0..<got])
            case .wouldBlock:
                continue
            case .endOfStream:
                // A reply delimited by the close is complete; anything else was cut short.
                let reply = try? parser.finish(&input)
                close()
                if let reply { return .success(reply) }
                return .failure(.connection)
            }
        }
    }
}
