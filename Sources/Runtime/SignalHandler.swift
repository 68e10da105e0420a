import Glibc
import Synchronization

/// Turns termination signals (by default SIGTERM and SIGINT) into an `AsyncStream`, so a node can shut down
/// cleanly — stop accepting, flush, close — instead of dying mid-write.
///
/// ```swift
/// SignalHandler.ignoreBrokenPipe()
/// let signals = try SignalHandler()
/// for await signal in signals.stream { log.info("shutting down", ["signal": SignalHandler.name(of: signal)]); break }
/// ```
/// How: `init` installs (with `sigaction`, before returning, so no signal sent afterwards is lost) a handler
/// that only writes the signal number to a pipe — the async-signal-safe minimum — and one process-wide
/// thread (`vec-signals`) reads the pipe and yields to the handler's stream. (A `DispatchSource` signal source
/// was tried first: on Linux it registers asynchronously, and a signal sent right after `resume()` was lost.)
///
/// Signal dispositions are process-wide, so at most one `SignalHandler` may observe a given signal at a time;
/// `cancel()` (or deinit) restores the default action, after which the signal terminates the process again.
public final class SignalHandler: Sendable {
    /// The signals observed.
    public let signals: [Int32]
    /// One element per signal delivery, the signal number; finishes on `cancel()`. Rapid repeats of one
    /// signal may be coalesced (as the kernel does for standard signals).
    public let stream: AsyncStream<Int32>
    private let active = Atomic<Bool>(true)

    /// Starts observing `signals` (default SIGTERM and SIGINT).
    /// - Throws: `RuntimeError.invalidArgument` for a signal that cannot be caught (SIGKILL, SIGSTOP, out of
    ///   range) or that another live `SignalHandler` already observes; `.system` if the pipe, the thread or
    ///   `sigaction` fails.
    public init(signals: [Int32] = [SIGTERM, SIGINT]) throws(RuntimeError) {
        self.signals = signals
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(64))
        self.stream = stream
        try SignalDispatcher.shared.register(signals, continuation)
    }

    /// Stops observing, restores the signals' default action and finishes `stream`. Idempotent.
    public func cancel() {
        guard active.exchange(false, ordering: .acquiringAndReleasing) else { return }
        SignalDispatcher.shared.unregister(signals)
    }

    deinit { cancel() }

    /// Makes writes to a closed socket or pipe fail with EPIPE instead of killing the process (SIGPIPE's
    /// default action). Call once at start-up; process-wide.
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// A signal's conventional name (`SIGTERM`), for logs.
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        case SIGHUP: return "SIGHUP"
        case SIGQUIT: return "SIGQUIT"
        case SIGUSR1: return "SIGUSR1"
        case SIGUSR2: return "SIGUSR2"
        default: return "signal \(signal)"
        }
    }
}

/// The write end of the signal pipe, read by the C signal handler (a lock-free atomic load is
/// async-signal-safe; it is initialised before any handler is installed).
private let signalPipeWriteEnd = Atomic<Int32>(-1)

/// The installed handler: writes the signal number as one byte. Nothing else is safe in a signal handler.
private func writeSignalToPipe(_ signal: Int32) {
    let fd = signalPipeWriteEnd.load(ordering: .relaxed)
    guard fd >= 0 else { return }
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(fd, &byte, 1)  // non-blocking: if the pipe is full, deliveries are coalesced
    errno = saved
}

/// The process-wide pipe, reader thread and signal → stream table behind `SignalHandler`.
private final class SignalDispatcher: Sendable {
    static let shared = SignalDispatcher()

    private struct State {
        var started = false
        var readEnd: Int32 = -1
        var observers: [Int32: AsyncStream<Int32>.Continuation] = [:]
    }
    private let state = Mutex(State())

    func register(_ signals: [Int32], _ continuation: AsyncStream<Int32>.Continuation) throws(RuntimeError) {
        try state.withLock { (s: inout State) throws(RuntimeError) in
            for sig in signals {
                guard sig > 0 && sig < 64 && sig != SIGKILL && sig != SIGSTOP else {
                    throw .invalidArgument("signal \(sig) cannot be caught")
                }
                guard s.observers[sig] == nil else {
                    throw .invalidArgument("\(SignalHandler.name(of: sig)) is already observed by another "
                        + "SignalHandler; cancel it first")
                }
            }
            // A parent may have started us with these signals blocked (Foundation's `Process` does): a blocked
            // signal stays pending and the handler never runs. Unblock them on this thread before creating the
            // reader thread, which inherits the mask, so at least those two threads take deliveries.
            var set = sigset_t()
            sigemptyset(&set)
            for sig in signals { sigaddset(&set, sig) }
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            if !s.started { try start(&s) }
            for sig in signals {
                s.observers[sig] = continuation
                var action = sigaction()
                action.__sigaction_handler.sa_handler = writeSignalToPipe
                action.sa_flags = SA_RESTART
                sigemptyset(&action.sa_mask)
                guard sigaction(sig, &action, nil) == 0 else {
                    let code = errno
                    s.observers[sig] = nil
                    throw .system(call: "sigaction", errno: code)
                }
            }
        }
    }

    func unregister(_ signals: [Int32]) {
        var finished: [AsyncStream<Int32>.Continuation] = []
        state.withLock { s in
            for sig in signals {
                signal(sig, SIG_DFL)
                if let c = s.observers.removeValue(forKey: sig) { finished.append(c) }
            }
        }
        for c in finished { c.finish() }
    }

    /// Creates the pipe and the reader thread (once per process).
    private func start(_ s: inout State) throws(RuntimeError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .system(call: "pipe", errno: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        s.readEnd = fds[0]
        signalPipeWriteEnd.store(fds[1], ordering: .releasing)
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { _ in
            setCurrentThreadName("vec-signals")
            SignalDispatcher.shared.readLoop()
            return nil
        }, nil)
        guard rc == 0 else { throw .system(call: "pthread_create", errno: rc) }
        pthread_detach(tid)
        s.started = true
    }

    private func readLoop() {
        let fd = state.withLock { $0.readEnd }
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { return }
            let sig = Int32(byte)
            let observer = state.withLock { $0.observers[sig] }
            observer?.yield(sig)
        }
    }
}
