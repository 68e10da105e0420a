import Wire

// Allocation and session calls of the root coordinator (kinds 0x0250…0x0264).

/// Allocates `count` consecutive timestamps (1…262,144).
public struct AllocateTimestamps: WireRequest, Equatable {
    public static let kind = MessageKind(0x0250)
    public typealias Response = TimestampRange
    public var count: UInt32
    public init(count: UInt32 = 1) { self.count = count }
    public func encode(into w: inout WireWriter) { w.writeUInt32(count) }
    public init(from r: inout WireReader) throws(WireDecodingError) { count = try r.readUInt32() }
}

extension TimestampRange: WireCodable {
    /// first u64, count u32.
    public func encode(into w: inout WireWriter) {
        w.writeUInt64(first.rawValue)
        w.writeUInt32(UInt32(clamping: count))
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        first = Timestamp(rawValue: try r.readUInt64())
        count = Int(try r.readUInt32())
        guard count >= 1, first.rawValue <= UInt64.max - UInt64(count) else { throw .invalidValue("timestamp range") }
    }
}

/// Allocates `count` consecutive unique ids (1…2^24).
public struct AllocateIDs: WireRequest, Equatable {
    public static let kind = MessageKind(0x0251)
    public typealias Response = IDRange
    public var count: UInt32
    public init(count: UInt32 = 1) { self.count = count }
    public func encode(into w: inout WireWriter) { w.writeUInt32(count) }
    public init(from r: inout WireReader) throws(WireDecodingError) { count = try r.readUInt32() }
}

/// A range of ids: `first ..< first + count`.
public struct IDRange: WireCodable, Equatable {
    public var ids: Range<Int64>
    public init(_ ids: Range<Int64>) { self.ids = ids }
    /// first i64, count u32.
    public func encode(into w: inout WireWriter) {
        w.writeInt64(ids.lowerBound)
        w.writeUInt32(UInt32(clamping: ids.count))
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        let first = try r.readInt64()
        let count = Int64(try r.readUInt32())
        guard first >= 0, first <= Int64.max - count else { throw .invalidValue("id range") }
        ids = first..<(first + count)
    }
}

/// Registers a node; replies with its new session and the lease TTL to renew within.
public struct RegisterSession: WireRequest, Equatable {
    public static let kind = MessageKind(0x0260)
    public typealias Response = SessionGrant
    public var nodeID: NodeID
    public var role: NodeRole
    public var address: String
    public init(nodeID: NodeID, role: NodeRole, address: String) {
        self.nodeID = nodeID
        self.role = role
        self.address = address
    }
    public func encode(into w: inout WireWriter) {
        nodeID.encode(into: &w)
        role.encode(into: &w)
        w.writeString(address)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        nodeID = try NodeID(from: &r)
        role = try NodeRole(from: &r)
        address = try r.readString(limit: NodeSession.maxAddressBytes)
    }
}

/// A granted session: renew at least every `ttlMilliseconds` (a third of it is a safe period).
public struct SessionGrant: WireCodable, Equatable {
    public var sessionID: SessionID
    public var ttlMilliseconds: UInt64
    public init(sessionID: SessionID, ttlMilliseconds: UInt64) {
        self.sessionID = sessionID
        self.ttlMilliseconds = ttlMilliseconds
    }
    public func encode(into w: inout WireWriter) {
        sessionID.encode(into: &w)
        w.writeUInt64(ttlMilliseconds)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        sessionID = try SessionID(from: &r)
        ttlMilliseconds = try r.readUInt64()
    }
}

/// Extends a session's lease; fails with `unknownSession` (1100) when the node must register again.
public struct RenewSession: WireRequest, Equatable {
    public static let kind = MessageKind(0x0261)
    public typealias Response = WireEmpty
    public var sessionID: SessionID
    public init(sessionID: SessionID) { self.sessionID = sessionID }
    public func encode(into w: inout WireWriter) { sessionID.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { sessionID = try SessionID(from: &r) }
}

/// Ends a session cleanly (the node is shutting down).
public struct DeregisterSession: WireRequest, Equatable {
    public static let kind = MessageKind(0x0262)
    public typealias Response = WireEmpty
    public var sessionID: SessionID
    public init(sessionID: SessionID) { self.sessionID = sessionID }
    public func encode(into w: inout WireWriter) { sessionID.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { sessionID = try SessionID(from: &r) }
}

/// Live nodes, optionally of one role, ordered by node id.
public struct ListLiveNodes: WireRequest, Equatable {
    public static let kind = MessageKind(0x0263)
    public typealias Response = LiveNodes
    public var role: NodeRole?
    public init(role: NodeRole? = nil) { self.role = role }
    public func encode(into w: inout WireWriter) { w.writeOptional(role) }
    public init(from r: inout WireReader) throws(WireDecodingError) { role = try r.readOptional(NodeRole.self) }
}

public struct LiveNodes: WireCodable, Equatable {
    public var sessions: [NodeSession]
    public init(sessions: [NodeSession]) { self.sessions = sessions }
    public func encode(into w: inout WireWriter) { w.writeArray(sessions) }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        sessions = try r.readArray(of: NodeSession.self, maxCount: 1 << 16)
    }
}

/// Membership events after `sequence` (coordinators in other processes poll this to learn "node X dead").
public struct WatchSessionEvents: WireRequest, Equatable {
    public static let kind = MessageKind(0x0264)
    public typealias Response = SessionEventBatch
    public var afterSequence: UInt64
    public init(afterSequence: UInt64) { self.afterSequence = afterSequence }
    public func encode(into w: inout WireWriter) { w.writeUInt64(afterSequence) }
    public init(from r: inout WireReader) throws(WireDecodingError) { afterSequence = try r.readUInt64() }
}

public struct SessionEventBatch: WireCodable, Equatable {
    /// Sequence of the newest event at the coordinator; poll again with it when `events` is empty.
    public var lastSequence: UInt64
    /// Events after the requested sequence. If the first one's sequence is not `afterSequence + 1`, older
    /// events were dropped from the history: resynchronise with `ListLiveNodes`.
    public var events: [SessionEvent]
    public init(lastSequence: UInt64, events: [SessionEvent]) {
        self.lastSequence = lastSequence
        self.events = events
    }
    public func encode(into w: inout WireWriter) {
        w.writeUInt64(lastSequence)
        w.writeArray(events)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        lastSequence = try r.readUInt64()
        events = try r.readArray(of: SessionEvent.self, maxCount: 1 << 16)
    }
}
