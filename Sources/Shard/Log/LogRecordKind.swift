/// What a `LogRecord` carries. The log stores the kind byte and validates it on read; it never interprets
/// payloads.
///
/// Values on disk: 1 insert batch, 2 delete batch, 3 time tick, 4 opaque, 128–255 user kinds (`user(0...127)`).
/// Other values are rejected as corruption.
public struct LogRecordKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    /// `nil` for byte values that are not a defined kind.
    public init?(rawValue: UInt8) {
        guard (1...4).contains(rawValue) || rawValue >= 128 else { return nil }
        self.rawValue = rawValue
    }

    private init(unchecked rawValue: UInt8) { self.rawValue = rawValue }

    /// A columnar batch of inserted rows.
    public static let insertBatch = LogRecordKind(unchecked: 1)
    /// A batch of primary keys to delete.
    public static let deleteBatch = LogRecordKind(unchecked: 2)
    /// A time tick: every record before it has a timestamp at or below the tick's, so consumers may serve
    /// reads up to it.
    public static let timeTick = LogRecordKind(unchecked: 3)
    /// Bytes the log's user interprets itself.
    public static let opaque = LogRecordKind(unchecked: 4)

    /// An application-defined kind, `code` in 0...127 (stored as 128 + code), for later roles (e.g. a meta
    /// store's write-ahead log) to tag their records.
    public static func user(_ code: UInt8) -> LogRecordKind {
        precondition(code < 128, "user record kinds are 0...127")
        return LogRecordKind(unchecked: 128 + code)
    }

    public var description: String {
        switch rawValue {
        case 1: return "insertBatch"
        case 2: return "deleteBatch"
        case 3: return "timeTick"
        case 4: return "opaque"
        default: return "user(\(rawValue - 128))"
        }
    }
}
