#if canImport(Glibc)
import Glibc
#endif

/// The intended send times of an open-loop run: request `i` is due at `start + i / rate`, whatever happened
/// to earlier requests.
///
/// This is what defeats coordinated omission: a closed-loop client that waits for each reply before sending
/// the next stops *asking* while the server stalls, so the stall shows up as one slow sample instead of the
/// hundreds of requests real users would have sent meanwhile. Measuring each request from its scheduled time
/// charges every one of them with the time it waited for a free connection (wrk2 and HdrHistogram's
/// `recordValueWithExpectedInterval` do the same).
public struct OpenLoopSchedule: Sendable, Equatable {
    /// Monotonic nanoseconds when request 0 is due.
    public let start: UInt64
    /// Requests per second.
    public let rate: Double

    /// - Precondition: `rate` is finite and > 0 (validated by `LoadConfiguration`).
    public init(start: UInt64, rate: Double) {
        precondition(rate.isFinite && rate > 0, "open-loop rate must be positive")
        self.start = start
        self.rate = rate
    }

    /// When request `ticket` is due (monotonic ns). Computed from the ticket, not by adding intervals, so
    /// rounding never drifts.
    @inline(__always)
    public func sendTime(_ ticket: Int) -> UInt64 {
        start &+ UInt64((Double(ticket) * 1e9 / rate).rounded())
    }

    /// How many requests fall due before `start + seconds`.
    public func requests(within seconds: Double) -> Int {
        max(0, Int((seconds * rate).rounded(.up)))
    }

    /// Sleeps the calling thread until monotonic time `t` (returns at once if it has passed).
    public static func sleep(until t: UInt64) {
        var ts = timespec(tv_sec: Int(t / 1_000_000_000), tv_nsec: Int(t % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}
