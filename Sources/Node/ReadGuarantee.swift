import Wire

/// What a read must see, derived by the proxy from the request's consistency level. The query node serving
/// the read first brings its replica of the shard up to date as far as the guarantee demands, then reads.
public enum ReadGuarantee: Sendable, Equatable, WireCodable {
    /// Everything acknowledged before the read began: the node catches up to the channel's end as of the
    /// read's arrival.
    case strong
    /// The client's own writes: the node catches up until it has applied every record with a timestamp at or
    /// below this one (the session's last write).
    case session(timestamp: UInt64)
    /// Data at most this many milliseconds stale: the node catches up only if its last catch-up is older.
    case bounded(milliseconds: UInt32)
    /// Whatever the node has applied; no waiting.
    case eventually

    public func encode(into w: inout WireWriter) {
        switch self {
        case .strong: w.writeUInt8(0)
        case .session(let ts):
            w.writeUInt8(1)
            w.writeUInt64(ts)
        case .bounded(let ms):
            w.writeUInt8(2)
            w.writeUInt32(ms)
        case .eventually: w.writeUInt8(3)
        }
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        switch try r.readUInt8() {
        case 0: self = .strong
        case 1: self = .session(timestamp: try r.readUInt64())
        case 2: self = .bounded(milliseconds: try r.readUInt32())
        case 3: self = .eventually
        case let t: throw .invalidValue("read guarantee tag \(t)")
        }
    }
}
