/// The identity of a segment within a shard: allocated in increasing order, never reused once a manifest
/// naming it is durable. Object keys embed it as 16 hex digits so they sort in allocation order.
public struct SegmentID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// 16 lower-case hex digits, e.g. `000000000000002a`.
    public var description: String {
        let hex = String(rawValue, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    public static func < (a: SegmentID, b: SegmentID) -> Bool { a.rawValue < b.rawValue }
}
