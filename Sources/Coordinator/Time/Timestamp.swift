/// A hybrid timestamp in Milvus's format: `physical milliseconds << 18 | logical`, with an 18-bit logical
/// counter (262,144 timestamps per millisecond). Ordering the raw values orders events.
public struct Timestamp: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Bits of the logical counter.
    public static let logicalBits = 18
    /// Timestamps per physical millisecond.
    public static let logicalPerMillisecond: UInt64 = 1 << 18

    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Composes a timestamp; `logical` must be below 2^18 and `physicalMilliseconds` non-negative.
    public init(physicalMilliseconds: Int64, logical: UInt64) {
        precondition(physicalMilliseconds >= 0 && logical < Timestamp.logicalPerMillisecond, "timestamp parts out of range")
        rawValue = UInt64(physicalMilliseconds) << UInt64(Timestamp.logicalBits) | logical
    }

    /// Milliseconds since the Unix epoch.
    public var physicalMilliseconds: Int64 { Int64(rawValue >> UInt64(Timestamp.logicalBits)) }
    /// The logical counter within the millisecond.
    public var logical: UInt64 { rawValue & (Timestamp.logicalPerMillisecond - 1) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "ts(\(physicalMilliseconds)ms+\(logical))" }
}

/// `count` consecutive timestamps starting at `first`, all in the same physical millisecond.
public struct TimestampRange: Sendable, Equatable {
    public var first: Timestamp
    public var count: Int
    public init(first: Timestamp, count: Int) {
        self.first = first
        self.count = count
    }
    /// The largest timestamp of the range.
    public var last: Timestamp { Timestamp(rawValue: first.rawValue + UInt64(count) - 1) }
}
