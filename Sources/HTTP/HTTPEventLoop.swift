import Net
import Synchronization

/// One epoll event-loop thread: accepts connections from the shared listener, reads and parses requests,
/// dispatches handlers as tasks, and writes their responses back in order.
///
/// Thread model: everything except `complete` and `requestShutdown` runs on the loop's own OS thread.
/// Handlers run elsewhere (a task per request); when one finishes, `complete` queues the response under a
/// mutex and wakes the loop through its eventfd (one wake per batch, not per response).
final class HTTPEventLoop: @unchecked Sendable {
    struct Completion {
        let token: UInt64
        let seq: UInt64
        let response: HTTPResponse
    }

    struct Inbox: ~Copyable {
        var completions: [Completion] = []
        var wakePending = false
        var shutdownDeadline: UInt64? = nil
    }

    static let listenerToken = UInt64.max - 1

    let index: Int
    private let epoll: Epoll
    private let listener: TCPListener
    private let router: HTTPRouter
    private let config: HTTPServerConfiguration
    private let limits: HTTPRequestParser.Limits
    private let connectionLimit: Int
    private let inbox = Mutex(Inbox())

    // Loop-thread state.
    private var connections: [Int32: HTTPConnection] = [:]
    private var generation: UInt64 = 0
    private var now: UInt64 = 0
    private var date = HTTPDateCache()
    /// `date` plus `HTTPServerConfiguration.extraResponseHeaders`, serialized; rebuilt when the second changes.
    private var commonFields: [UInt8] = []
    private let extraFields: [UInt8]
    private var draining = false
    private var graceDeadline: UInt64 = 0
    private var listening = false
    private var acceptPausedUntil: UInt64 = 0
    private var batch: [Completion] = []
    private var touched: [HTTPConnection] = []
    /// Shared read buffer: data is copied into the connection's input only after a read.
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private let readTimeoutNs: UInt64, idleTimeoutNs: UInt64, writeTimeoutNs: UInt64
    private let tickMs: Int32

    /// Output buffered beyond this pauses reading from the connection until the client catches up.
    private static let outputHighWater = 4 << 20

    init(index: Int, listener: TCPListener, router: HTTPRouter, config: HTTPServerConfiguration) throws {
        self.index = index
        self.epoll = try Epoll()
        self.listener = listener
        self.router = router
        self.config = config
        self.limits = HTTPRequestParser.Limits(config)
        self.connectionLimit = (config.maxConnections + config.loopThreads - 1) / config.loopThreads
        readTimeoutNs = UInt64(config.readTimeout * 1e9)
        idleTimeoutNs = UInt64(config.idleTimeout * 1e9)
        writeTimeoutNs = UInt64(config.writeTimeout * 1e9)
        let minTimeout = min(config.readTimeout, config.idleTimeout, config.writeTimeout)
        tickMs = Int32(max(5, min(250, minTimeout * 1000 / 4)))
        var extra: [UInt8] = []
        config.extraResponseHeaders.forEachRaw { n, v in
            extra.append(contentsOf: n); extra.append(contentsOf: ": ".utf8); extra.append(contentsOf: v); extra.append(contentsOf: "\r\n".utf8)
        }
        extraFields = extra
    }

    deinit { scratch.deallocate() }

    // MARK: - Cross-thread entry points

    /// Queues a handler's response (any thread).
    func complete(token: UInt64, seq: UInt64, response: HTTPResponse) {
        let wake = inbox.withLock { box -> Bool in
            box.completions.append(Completion(token: token, seq: seq, response: response))
            if box.wakePending { return false }
            box.wakePending = true
            return true
        }
        if wake { epoll.wake() }
    }

    /// Asks the loop to drain: stop accepting, close idle connections, finish in-flight requests, and
    /// force-close whatever remains at `deadline` (monotonic ns). Any thread.
    func requestShutdown(deadline: UInt64) {
        inbox.withLock { box in
            if box.shutdownDeadline == nil { box.shutdownDeadline = deadline }
        }
        epoll.wake()
    }

