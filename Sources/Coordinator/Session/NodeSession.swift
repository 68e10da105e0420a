import Wire

/// A live node as the session table knows it.
public struct NodeSession: Sendable, Equatable, WireCodable {
    public var sessionID: SessionID
    public var nodeID: NodeID
    public var role: NodeRole
    /// Where the node serves the protocol (`HOST:PORT`).
    public var address: String

    public init(sessionID: SessionID, nodeID: NodeID, role: NodeRole, address: String) {
        self.sessionID = sessionID
        self.nodeID = nodeID
        self.role = role
        self.address = address
    }

    /// Longest accepted address, in UTF-8 bytes.
    public static let maxAddressBytes = 512

    public func encode(into w: inout WireWriter) {
        sessionID.encode(into: &w)
        nodeID.encode(into: &w)
        role.encode(into: &w)
        w.writeString(address)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        sessionID = try SessionID(from: &r)
        nodeID = try NodeID(from: &r)
        role = try NodeRole(from: &r)
        address = try r.readString(limit: Self.maxAddressBytes)
    }
}

/// A membership change the session table reports to the coordinators.
public struct SessionEvent: Sendable, Equatable, WireCodable {
    public enum Kind: UInt8, Sendable {
        /// A node registered (first time or after a restart).
        case joined = 1
        /// A node missed its lease: declared dead.
        case dead = 2
        /// A node's session ended because the same node registered again (it restarted); a `joined` follows.
        case replaced = 3
        /// A node deregistered cleanly.
        case left = 4
    }

    /// Position in the event history (1, 2, 3…), for `events(after:)` polling.
    public var sequence: UInt64
    public var kind: Kind
    public var session: NodeSession

    public init(sequence: UInt64, kind: Kind, session: NodeSession) {
        self.sequence = sequence
        self.kind = kind
        self.session = session
    }

    public func encode(into w: inout WireWriter) {
        w.writeUInt64(sequence)
        w.writeUInt8(kind.rawValue)
        session.encode(into: &w)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        sequence = try r.readUInt64()
        let raw = try r.readUInt8()
        guard let kind = Kind(rawValue: raw) else { throw .invalidValue("session event kind \(raw)") }
        self.kind = kind
        session = try NodeSession(from: &r)
    }
}
