import Wire

/// The role a node plays in the cluster (architecture.md, "Roles"). Raw values are stable on the wire.
public enum NodeRole: UInt8, Sendable, CaseIterable, CustomStringConvertible, WireCodable {
    case rootCoord = 1
    case dataCoord = 2
    case queryCoord = 3
    case indexCoord = 4
    case proxy = 5
    case queryNode = 6
    case dataNode = 7
    case indexNode = 8
    case logNode = 9
    case gateway = 10

    public var description: String {
        switch self {
        case .rootCoord: "rootcoord"
        case .dataCoord: "datacoord"
        case .queryCoord: "querycoord"
        case .indexCoord: "indexcoord"
        case .proxy: "proxy"
        case .queryNode: "querynode"
        case .dataNode: "datanode"
        case .indexNode: "indexnode"
        case .logNode: "lognode"
        case .gateway: "gateway"
        }
    }

    public func encode(into w: inout WireWriter) { w.writeUInt8(rawValue) }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        let raw = try r.readUInt8()
        guard let role = NodeRole(rawValue: raw) else { throw .invalidValue("node role \(raw)") }
        self = role
    }
}

/// A node's identity in the cluster, chosen by the node (configured or derived); stable across its restarts.
public struct NodeID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible, WireCodable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public static func < (a: NodeID, b: NodeID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "node \(rawValue)" }
    public func encode(into w: inout WireWriter) { w.writeInt64(rawValue) }
    public init(from r: inout WireReader) throws(WireDecodingError) { rawValue = try r.readInt64() }
}

/// One registration of a node: a new id every time the node (re)registers, never reused (allocated from
/// the coordinator's `IDService`).
public struct SessionID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible, WireCodable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public static func < (a: SessionID, b: SessionID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "session \(rawValue)" }
    public func encode(into w: inout WireWriter) { w.writeInt64(rawValue) }
    public init(from r: inout WireReader) throws(WireDecodingError) { rawValue = try r.readInt64() }
}
