#if canImport(Glibc)
import Glibc
#endif
import CEpoll

/// A dedicated OS thread (not part of Swift's cooperative pool), for event loops and other work that must
/// never wait behind — or block — async tasks.
public final class OSThread: @unchecked Sendable {
    private final class Box {
        let body: () -> Void
        let name: String
        init(_ name: String, _ body: @escaping () -> Void) { self.name = name; self.body = body }
    }

    private var tid = pthread_t()
    private var joined = false

    /// Starts a thread running `body`. `name` (≤ 15 bytes shown by `top -H`) helps when profiling.
    /// - Throws: `NetError.system` when the system cannot create a thread.
    public init(name: String, _ body: @escaping @Sendable () -> Void) throws {
        let box = Unmanaged.passRetained(Box(name, body)).toOpaque()
        let rc = pthread_create(&tid, nil, { p in
            let b = Unmanaged<Box>.fromOpaque(p!).takeRetainedValue()
            cepoll_set_thread_name(b.name)
            b.body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw NetError.system(call: "pthread_create", errno: rc)
        }
    }

    /// Waits for the thread to finish. Call at most once; must not be called from the thread itself.
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(tid, nil)
    }
}

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC): for deadlines and latency, never wall-clock time.
@inline(__always)
public func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
