#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// The shared heart of a `ChannelLog`: its state, the writer's wake-up semaphore and the directory lock. Held
/// by the `ChannelLog` and by its writer thread.
final class LogCore: Sendable {
    let directory: String
    let options: ChannelLog.Options
    let state: Mutex<LogState>
    /// Signalled once per accepted append and once by `close`; the writer waits on it.
    let wake = DispatchSemaphore(value: 0)
    /// Signalled by the writer thread when it exits.
    let writerExited = DispatchSemaphore(value: 0)
    /// Serialises `truncate` calls (each removes a prefix of `segments`).
    let truncation = Mutex<Void>(())
    /// The `flock`ed `LOCK` file descriptor, closed by `close`.
    let lockFD: Int32

    init(directory: String, options: ChannelLog.Options, state: LogState, lockFD: Int32) {
        self.directory = directory
        self.options = options
        self.state = Mutex(state)
        self.lockFD = lockFD
    }

    /// Queues an append for the writer, or completes it at once with the reason it cannot be accepted.
    func enqueue(_ append: LogAppendRequest) {
        let rejection: LogError? = state.withLock { s in
            if s.closed { return .closed }
            if let failure = s.failure { return .writerFailed(failure) }
            s.pending.append(append)
            return nil
        }
        if let rejection {
            append.completion(.failure(rejection))
        } else {
            wake.signal()
        }
    }

    /// Resumes waiter `id` with `value` if it is still waiting (used by timeouts and cancellation).
    func resumeWaiter(_ id: UInt64, _ value: Bool) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.resume(value)
    }
}