    // MARK: - Loop

    /// The thread body. Returns after shutdown completes.
    func run() {
        now = monotonicNanoseconds()
        updateDate()
        resumeAccepting()
        let events = UnsafeMutableBufferPointer<Epoll.Event>.allocate(capacity: 256)
        defer { events.deallocate() }
        var nextSweep = now + UInt64(tickMs) * 1_000_000
        while true {
            let n: Int
            do {
                n = try epoll.wait(into: events, timeoutMs: tickMs)
            } catch {
                break   // epoll itself failed (EBADF/EINVAL): nothing sane to continue with
            }
            now = monotonicNanoseconds()
            for i in 0..<n {
                let ev = events[i]
                switch ev.token {
                case Epoll.wakeToken: drainInbox()
                case HTTPEventLoop.listenerToken: acceptConnections()
                default: handle(ev)
                }
            }
            if now >= nextSweep {
                updateDate()
                sweep()
                nextSweep = now + UInt64(tickMs) * 1_000_000
            }
            if draining && (connections.isEmpty || now >= graceDeadline) { break }
        }
        for c in Array(connections.values) { close(c) }
        if listening { epoll.remove(listener.socket.fd) }
    }

    private func updateDate() {
        let before = date.field
        date.update()
        if date.field != before || commonFields.isEmpty { commonFields = date.field + extraFields }
    }

    private func resumeAccepting() {
        guard !listening, !draining else { return }
        do {
            try epoll.add(listener.socket.fd, [.readable, .exclusive], token: HTTPEventLoop.listenerToken)
            listening = true
        } catch {
            acceptPausedUntil = now + 100_000_000
        }
    }

    private func acceptConnections() {
        guard listening, !draining else { return }
        for _ in 0..<64 {
            let s: Socket?
            do {
                s = try listener.accept()
            } catch {
                // Out of descriptors (EMFILE/ENFILE) or similar: stop polling the listener briefly instead
                // of spinning on a level-triggered event that cannot be served.
                epoll.remove(listener.socket.fd)
                listening = false
                acceptPausedUntil = now + 100_000_000
                return
            }
            guard let s else { return }
            guard connections.count < connectionLimit else { s.close(); continue }
            generation &+= 1
            let token = (generation & 0xffff_ffff) << 32 | UInt64(UInt32(bitPattern: s.fd))
            let c = HTTPConnection(socket: s, token: token, limits: limits, now: now)
            do {
                try epoll.add(s.fd, .readable, token: token)
            } catch {
                s.close()
                continue
            }
            connections[s.fd] = c
        }
    }

    private func connection(for token: UInt64) -> HTTPConnection? {
        guard let c = connections[Int32(bitPattern: UInt32(truncatingIfNeeded: token))], c.token == token else { return nil }
        return c
    }

    private func handle(_ ev: Epoll.Event) {
        guard let c = connection(for: ev.token) else { return }
        let bits = Epoll.Events(rawValue: ev.events)
        if bits.contains(.error) { close(c); return }
        if c.lingerUntil != 0 { discard(c); return }
        if !bits.isDisjoint(with: [.readable, .hangup, .readHangup]) {
            if !read(c) { return }
        }
        if bits.contains(.writable) { c.writeBlockedSince = 0 }
        service(c)
    }

    /// Reads what is available (at most 4 × 64 KiB per wake-up, for fairness). False if the connection closed.
    private func read(_ c: HTTPConnection) -> Bool {
        guard !c.readClosed else { return true }
        for _ in 0..<4 {
            do {
                switch try c.socket.receive(into: scratch) {
                case .bytes(let n):
                    c.input.append(UnsafeRawBufferPointer(rebasing: scratch[..<n]))
                    c.lastActivity = now
                    if n < scratch.count { return true }
                case .wouldBlock:
                    return true
                case .endOfStream:
                    c.readClosed = true
                    return true
                }
            } catch {
                close(c)
                return false
            }
        }
        return true
    }

