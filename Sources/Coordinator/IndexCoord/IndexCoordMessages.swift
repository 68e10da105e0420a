import Wire

// Calls served by the index coordinator (kinds 0x0701…0x07FF; docs/cluster.md has the table). They live
// here, beside the other coordinators' messages, so a proxy can ask without importing the role.

/// The index build state of every flushed segment of a collection the index coordinator has seen in object
/// storage. An unknown collection (nothing flushed yet, or dropped) answers an empty list.
public struct DescribeIndexBuilds: WireRequest, Equatable {
    public static let kind = MessageKind(0x0701)
    public typealias Response = IndexBuildsReply
    public var collectionID: CollectionID
    public init(collectionID: CollectionID) { self.collectionID = collectionID }
    public func encode(into w: inout WireWriter) { collectionID.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { collectionID = try CollectionID(from: &r) }
}

/// Where one segment's index build stands.
public enum SegmentIndexState: UInt8, Sendable, Equatable, CustomStringConvertible, WireCodable {
    /// Waiting for an index node (never tried, or retried after a failure or a node's death).
    case pending = 0
    /// Sent to an index node, not answered yet.
    case building = 1
    /// Its index objects exist (built by an index node, or written by the shard's own seal).
    case finished = 2
    /// Given up after the coordinator's attempt limit; `lastError` says why.
    case failed = 3

    public var description: String {
        switch self {
        case .pending: "pending"
        case .building: "building"
        case .finished: "finished"
        case .failed: "failed"
        }
    }
    public func encode(into w: inout WireWriter) { w.writeUInt8(rawValue) }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        let v = try r.readUInt8()
        guard let s = SegmentIndexState(rawValue: v) else { throw .invalidValue("segment index state \(v)") }
        self = s
    }
}

/// One flushed segment's index build.
public struct SegmentIndexBuildStatus: Sendable, Equatable, WireCodable {
    public var shard: Int
    public var segmentID: UInt64
    public var rows: Int
    public var state: SegmentIndexState
    /// The index node building it or that built it (nil: none yet, or indexed by the shard itself).
    public var node: NodeID?
    /// Builds tried so far (a node's death or a failure counts one).
    public var attempts: Int
    /// How long the successful build took on its node (0 until finished).
    public var buildMilliseconds: Int
    /// The last failure, empty when none.
    public var lastError: String

    public init(shard: Int, segmentID: UInt64, rows: Int, state: SegmentIndexState, node: NodeID?, attempts: Int,
                buildMilliseconds: Int, lastError: String) {
        self.shard = shard
        self.segmentID = segmentID
        self.rows = rows
        self.state = state
        self.node = node
        self.attempts = attempts
        self.buildMilliseconds = buildMilliseconds
        self.lastError = lastError
    }

    public func encode(into w: inout WireWriter) {
        w.writeUInt32(UInt32(shard))
        w.writeUInt64(segmentID)
        w.writeUInt64(UInt64(rows))
        state.encode(into: &w)
        w.writeOptional(node)
        w.writeUInt32(UInt32(clamping: attempts))
        w.writeUInt64(UInt64(buildMilliseconds))
        w.writeString(lastError)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        let s = try r.readUInt32()
        guard s <= 65_535 else { throw .invalidValue("shard \(s) is over 65535") }
        shard = Int(s)
        segmentID = try r.readUInt64()
        rows = Int(clamping: try r.readUInt64())
        state = try SegmentIndexState(from: &r)
        node = try r.readOptional(NodeID.self)
        attempts = Int(try r.readUInt32())
        buildMilliseconds = Int(clamping: try r.readUInt64())
        lastError = try r.readString(limit: 4_096)
    }
}

/// `DescribeIndexBuilds`'s answer, with Milvus's summary numbers.
public struct IndexBuildsReply: Sendable, Equatable, WireCodable {
    /// Segments ordered by shard, then segment id.
    public var segments: [SegmentIndexBuildStatus]

    public init(segments: [SegmentIndexBuildStatus]) { self.segments = segments }

    /// Rows in flushed segments.
    public var totalRows: Int { segments.reduce(0) { $0 + $1.rows } }
    /// Rows in segments whose index objects exist.
    public var indexedRows: Int { segments.filter { $0.state == .finished }.reduce(0) { $0 + $1.rows } }
    /// Rows still waiting for an index (pending or building; failed ones are not counted as pending).
    public var pendingRows: Int { segments.filter { $0.state == .pending || $0.state == .building }.reduce(0) { $0 + $1.rows } }
    /// Milvus's `indexState`: `Failed` if any segment failed, else `InProgress` while any waits, else `Finished`.
    public var indexState: String {
        if segments.contains(where: { $0.state == .failed }) { return "Failed" }
        if pendingRows > 0 { return "InProgress" }
        return "Finished"
    }

    public func encode(into w: inout WireWriter) { w.writeArray(segments) }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        segments = try r.readArray(of: SegmentIndexBuildStatus.self, maxCount: 1 << 20)
    }
}
