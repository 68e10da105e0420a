/// The position (log sequence number, LSN) of a record in a `ChannelLog`: 0 for the first record ever appended
/// to the channel, then consecutive. Positions are never reused, including after truncation, so a consumer's
/// checkpoint ("everything below P is applied") stays meaningful across restarts.
public struct LogPosition: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The position of the very first record of a channel.
    public static let start = LogPosition(0)

    /// The position after this one.
    public var next: LogPosition { LogPosition(rawValue + 1) }

    public static func < (a: LogPosition, b: LogPosition) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "@\(rawValue)" }
}
