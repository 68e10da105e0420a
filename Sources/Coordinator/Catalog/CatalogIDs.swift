import Wire

/// A collection's id: allocated by the root coordinator's `IDService`, never reused.
public struct CollectionID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible, WireCodable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public static func < (a: CollectionID, b: CollectionID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "collection \(rawValue)" }
    public func encode(into w: inout WireWriter) { w.writeInt64(rawValue) }
    public init(from r: inout WireReader) throws(WireDecodingError) { rawValue = try r.readInt64() }
}

/// A partition's id: allocated by the root coordinator's `IDService`, never reused.
public struct PartitionID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible, WireCodable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public static func < (a: PartitionID, b: PartitionID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "partition \(rawValue)" }
    public func encode(into w: inout WireWriter) { w.writeInt64(rawValue) }
    public init(from r: inout WireReader) throws(WireDecodingError) { rawValue = try r.readInt64() }
}

/// Read consistency a collection defaults to (Milvus's `ConsistencyLevel`, same numbers).
public enum ConsistencyLevel: UInt8, Sendable, CaseIterable, CustomStringConvertible, WireCodable {
    /// Reads see every write acknowledged before the read started.
    case strong = 0
    /// Reads see the client's own writes.
    case session = 1
    /// Reads see writes older than a few seconds.
    case bounded = 2
    /// Reads see whatever the serving node has consumed.
    case eventually = 3

    public var description: String {
        switch self {
        case .strong: "Strong"
        case .session: "Session"
        case .bounded: "Bounded"
        case .eventually: "Eventually"
        }
    }

    public func encode(into w: inout WireWriter) { w.writeUInt8(rawValue) }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        let raw = try r.readUInt8()
        guard let level = ConsistencyLevel(rawValue: raw) else { throw .invalidValue("consistency level \(raw)") }
        self = level
    }
}
