#if canImport(Glibc)
import Glibc
#endif
import CEpoll

/// An epoll instance plus an eventfd used to wake its waiter from other threads.
///
/// Owned by one event-loop thread: `wait` must only be called from that thread; `wake()` is thread-safe.
/// Registrations carry a 64-bit token that comes back with each event.
public final class Epoll: @unchecked Sendable {
    /// Readiness bits (level-triggered unless `.edgeTriggered` is included).
    public struct Events: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: CEPOLL_IN)
        public static let writable = Events(rawValue: CEPOLL_OUT)
        public static let error = Events(rawValue: CEPOLL_ERR)
        public static let hangup = Events(rawValue: CEPOLL_HUP)
        public static let readHangup = Events(rawValue: CEPOLL_RDHUP)
        /// Only one of several epoll instances waiting on the same fd is woken (for shared listeners).
        public static let exclusive = Events(rawValue: CEPOLL_EXCLUSIVE)
        public static let edgeTriggered = Events(rawValue: CEPOLL_ET)
    }

    /// One fired event: the registration token and the bits that fired.
    public typealias Event = cepoll_event

    /// The token reserved for the internal wake-up eventfd.
    public static let wakeToken = UInt64.max

    private let epfd: Int32
    private let wakeFD: Int32

    /// Creates the epoll instance and its wake-up eventfd.
    public init() throws {
        epfd = cepoll_create()
        guard epfd >= 0 else { throw NetError.errno("epoll_create1") }
        wakeFD = cepoll_eventfd()
        guard wakeFD >= 0 else {
            let e = NetError.errno("eventfd")
            Glibc.close(epfd)
            throw e
        }
        guard cepoll_ctl(epfd, 1, wakeFD, CEPOLL_IN, Epoll.wakeToken) == 0 else {
            let e = NetError.errno("epoll_ctl(eventfd)")
            Glibc.close(epfd); Glibc.close(wakeFD)
            throw e
        }
    }

    deinit {
        Glibc.close(epfd)
        Glibc.close(wakeFD)
    }

    /// Registers `fd` for `events` with `token`.
    public func add(_ fd: Int32, _ events: Events, token: UInt64) throws {
        guard cepoll_ctl(epfd, 1, fd, events.rawValue, token) == 0 else { throw NetError.errno("epoll_ctl(ADD)") }
    }

    /// Changes the interest set of a registered `fd`.
    public func modify(_ fd: Int32, _ events: Events, token: UInt64) throws {
        guard cepoll_ctl(epfd, 3, fd, events.rawValue, token) == 0 else { throw NetError.errno("epoll_ctl(MOD)") }
    }

    /// Deregisters `fd` (closing the fd also deregisters it).
    public func remove(_ fd: Int32) {
        _ = cepoll_ctl(epfd, 2, fd, 0, 0)
    }

    /// Waits up to `timeoutMs` (-1 forever) and fills `events`; returns how many fired (0 on timeout or EINTR).
    /// Wake-ups from `wake()` arrive as an event with `wakeToken` and are drained automatically.
    public func wait(into events: UnsafeMutableBufferPointer<Event>, timeoutMs: Int32) throws -> Int {
        let n = cepoll_wait(epfd, events.baseAddress, Int32(events.count), timeoutMs)
        if n < 0 {
            if Glibc.errno == EINTR { return 0 }
            throw NetError.errno("epoll_wait")
        }
        for i in 0..<Int(n) where events[i].token == Epoll.wakeToken { _ = cepoll_eventfd_drain(wakeFD) }
        return Int(n)
    }

    /// Wakes the thread blocked in `wait` (thread-safe, async-signal-safe).
    public func wake() { _ = cepoll_eventfd_signal(wakeFD) }
}
