import Foundation

/// One authenticated client connection to a server, carrying many calls at once.
///
/// Calls are multiplexed by request id: `call` registers a continuation in `PendingCalls`, hands the frame
/// to the `FrameWriter` and suspends; the connection's reader thread resumes it when the reply with that id
/// arrives — replies may come back in any order. A deadline or a cancelled task ends the call at once and
/// sends a CANCEL frame so the server stops the handler. When the connection drops, every call in flight
/// fails with `connectionClosed` (retriable).
final class TCPConnection: @unchecked Sendable {
    let address: WireAddress
    private let fd: Int32
    private let socket: SocketHandle
    private let configuration: WireConfiguration
    private let reader: FrameReader
    private let writer: FrameWriter
    private let pending = PendingCalls()
    private let lock = NSLock()
    private var closed = false
    private var onClose: (@Sendable () -> Void)?

    private init(fd: Int32, address: WireAddress, configuration: WireConfiguration) {
        self.fd = fd
        let socket = SocketHandle(fd)
        self.socket = socket
        self.address = address
        self.configuration = configuration
        reader = FrameReader(fd: fd, maxBodySize: configuration.maxFrameSize)
        writer = FrameWriter(fd: fd, onFailure: { _ in socket.shutdown() })
    }

    /// Connects and runs the handshake. Blocks for up to `connectTimeout` + `handshakeTimeout`: call it from
    /// a dedicated thread, never from a Swift task.
    static func open(
        _ address: WireAddress, configuration: WireConfiguration, onClose: @escaping @Sendable () -> Void
    ) throws(WireError) -> TCPConnection {
        let fd: Int32
        do {
            fd = try Socket.connect(host: address.host, port: address.port, timeout: configuration.connectTimeout)
        } catch {
            throw WireError(.unavailable, retriable: true, "cannot connect to \(address): \(error.reason)")
        }
        let connection = TCPConnection(fd: fd, address: address, configuration: configuration)
        do {
            try connection.handshake()
        } catch {
            connection.socket.close()
            throw error
        }
        connection.onClose = onClose
        connection.writer.start(name: "wire-client-writer-\(address)")
        spawnThread(name: "wire-client-\(address)") { connection.readLoop() }
        return connection
    }

    /// Reads the next handshake frame; an error frame from the server is thrown as is.
    private func handshakeFrame(expecting kind: MessageKind) throws(WireError) -> WireReader {
        let header: FrameHeader
        let body: [UInt8]
        do {
            (header, body) = try reader.next()
        } catch {
            let detail: String
            switch error {
            case .closed, .truncated: detail = "the server closed the connection"
            case .socket(let e): detail = e.timedOut ? "no answer within the handshake timeout" : e.description
            case .frame(let e): detail = e.description
            }
            throw WireError(.unavailable, retriable: true, "handshake with \(address) failed: \(detail)")
        }
        var r = WireReader(body)
        if header.flags.contains(.error) {
            guard let error = try? WireError(from: &r) else {
                throw WireError(.malformedMessage, "undecodable error frame from \(address) during the handshake")
            }
            throw error
        }
        guard header.kind == kind else {
            throw WireError(.authenticationFailed, "\(address) sent \(header.kind) during the handshake, expected \(kind)")
        }
        return r
    }

    private func handshake() throws(WireError) {
        reader.deadline = ContinuousClock.now + configuration.handshakeTimeout
        Socket.setSendTimeout(fd, configuration.sendTimeout)
        var r = try handshakeFrame(expecting: .challenge)
        guard let challenge = try? Handshake.Challenge(from: &r) else {
            throw WireError(.authenticationFailed, "malformed CHALLENGE from \(address)")
        }
        let clientNonce = Handshake.nonce()
        let secret = configuration.clusterSecret
        var hello = WireWriter()
        Handshake.Hello(
            clientNonce: clientNonce, name: configuration.nodeName,
            proof: Handshake.clientProof(secret: secret, serverNonce: challenge.serverNonce, clientNonce: clientNonce)
        ).encode(into: &hello)
        do {
            try Socket.sendAll(fd, Frame.seal(hello, kind: .hello, requestID: 0, flags: []))
        } catch {
            throw WireError(.unavailable, retriable: true, "handshake with \(address) failed: \(error)")
        }
        var w = try handshakeFrame(expecting: .welcome)
        guard let welcome = try? Handshake.Welcome(from: &w) else {
            throw WireError(.authenticationFailed, "malformed WELCOME from \(address)")
        }
        let expected = Handshake.serverProof(secret: secret, serverNonce: challenge.serverNonce, clientNonce: clientNonce)
        guard SHA256.constantTimeEqual(expected, welcome.proof) else {
            throw WireError(
                .authenticationFailed,
                "\(address) does not know this cluster's secret (it accepted our proof but could not prove its own)")
        }
        reader.deadline = nil
        Socket.setReceiveTimeout(fd, nil)
    }

    /// Whether the connection has closed (a new call would fail).
    var isClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closed
    }

    /// Sends one request and waits for its reply body.
    func call(kind: MessageKind, body: consuming WireWriter, deadline: ContinuousClock.Instant) async throws(WireError) -> WireReader {
        let id = pending.makeRequestID()
        let frame = Frame.seal(consume body, kind: kind, requestID: id, flags: [])
        let writer = self.writer
        let address = self.address
        return try await pending.call(
            id: id, deadline: deadline,
            send: {
                writer.send(frame)
                    ? nil : WireError(.connectionClosed, retriable: true, "connection to \(address) is closed")
            },
            abandon: { id in writer.send(Frame.seal(WireWriter(capacity: 0), kind: .cancel, requestID: id, flags: [])) })
    }

    /// Closes the connection; calls in flight fail with `connectionClosed`.
    func close() {
        writer.close(flush: false)
        socket.shutdown()
    }

    private func readLoop() {
        var reason = WireError(.connectionClosed, retriable: true, "connection to \(address) closed")
        loop: while true {
            let header: FrameHeader
            let body: [UInt8]
            do {
                (header, body) = try reader.next()
            } catch {
                switch error {
                case .closed: break
                case .truncated: reason.message += " in the middle of a frame"
                case .socket(let e): reason.message += ": \(e)"
                case .frame(let e): reason = WireError(.malformedFrame, retriable: true, "from \(address): \(e)")
                }
                break loop
            }
            guard header.flags.contains(.response) else {
                reason = WireError(.malformedFrame, retriable: true, "\(address) sent a request frame to a client")
                break
            }
            var r = WireReader(body)
            if header.flags.contains(.error) {
                let error = (try? WireError(from: &r))
                    ?? WireError(.malformedMessage, "undecodable error reply from \(address)")
                if header.requestID == 0 {
                    // A connection-level error (the server closes next): report it to every call.
                    reason = error
                    reason.retriable = true
                    continue
                }
                pending.fail(header.requestID, error)
            } else {
                pending.complete(header.requestID, with: .success(r))
            }
        }
        lock.lock()
        closed = true
        let notify = onClose
        onClose = nil
        lock.unlock()
        pending.close(reason)
        writer.close(flush: false)
        socket.shutdown()
        writer.waitUntilStopped()
        socket.close()
        notify?()
    }
}
