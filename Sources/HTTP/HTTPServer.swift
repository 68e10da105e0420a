import Net
import Synchronization

/// An HTTP/1.1 server: epoll event-loop threads for I/O, async handlers from an `HTTPRouter`.
///
/// ```swift
/// var router = HTTPRouter()
/// router.get("/health") { _ in .text("ok") }
/// let server = try HTTPServer(configuration: .init(), router: router)
/// try server.start()
/// print(server.address.port)          // ephemeral port when configured with port 0
/// await server.shutdown(gracePeriod: 5)
/// ```
///
/// Lifecycle: `init` binds the socket (so the port is known and bind errors surface early), `start`
/// launches the loop threads, `shutdown` stops accepting, closes idle connections, lets in-flight
/// requests finish (their responses carry `connection: close`) and force-closes the rest after the
/// grace period. Always call `shutdown` (or `shutdownBlocking`): loop threads run until then.
public final class HTTPServer: Sendable {
    /// The bound address (with the real port when configured with port 0).
    public let address: SocketAddress
    private let listener: TCPListener
    private let loops: [HTTPEventLoop]

    private struct State: ~Copyable {
        var started = false
        var stopped = false
        var running = 0
        var threads: [OSThread] = []
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    /// Validates the configuration and binds the listening socket.
    /// - Throws: `HTTPServerError.invalidConfiguration`, or `.network` when binding fails (e.g. port in use).
    public init(configuration: HTTPServerConfiguration, router: HTTPRouter) throws {
        try configuration.validate()
        let l: TCPListener
        do {
            l = try TCPListener(address: configuration.address)
        } catch let e as NetError {
            throw HTTPServerError.network(e)
        }
        listener = l
        address = l.address
        do {
            loops = try (0..<configuration.loopThreads).map {
                try HTTPEventLoop(index: $0, listener: l, router: router, config: configuration)
            }
        } catch {
            l.close()
            throw HTTPServerError.network(error as? NetError ?? .system(call: "epoll", errno: 0))
        }
    }

    /// Starts the event-loop threads.
    /// - Throws: `HTTPServerError.alreadyStarted`, or `.network` when a thread cannot be created.
    public func start() throws {
        try state.withLock { s in
            guard !s.started, !s.stopped else { throw HTTPServerError.alreadyStarted }
            s.started = true
            for loop in loops {
                do {
                    let t = try OSThread(name: "http-loop-\(loop.index)") { [self] in
                        loop.run()
                        loopExited()
                    }
                    s.threads.append(t)
                    s.running += 1
                } catch let e as NetError {
                    for l in loops { l.requestShutdown(deadline: 0) }
                    throw HTTPServerError.network(e)
                }
            }
        }
    }

    /// Called by each loop thread as it ends; the last one closes the listener and wakes `shutdown` callers.
    private func loopExited() {
        let (last, waiters) = state.withLock { s -> (Bool, [CheckedContinuation<Void, Never>]) in
            s.running -= 1
            guard s.running == 0 else { return (false, []) }
            defer { s.waiters = [] }
            return (true, s.waiters)
        }
        guard last else { return }
        closeListenerOnce()
        for w in waiters { w.resume() }
    }

    private let listenerClosed = Mutex(false)
    private func closeListenerOnce() {
        let close = listenerClosed.withLock { c -> Bool in
            defer { c = true }
            return !c
        }
        if close { listener.close() }
    }

    /// Begins a graceful shutdown (idempotent, returns immediately).
    /// - Parameter gracePeriod: seconds in-flight requests get before their connections are force-closed.
    public func beginShutdown(gracePeriod: Double = 10) {
        let deadline = monotonicNanoseconds() &+ UInt64(max(0, gracePeriod) * 1e9)
        let started = state.withLock { s -> Bool in
            s.stopped = true
            return s.started
        }
        if !started { closeListenerOnce(); return }
        for l in loops { l.requestShutdown(deadline: deadline) }
    }

    /// Gracefully shuts down and returns when every loop thread has exited.
    public func shutdown(gracePeriod: Double = 10) async {
        beginShutdown(gracePeriod: gracePeriod)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                if s.running == 0 { return true }
                s.waiters.append(c)
                return false
            }
            if done { c.resume() }
        }
    }

    /// Gracefully shuts down, blocking the calling thread until every loop thread has exited (for `defer`
    /// blocks and synchronous code; from async code prefer `shutdown`).
    public func shutdownBlocking(gracePeriod: Double = 10) {
        beginShutdown(gracePeriod: gracePeriod)
        let threads = state.withLock { s -> [OSThread] in
            defer { s.threads = [] }
            return s.threads
        }
        for t in threads { t.join() }
    }
}
