import Coordinator
import Wire

// Calls served by an index node (kinds 0x0901…0x09FF; docs/cluster.md has the table).

/// Builds the missing vector index objects of one flushed segment, read from the shared object storage
/// (`<object-store>/collections/<collection>/shard-<shard>/segments/<segment>/`), and replies when they are
/// written. Idempotent: a segment whose objects exist replies at once with no objects; a request for a segment
/// already being built here waits for that build.
public struct BuildSegmentIndex: WireRequest, Equatable, Hashable {
    public static let kind = MessageKind(0x0901)
    public typealias Response = SegmentIndexBuildReply
    public var collectionID: CollectionID
    public var shard: Int
    public var segmentID: UInt64

    public init(collectionID: CollectionID, shard: Int, segmentID: UInt64) {
        self.collectionID = collectionID
        self.shard = shard
        self.segmentID = segmentID
    }

    public func encode(into w: inout WireWriter) {
        collectionID.encode(into: &w)
        w.writeUInt32(UInt32(shard))
        w.writeUInt64(segmentID)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        collectionID = try CollectionID(from: &r)
        guard collectionID.rawValue >= 0 else { throw .invalidValue("collection id \(collectionID.rawValue) is negative") }
        let s = try r.readUInt32()
        guard s <= 65_535 else { throw .invalidValue("shard \(s) is over 65535") }
        shard = Int(s)
        segmentID = try r.readUInt64()
    }
}

/// What one `BuildSegmentIndex` did.
public struct SegmentIndexBuildReply: WireCodable, Equatable {
    /// Rows in the segment.
    public var rows: Int
    /// Keys of the index objects written (empty when none was missing).
    public var objects: [String]
    /// Bytes written.
    public var bytes: Int
    /// Time spent building and writing (not queued).
    public var buildMilliseconds: Int

    public init(rows: Int, objects: [String], bytes: Int, buildMilliseconds: Int) {
        self.rows = rows
        self.objects = objects
        self.bytes = bytes
        self.buildMilliseconds = buildMilliseconds
    }

    public func encode(into w: inout WireWriter) {
        w.writeUInt64(UInt64(rows))
        w.writeArray(objects) { w, s in w.writeString(s) }
        w.writeUInt64(UInt64(bytes))
        w.writeUInt64(UInt64(buildMilliseconds))
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        rows = Int(clamping: try r.readUInt64())
        objects = try r.readArray(maxCount: 1_024) { (r: inout WireReader) throws(WireDecodingError) in try r.readString(limit: 1_024) }
        bytes = Int(clamping: try r.readUInt64())
        buildMilliseconds = Int(clamping: try r.readUInt64())
    }
}

/// The index node's load: what the index coordinator balances by and the console shows.
public struct DescribeIndexNode: WireRequest, Equatable {
    public static let kind = MessageKind(0x0902)
    public typealias Response = IndexNodeStatus
    public init() {}
    public func encode(into w: inout WireWriter) {}
    public init(from r: inout WireReader) throws(WireDecodingError) {}
}

public struct IndexNodeStatus: WireCodable, Equatable {
    /// Builds running now.
    public var running: Int
    /// Builds accepted and waiting for a build thread.
    public var queued: Int
    /// Builds finished since start (successfully).
    public var done: Int
    /// Builds that failed since start.
    public var failed: Int
    /// Builds that may run at once, and that may wait beyond them before requests are refused.
    public var maxConcurrentBuilds: Int
    public var maxQueuedBuilds: Int

    public init(running: Int, queued: Int, done: Int, failed: Int, maxConcurrentBuilds: Int, maxQueuedBuilds: Int) {
        self.running = running
        self.queued = queued
        self.done = done
        self.failed = failed
        self.maxConcurrentBuilds = maxConcurrentBuilds
        self.maxQueuedBuilds = maxQueuedBuilds
    }

    public func encode(into w: inout WireWriter) {
        for v in [running, queued, done, failed, maxConcurrentBuilds, maxQueuedBuilds] { w.writeUInt64(UInt64(v)) }
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        running = Int(clamping: try r.readUInt64())
        queued = Int(clamping: try r.readUInt64())
        done = Int(clamping: try r.readUInt64())
        failed = Int(clamping: try r.readUInt64())
        maxConcurrentBuilds = Int(clamping: try r.readUInt64())
        maxQueuedBuilds = Int(clamping: try r.readUInt64())
    }
}
