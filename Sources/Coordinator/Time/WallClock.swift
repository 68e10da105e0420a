import Foundation

/// Wall-clock milliseconds since the Unix epoch, injectable so tests can move time (also backwards).
public protocol WallClock: Sendable {
    /// The current time in milliseconds since 1970-01-01 UTC. May jump backwards (NTP step, VM restore).
    func nowMilliseconds() -> Int64
}

/// The system's real-time clock (`CLOCK_REALTIME`).
public struct SystemWallClock: WallClock {
    public init() {}
    public func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
