import Shard
import Wire

// Calls served by the data coordinator (kinds 0x0601…0x06FF; docs/cluster.md has the table). They live in
// Coordinator so the proxy can flush through the data coordinator without importing the role.

/// Wire error codes of the data coordinator (17xx, shared with the data nodes; docs/cluster.md lists them).
extension WireError.Code {
    /// No live data node owns a channel of the collection (none registered, or a reassignment is under way
    /// past the flush deadline): retriable once a data node serves it.
    public static let noDataNode = WireError.Code(1710)
    /// No live log node, so channels can be neither watched nor truncated (retriable).
    public static let dataCoordNoLogNode = WireError.Code(1711)
}

/// Flushes every shard of a collection: each owning data node catches its channel up to the end as of the
/// call and writes its segments and manifest to the object store. Replies with every shard's channel
/// checkpoint. Afterwards the channels are truncated below the previous flush's checkpoints.
public struct FlushCollection: WireRequest, Equatable {
    public static let kind = MessageKind(0x0601)
    public typealias Response = CollectionFlushed
    public var collectionID: CollectionID
    public init(collectionID: CollectionID) { self.collectionID = collectionID }
    public func encode(into w: inout WireWriter) { collectionID.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { collectionID = try CollectionID(from: &r) }
}

/// The per-shard channel checkpoints of a flush, in shard order.
public struct CollectionFlushed: WireCodable, Equatable {
    public var collectionID: CollectionID
    public var checkpoints: [LogPosition]
    public init(collectionID: CollectionID, checkpoints: [LogPosition]) {
        self.collectionID = collectionID
        self.checkpoints = checkpoints
    }
    public func encode(into w: inout WireWriter) {
        collectionID.encode(into: &w)
        w.writeArray(checkpoints) { w, p in w.writeUInt64(p.rawValue) }
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collectionID = try CollectionID(from: &r)
        checkpoints = try r.readArray(maxCount: 1024) { (r: inout WireReader) throws(WireDecodingError) -> LogPosition in
            LogPosition(try r.readUInt64())
        }
    }
}

/// Every channel's owner and last flushed checkpoint (status pages, tests).
public struct GetChannelAssignments: WireRequest, Equatable {
    public static let kind = MessageKind(0x0602)
    public typealias Response = ChannelAssignments
    public init() {}
    public func encode(into w: inout WireWriter) {}
    public init(from r: inout WireReader) throws(WireDecodingError) {}
}

public struct ChannelAssignments: WireCodable, Equatable {
    public struct Entry: WireCodable, Equatable, Sendable {
        public var collectionID: CollectionID
        public var shard: Int
        /// The owning data node (nil: unassigned), and whether it acknowledged the watch (this session of it).
        public var node: NodeID?
        public var watched: Bool
        /// The channel checkpoint of the last flush seen (nil: none yet).
        public var flushedCheckpoint: LogPosition?
        public init(collectionID: CollectionID, shard: Int, node: NodeID?, watched: Bool, flushedCheckpoint: LogPosition?) {
            self.collectionID = collectionID
            self.shard = shard
            self.node = node
            self.watched = watched
            self.flushedCheckpoint = flushedCheckpoint
        }
        public func encode(into w: inout WireWriter) {
            collectionID.encode(into: &w)
            w.writeUInt32(UInt32(shard))
            w.writeInt64(node?.rawValue ?? 0)
            w.writeUInt8(watched ? 1 : 0)
            w.writeUInt64(flushedCheckpoint?.rawValue ?? UInt64.max)
        }
        public init(from r: inout WireReader) throws(WireDecodingError) {
            collectionID = try CollectionID(from: &r)
            shard = Int(try r.readUInt32())
            let n = try r.readInt64()
            node = n == 0 ? nil : NodeID(n)
            watched = try r.readUInt8() != 0
            let f = try r.readUInt64()
            flushedCheckpoint = f == UInt64.max ? nil : LogPosition(f)
        }
    }
    public var entries: [Entry]
    public init(entries: [Entry]) { self.entries = entries }
    public func encode(into w: inout WireWriter) { w.writeArray(entries) }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        entries = try r.readArray(of: Entry.self, maxCount: 1 << 20)
    }
}