    private func drainInbox() {
        var deadline: UInt64? = nil
        inbox.withLock { box in
            swap(&batch, &box.completions)
            box.wakePending = false
            deadline = box.shutdownDeadline
        }
        if let d = deadline, !draining { startDraining(deadline: d) }
        for comp in batch {
            guard let c = connection(for: comp.token) else { continue }
            c.fill(comp.seq, comp.response)
            if !c.queuedForService {
                c.queuedForService = true
                touched.append(c)
            }
        }
        batch.removeAll(keepingCapacity: true)
        for c in touched {
            c.queuedForService = false
            service(c)
        }
        touched.removeAll(keepingCapacity: true)
    }

    // MARK: - Per-connection work

    /// Parses and dispatches what can be, writes ready responses, updates epoll interest, closes when done.
    private func service(_ c: HTTPConnection) {
        guard !c.closed else { return }
        while true {
            parseRequests(c)
            let wrote = c.flushReady(commonFields: commonFields, now: now, observer: config.responseObserver)
            if !wrote || c.stopParsing || c.input.isEmpty || c.slots.count >= config.maxPipelinedRequests { break }
        }
        guard writeOut(c) else { return }
        if c.output.isEmpty {
            if c.closeWhenFlushed && !c.readClosed && !draining {
                startLingering(c)
                return
            }
            if c.closeWhenFlushed || (c.readClosed && c.slots.isEmpty) || (draining && c.isIdle) {
                close(c)
                return
            }
        }
        var want: Epoll.Events = []
        if !c.readClosed && !c.stopParsing && c.slots.count < config.maxPipelinedRequests
            && c.output.readable < HTTPEventLoop.outputHighWater { want.insert(.readable) }
        if !c.output.isEmpty { want.insert(.writable) }
        if want != c.interest {
            do {
                try epoll.modify(c.socket.fd, want, token: c.token)
                c.interest = want
            } catch {
                close(c)
            }
        }
    }

    private func parseRequests(_ c: HTTPConnection) {
        while !c.stopParsing && c.slots.count < config.maxPipelinedRequests {
            switch c.parser.next(&c.input) {
            case .needMore:
                if c.parser.wantsContinue && !c.continueSent && c.slots.isEmpty {
                    c.output.append("HTTP/1.1 100 Continue\r\n\r\n")
                    c.continueSent = true
                }
                if (!c.input.isEmpty || c.parser.midRequest) && c.requestStart == 0 { c.requestStart = now }
                return
            case .request(let req):
                c.continueSent = false
                c.requestStart = 0
                dispatch(c, req)
            case .error(let e):
                let seq = c.enqueue(headOnly: false, keepAlive: false, version: .http1_1, start: now)
                c.fill(seq, .error(e.status, e.description))
                c.stopParsing = true
                c.requestStart = 0
            }
        }
        if (!c.input.isEmpty || c.parser.midRequest) && c.requestStart == 0 { c.requestStart = now }
    }

    private func dispatch(_ c: HTTPConnection, _ req: HTTPRequest) {
        let keepAlive = req.keepAlive && !draining
        let (match, route) = req.withPathBytes { router.matchRoute(method: req.method, path: $0) }
        let seq = c.enqueue(headOnly: req.method == .HEAD, keepAlive: keepAlive, version: req.version,
                            method: req.method, route: route, start: now, requestBytes: req.body.count)
        if !keepAlive { c.stopParsing = true }
        switch match {
        case .handler(let h):
            let token = c.token
            Task(executorPreference: config.handlerExecutor) { [self] in
                let r = await HTTPRouter.run(h, req)
                complete(token: token, seq: seq, response: r)
            }
        case .notFound:
            c.fill(seq, HTTPRouter.notFound(req))
        case .methodNotAllowed(let allowed):
            c.fill(seq, HTTPRouter.methodNotAllowed(req, allowed))
        }
    }

