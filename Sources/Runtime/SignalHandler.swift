import Dispatch
import Glibc
import Synchronization

/// Turns termination signals (by default SIGTERM and SIGINT) into an `AsyncStream`, so a node can shut down
/// cleanly — stop accepting, flush, close — instead of dying mid-write.
///
/// ```swift
/// SignalHandler.ignoreBrokenPipe()
/// let signals = SignalHandler()
/// for await signal in signals.stream { log.info("shutting down", ["signal": signal]); break }
/// ```
/// While a handler is alive, its signals no longer terminate the process (their disposition is set to
/// ignore and a `DispatchSource` observes them); `cancel()` restores the default disposition, so a second
/// Ctrl-C after shutdown has started can still kill a stuck process if the caller cancels first.
public final class SignalHandler: Sendable {
    /// The signals observed.
    public let signals: [Int32]
    /// One element per signal delivery, the signal number; finishes on `cancel()`.
    public let stream: AsyncStream<Int32>
    private let sources: Mutex<[DispatchSourceSignal]>
    private let continuation: AsyncStream<Int32>.Continuation
    private static let queue = DispatchQueue(label: "vecnode.signals")

    /// Starts observing `signals` (default SIGTERM and SIGINT).
    public init(signals: [Int32] = [SIGTERM, SIGINT]) {
        self.signals = signals
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(16))
        self.stream = stream
        self.continuation = continuation
        var made: [DispatchSourceSignal] = []
        for s in signals {
            // The default action would run before Dispatch sees the signal: ignore it, let the source observe.
            signal(s, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: s, queue: Self.queue)
            source.setEventHandler { [continuation] in
                continuation.yield(s)
            }
            source.resume()
            made.append(source)
        }
        sources = Mutex(made)
    }

    /// Stops observing, restores the signals' default action and finishes `stream`. Idempotent.
    public func cancel() {
        let toCancel = sources.withLock { s -> [DispatchSourceSignal] in
            let all = s
            s = []
            return all
        }
        for source in toCancel { source.cancel() }
        if !toCancel.isEmpty { for s in signals { signal(s, SIG_DFL) } }
        continuation.finish()
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
