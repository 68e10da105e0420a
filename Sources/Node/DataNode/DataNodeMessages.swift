import Coordinator
import Shard
import Wire

// Calls served by a data node (kinds 0x0801…0x08FF; docs/cluster.md has the table). A data node owns shard
// channels assigned by the data coordinator: it consumes each into a `Shard` whose objects are the shard's
// directory in the shared object store, and flushes segments + manifest there.

/// Starts consuming one shard's channel (from the shared manifest's channel checkpoint, or the start) and
/// flushing it into the shared object store. Replies once the shard is open. Watching a watched channel is a
/// no-op.
public struct WatchChannel: WireRequest, Equatable {
    public static let kind = MessageKind(0x0801)
    public typealias Response = WireEmpty
    public var collection: CollectionInfo
    public var shard: Int
    /// `HOST:PORT` of the log node holding the channel.
    public var logNode: String
    public init(collection: CollectionInfo, shard: Int, logNode: String) {
        self.collection = collection
        self.shard = shard
        self.logNode = logNode
    }
    public var ref: ShardRef { ShardRef(collection: collection.id.rawValue, shard: shard) }
    public func encode(into w: inout WireWriter) {
        collection.encode(into: &w)
        w.writeUInt32(UInt32(shard))
        w.writeString(logNode)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collection = try CollectionInfo(from: &r)
        shard = Int(try r.readUInt32())
        logNode = try r.readString(limit: 300)
        guard shard < collection.shardsNum else { throw .invalidValue("shard \(shard) of a \(collection.shardsNum)-shard collection") }
    }
}

/// Stops consuming a channel and closes its shard (unflushed rows stay in the channel, from the last
/// checkpoint on, for the next owner). Idempotent.
public struct UnwatchChannel: WireRequest, Equatable {
    public static let kind = MessageKind(0x0802)
    public typealias Response = WireEmpty
    public var ref: ShardRef
    public init(ref: ShardRef) { self.ref = ref }
    public func encode(into w: inout WireWriter) { ref.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { ref = try ShardRef(from: &r) }
}

/// Catches the shard up to its channel's end as of the call, then flushes: seals the growing rows into a
/// segment, writes it and a manifest (format v2) naming the channel checkpoint. Replies with that checkpoint.
public struct FlushShard: WireRequest, Equatable {
    public static let kind = MessageKind(0x0803)
    public typealias Response = ShardFlushed
    public var ref: ShardRef
    public init(ref: ShardRef) { self.ref = ref }
    public func encode(into w: inout WireWriter) { ref.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { ref = try ShardRef(from: &r) }
}

/// A flushed shard: its manifest's channel checkpoint (everything below is in segments) and sizes.
public struct ShardFlushed: WireCodable, Equatable {
    public var ref: ShardRef
    public var channelCheckpoint: LogPosition
    public var liveRows: Int
    public var sealedSegments: Int
    public init(ref: ShardRef, channelCheckpoint: LogPosition, liveRows: Int, sealedSegments: Int) {
        self.ref = ref
        self.channelCheckpoint = channelCheckpoint
        self.liveRows = liveRows
        self.sealedSegments = sealedSegments
    }
    public func encode(into w: inout WireWriter) {
        ref.encode(into: &w)
        w.writeUInt64(channelCheckpoint.rawValue)
        w.writeUInt64(UInt64(liveRows))
        w.writeUInt32(UInt32(clamping: sealedSegments))
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        ref = try ShardRef(from: &r)
        channelCheckpoint = LogPosition(try r.readUInt64())
        liveRows = Int(clamping: try r.readUInt64())
        sealedSegments = Int(try r.readUInt32())
    }
}

/// The watched channels with their progress and last flushed checkpoint.
public struct DescribeDataNode: WireRequest, Equatable {
    public static let kind = MessageKind(0x0804)
    public typealias Response = DataNodeStatus
    public init() {}
    public func encode(into w: inout WireWriter) {}
    public init(from r: inout WireReader) throws(WireDecodingError) {}
}

public struct DataNodeStatus: WireCodable, Equatable {
    /// One per watched channel (`replica` is 0; `flushedCheckpoint` the last manifest's channel checkpoint).
    public var channels: [ShardReplicaStatus]
    /// Flushes done since start (policy and requests).
    public var flushes: UInt64
    public init(channels: [ShardReplicaStatus], flushes: UInt64) {
        self.channels = channels
        self.flushes = flushes
    }
    public func encode(into w: inout WireWriter) {
        w.writeArray(channels)
        w.writeUInt64(flushes)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        channels = try r.readArray(of: ShardReplicaStatus.self, maxCount: 65_536)
        flushes = try r.readUInt64()
    }
}