    /// Sends buffered output until done or the socket is full. False if the connection was closed.
    private func writeOut(_ c: HTTPConnection) -> Bool {
        while !c.output.isEmpty {
            do {
                let r = try c.output.withUnreadBytes { try c.socket.send(UnsafeRawBufferPointer($0)) }
                switch r {
                case .bytes(let n):
                    c.output.consume(n)
                    c.lastActivity = now
                    c.writeBlockedSince = 0
                case .wouldBlock, .endOfStream:
                    if c.writeBlockedSince == 0 { c.writeBlockedSince = now }
                    return true
                }
            } catch {
                close(c)
                return false
            }
        }
        c.output.shrinkIfIdle(limit: 1 << 20)
        c.input.shrinkIfIdle(limit: 1 << 20)
        return true
    }

    /// Half-closes and keeps draining the peer's input for a short while before closing (see `lingerUntil`).
    private func startLingering(_ c: HTTPConnection) {
        guard c.lingerUntil == 0 else { return }
        c.socket.shutdownWrite()
        c.lingerUntil = now &+ HTTPEventLoop.lingerNs
        c.input = ByteBuffer()
        if c.interest != .readable {
            do {
                try epoll.modify(c.socket.fd, .readable, token: c.token)
                c.interest = .readable
            } catch {
                close(c)
            }
        }
    }

    /// Reads and discards input of a lingering connection; closes it at end of stream or after 1 MiB.
    private func discard(_ c: HTTPConnection) {
        var total = 0
        while total < 1 << 20 {
            do {
                switch try c.socket.receive(into: scratch) {
                case .bytes(let n): total += n
                case .wouldBlock: return
                case .endOfStream: close(c); return
                }
            } catch {
                close(c)
                return
            }
        }
        close(c)
    }

    private static let lingerNs: UInt64 = 2_000_000_000

    private func close(_ c: HTTPConnection) {
        guard !c.closed else { return }
        c.closed = true
        epoll.remove(c.socket.fd)
        connections[c.socket.fd] = nil
        c.socket.close()
    }

    // MARK: - Timers and shutdown

    private func sweep() {
        if !listening && !draining && now >= acceptPausedUntil { resumeAccepting() }
        if draining && now >= graceDeadline { return }
        var expired: [HTTPConnection] = []
        for c in connections.values {
            if c.lingerUntil != 0 {
                if now >= c.lingerUntil { expired.append(c) }
            } else if c.writeBlockedSince != 0 {
                if now &- c.writeBlockedSince > writeTimeoutNs { expired.append(c) }
            } else if c.slots.isEmpty && !c.stopParsing {
                if c.requestStart != 0 {
                    if now &- c.requestStart > readTimeoutNs { expired.append(c) }
                } else if c.isIdle && now &- c.lastActivity > idleTimeoutNs {
                    expired.append(c)
                }
            }
        }
        for c in expired {
            if c.lingerUntil == 0 && c.writeBlockedSince == 0 && c.requestStart != 0 {
                // Slow or stalled request: say so, then close.
                c.stopParsing = true
                let seq = c.enqueue(headOnly: false, keepAlive: false, version: .http1_1, start: now)
                c.fill(seq, .error(.requestTimeout, "request not received within \(config.readTimeout) s"))
                service(c)
            } else {
                close(c)
            }
        }
    }

    private func startDraining(deadline: UInt64) {
        draining = true
        graceDeadline = deadline
        if listening {
            epoll.remove(listener.socket.fd)
            listening = false
        }
        for c in Array(connections.values) {
            if c.isIdle || c.lingerUntil != 0 {
                close(c)
            } else if !c.slots.isEmpty {
                c.slots[c.slots.count - 1].keepAlive = false
                c.stopParsing = true
            }
        }
    }
}
