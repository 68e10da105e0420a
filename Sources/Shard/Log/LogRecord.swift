import Foundation

/// One record read back from a `ChannelLog`.
public struct LogRecord: Sendable, Equatable {
    /// Where the record sits in the channel.
    public let position: LogPosition
    public let kind: LogRecordKind
    /// The writer's timestamp (a hybrid timestamp from the timestamp oracle); stored, not interpreted.
    public let timestamp: UInt64
    public let payload: Data

    public init(position: LogPosition, kind: LogRecordKind, timestamp: UInt64, payload: Data) {
        self.position = position
        self.kind = kind
        self.timestamp = timestamp
        self.payload = payload
    }
}
