import Foundation

/// One accepted connection on a `TCPListener`, driven by its own reader thread.
///
/// The reader thread runs the handshake, then reads frames and starts one task per request on the
/// cooperative pool — it never waits for a handler. Replies go through the connection's `FrameWriter`.
/// Back-pressure: the reader stops reading while `maxInFlightPerConnection` requests run or while more than
/// one maximum frame of replies waits to be written.
///
/// What gets which answer:
/// - a malformed frame (magic, version, checksums, flags, size): an error reply, then the connection closes;
/// - a response frame from the client: an error reply, then the connection closes;
/// - an unknown or reserved kind, a duplicate request id: an error reply, the connection stays open;
/// - a request body that does not decode: the handler's `malformedMessage` error reply.
final class TCPServerConnection: @unchecked Sendable {
    private let fd: Int32
    private let socket: SocketHandle
    private let remote: String
    private let configuration: WireConfiguration
    private let handler: any MessageHandler
    private let reader: FrameReader
    private let writer: FrameWriter
    private let condition = NSCondition()
    private var inFlight: [UInt64: Task<Void, Never>] = [:]
    private var closing = false
    private var peerName = "?"
    private let onExit: @Sendable (TCPServerConnection) -> Void

    init(
        fd: Int32, remote: String, configuration: WireConfiguration, handler: any MessageHandler,
        onExit: @escaping @Sendable (TCPServerConnection) -> Void
    ) {
        self.fd = fd
        let socket = SocketHandle(fd)
        self.socket = socket
        self.remote = remote
        self.configuration = configuration
        self.handler = handler
        self.onExit = onExit
        reader = FrameReader(fd: fd, maxBodySize: configuration.maxFrameSize)
        writer = FrameWriter(fd: fd, onFailure: { _ in socket.shutdown() })
    }

    /// Starts the connection's reader thread.
    func start() {
        spawnThread(name: "wire-server-\(remote)") { self.run() }
    }

    /// Closes the connection abruptly and cancels its handlers (listener stopping).
    func close() {
        condition.lock()
        closing = true
        let tasks = Array(inFlight.values)
        condition.broadcast()
        condition.unlock()
        for task in tasks { task.cancel() }
        writer.close(flush: false)
        socket.shutdown()
    }

    private func run() {
        if handshake() {
            writer.start(name: "wire-server-writer-\(remote)")
            serve()
        }
        condition.lock()
        closing = true
        let tasks = Array(inFlight.values)
        condition.unlock()
        for task in tasks { task.cancel() }
        writer.close(flush: true)
        writer.waitUntilStopped()
        socket.shutdown()
        socket.close()
        onExit(self)
    }

    /// CHALLENGE → HELLO → WELCOME (see `Handshake`). False if the peer failed it (after telling it why).
    private func handshake() -> Bool {
        reader.deadline = ContinuousClock.now + configuration.handshakeTimeout
        Socket.setSendTimeout(fd, configuration.sendTimeout)
        let serverNonce = Handshake.nonce()
        var challenge = WireWriter()
        Handshake.Challenge(serverNonce: serverNonce).encode(into: &challenge)
        guard (try? Socket.sendAll(fd, Frame.seal(challenge, kind: .challenge, requestID: 0, flags: []))) != nil else {
            return false
        }
        let refuse = { (error: WireError, kind: MessageKind, id: UInt64) in
            _ = try? Socket.sendAll(self.fd, Frame.error(error, kind: kind, requestID: id))
        }
        let header: FrameHeader
        let body: [UInt8]
        do {
            (header, body) = try reader.next()
        } catch {
            if case .frame(let e) = error { refuse(e.wireError, MessageKind(0), e.replyRequestID) }
            return false
        }
        guard header.kind == .hello, header.flags.isEmpty else {
            refuse(
                WireError(.authenticationFailed, "expected HELLO as the first frame, got \(header.kind)"),
                header.kind, header.requestID)
            return false
        }
        var r = WireReader(body)
        guard let hello = try? Handshake.Hello(from: &r), (try? r.finish()) != nil else {
            refuse(WireError(.authenticationFailed, "malformed HELLO"), header.kind, header.requestID)
            return false
        }
        let expected = Handshake.clientProof(
            secret: configuration.clusterSecret, serverNonce: serverNonce, clientNonce: hello.clientNonce)
        guard SHA256.constantTimeEqual(expected, hello.proof) else {
            refuse(
                WireError(
                    .authenticationFailed,
                    "cluster secret mismatch: '\(hello.name)' at \(remote) is configured with a different secret than this node"),
                header.kind, header.requestID)
            return false
        }
        var welcome = WireWriter()
        Handshake.Welcome(
            proof: Handshake.serverProof(
                secret: configuration.clusterSecret, serverNonce: serverNonce, clientNonce: hello.clientNonce)
        ).encode(into: &welcome)
        guard (try? Socket.sendAll(fd, Frame.seal(welcome, kind: .welcome, requestID: header.requestID, flags: .response)))
            != nil
        else { return false }
        peerName = "\(hello.name)@\(remote)"
        reader.deadline = nil
        Socket.setReceiveTimeout(fd, nil)
        return true
    }

    private func serve() {
        while true {
            condition.lock()
            while inFlight.count >= configuration.maxInFlightPerConnection && !closing { condition.wait() }
            let stop = closing
            condition.unlock()
            if stop { return }
            writer.waitForRoom(configuration.maxFrameSize)

            let header: FrameHeader
            let body: [UInt8]
            do {
                (header, body) = try reader.next()
            } catch {
                if case .frame(let e) = error {
                    writer.send(Frame.error(e.wireError, kind: MessageKind(0), requestID: e.replyRequestID))
                }
                return
            }
            if header.flags.contains(.response) {
                writer.send(Frame.error(
                    WireError(.malformedFrame, "a client sent a response frame"), kind: header.kind,
                    requestID: header.requestID))
                return
            }
            if header.kind == .cancel {
                condition.lock()
                let task = inFlight[header.requestID]
                condition.unlock()
                task?.cancel()
                continue
            }
            if header.kind.isReserved {
                writer.send(Frame.error(
                    WireError(.unknownKind, "\(header.kind) is reserved and not a request"), kind: header.kind,
                    requestID: header.requestID))
                continue
            }
            dispatch(header, body)
        }
    }

    private func dispatch(_ header: FrameHeader, _ body: [UInt8]) {
        let id = header.requestID
        condition.lock()
        defer { condition.unlock() }
        guard inFlight[id] == nil else {
            writer.send(Frame.error(
                WireError(.duplicateRequest, "request id \(id) is already in flight on this connection"),
                kind: header.kind, requestID: id))
            return
        }
        let handler = self.handler
        let peer = peerName
        let limit = configuration.maxFrameSize
        inFlight[id] = Task {
            let reply = await Dispatch.reply(
                handler: handler, header: header, body: WireReader(body), peer: peer, maxBodySize: limit)
            self.writer.send(reply)
            self.finished(id)
        }
    }

    private func finished(_ id: UInt64) {
        condition.lock()
        inFlight.removeValue(forKey: id)
        condition.signal()
        condition.unlock()
    }
}
