import Coordinator
import Shard
import Wire

// Calls served by a query node (kinds 0x0401…0x04FF; docs/cluster.md has the table). A query node holds
// replicas of shards, each kept up to date from the shard's channel on the log node. A node holds at most
// one replica of a given shard, so (collection id, shard) names a hosted replica.

/// Most query vectors × dimension floats one search carries (16 384 queries of 384 floats ≈ 24 MiB).
public let maxSearchFloats = 16_384 * 384
/// Most output fields or keys a request names.
let maxNamedItems = 16_384
let fieldNameLimit = 255
let filterLimit = 64 << 10

/// Writes filter template parameters (`exprParams`) as name + `FieldValue` encoding pairs.
func writeParameters(_ p: [String: FieldValue], into w: inout WireWriter) {
    let sorted = p.sorted { $0.key < $1.key }
    w.writeArray(sorted) { w, kv in
        w.writeString(kv.key)
        w.writeBytes(kv.value.encoded())
    }
}

func readParameters(from r: inout WireReader) throws(WireDecodingError) -> [String: FieldValue] {
    let pairs = try r.readArray(maxCount: 1024) { (r: inout WireReader) throws(WireDecodingError) -> (String, FieldValue) in
        let name = try r.readString(limit: fieldNameLimit)
        let bytes = try r.readBytes(limit: 1 << 20)
        do { return (name, try FieldValue(decoding: bytes)) } catch { throw .invalidValue("filter parameter \(name): \(error)") }
    }
    return Dictionary(pairs, uniquingKeysWith: { a, _ in a })
}

/// Names one hosted shard replica.
public struct ShardRef: Hashable, Sendable, CustomStringConvertible, WireCodable {
    public var collection: Int64
    public var shard: Int
    public init(collection: Int64, shard: Int) {
        self.collection = collection
        self.shard = shard
    }
    public var channel: ChannelName { ChannelName(collection: collection, shard: shard) }
    public var description: String { "collection \(collection) shard \(shard)" }
    public func encode(into w: inout WireWriter) { channel.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        let c = try ChannelName(from: &r)
        collection = c.collection
        shard = c.shard
    }
}

/// Loads a replica of one shard: builds it empty with the collection's schema and index specs, replays the
/// shard's channel from the log node at `logNode` up to its current end, and keeps consuming it. Replies
/// once caught up. Loading a replica the node already holds is a no-op.
public struct LoadShardReplica: WireRequest, Equatable {
    public static let kind = MessageKind(0x0401)
    public typealias Response = ShardReplicaStatus
    public var collection: CollectionInfo
    public var shard: Int
    public var replica: Int
    /// `HOST:PORT` of the log node holding the channel.
    public var logNode: String
    public init(collection: CollectionInfo, shard: Int, replica: Int, logNode: String) {
        self.collection = collection
        self.shard = shard
        self.replica = replica
        self.logNode = logNode
    }
    public var ref: ShardRef { ShardRef(collection: collection.id.rawValue, shard: shard) }
    public func encode(into w: inout WireWriter) {
        collection.encode(into: &w)
        w.writeUInt32(UInt32(shard))
        w.writeUInt32(UInt32(replica))
        w.writeString(logNode)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collection = try CollectionInfo(from: &r)
        shard = Int(try r.readUInt32())
        replica = Int(try r.readUInt32())
        logNode = try r.readString(limit: 300)
        guard shard < collection.shardsNum else { throw .invalidValue("shard \(shard) of a \(collection.shardsNum)-shard collection") }
    }
}

/// Drops a hosted replica and its memory. Idempotent.
public struct ReleaseShardReplica: WireRequest, Equatable {
    public static let kind = MessageKind(0x0402)
    public typealias Response = WireEmpty
    public var ref: ShardRef
    public init(ref: ShardRef) { self.ref = ref }
    public func encode(into w: inout WireWriter) { ref.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { ref = try ShardRef(from: &r) }
}

/// Top-`k` search of one shard replica for `nq` query vectors (`vectors.count / dimension`).
public struct SearchShard: WireRequest, Equatable {
    public static let kind = MessageKind(0x0403)
    public typealias Response = ShardSearchReply
    public var ref: ShardRef
    public var field: String
    /// `nq × dimension` floats, row-major (raw Float32 on the wire).
    public var vectors: [Float]
    public var dimension: Int
    public var k: Int
    public var ef: Int?
    /// IVF lists to scan (IVF_FLAT / IVF_SQ8); nil: the shard's default.
    public var nprobe: Int?
    public var filter: String
    public var parameters: [String: FieldValue]
    public var outputFields: [String]
    public var guarantee: ReadGuarantee
    public init(ref: ShardRef, field: String, vectors: [Float], dimension: Int, k: Int, ef: Int? = nil,
                nprobe: Int? = nil, filter: String = "", parameters: [String: FieldValue] = [:], outputFields: [String] = [],
                guarantee: ReadGuarantee) {
        self.ref = ref
        self.field = field
        self.vectors = vectors
        self.dimension = dimension
        self.k = k
        self.ef = ef
        self.nprobe = nprobe
        self.filter = filter
        self.parameters = parameters
        self.outputFields = outputFields
        self.guarantee = guarantee
    }
    public func encode(into w: inout WireWriter) {
        ref.encode(into: &w)
        w.writeString(field)
        w.writeUInt32(UInt32(dimension))
        w.writeFloats(vectors)
        w.writeUInt32(UInt32(k))
        w.writeUInt32(UInt32(ef ?? 0))
        w.writeString(filter)
        writeParameters(parameters, into: &w)
        w.writeArray(outputFields)
        guarantee.encode(into: &w)
        w.writeUInt32(UInt32(nprobe ?? 0))
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        ref = try ShardRef(from: &r)
        field = try r.readString(limit: fieldNameLimit)
        dimension = Int(try r.readUInt32())
        guard (1...32_768).contains(dimension) else { throw .invalidValue("dimension \(dimension)") }
        vectors = try r.readFloats(maxCount: maxSearchFloats)
        guard !vectors.isEmpty, vectors.count % dimension == 0 else {
            throw .invalidValue("\(vectors.count) floats is not a positive multiple of dimension \(dimension)")
        }
        k = Int(try r.readUInt32())
        let e = Int(try r.readUInt32())
        ef = e == 0 ? nil : e
        filter = try r.readString(limit: filterLimit)
        parameters = try readParameters(from: &r)
        outputFields = try r.readArray(of: String.self, maxCount: maxNamedItems)
        guarantee = try ReadGuarantee(from: &r)
        let probes = Int(try r.readUInt32())
        guard probes <= 65_536 else { throw .invalidValue("nprobe \(probes) over 65536") }
        nprobe = probes == 0 ? nil : probes
    }
}

/// Per-shard hits: `topks[q]` hits for query `q`, flat in query order. `distances` order hits (smaller is
/// nearer); `scores` are Milvus's reported distances (squared L2, or IP / cosine similarity). `rows` is
/// `ShardRows.encode(keyType:)` of the hits' keys with the requested output fields, in hit order.
public struct ShardSearchReply: WireCodable, Equatable {
    public var topks: [Int]
    public var distances: [Float]
    public var scores: [Float]
    public var rows: [UInt8]
    public init(topks: [Int], distances: [Float], scores: [Float], rows: [UInt8]) {
        self.topks = topks
        self.distances = distances
        self.scores = scores
        self.rows = rows
    }
    public func encode(into w: inout WireWriter) {
        w.writeArray(topks) { w, t in w.writeUInt32(UInt32(t)) }
        w.writeFloats(distances)
        w.writeFloats(scores)
        w.writeBytes(rows)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        topks = try r.readArray(maxCount: 16_384) { (r: inout WireReader) throws(WireDecodingError) in Int(try r.readUInt32()) }
        distances = try r.readFloats(maxCount: 1 << 24)
        scores = try r.readFloats(maxCount: 1 << 24)
        rows = try r.readBytes(limit: 256 << 20)
        guard topks.reduce(0, +) == distances.count, distances.count == scores.count else {
            throw .invalidValue("topks sum \(topks.reduce(0, +)) vs \(distances.count) distances / \(scores.count) scores")
        }
    }
}

/// Rows of one shard replica matching `filter` (all when empty), first `limit` in shard order.
public struct QueryShard: WireRequest, Equatable {
    public static let kind = MessageKind(0x0404)
    public typealias Response = ShardRowsReply
    public var ref: ShardRef
    public var filter: String
    public var parameters: [String: FieldValue]
    public var outputFields: [String]
    public var limit: Int
    public var guarantee: ReadGuarantee
    public init(ref: ShardRef, filter: String = "", parameters: [String: FieldValue] = [:], outputFields: [String] = [],
                limit: Int, guarantee: ReadGuarantee) {
        self.ref = ref
        self.filter = filter
        self.parameters = parameters
        self.outputFields = outputFields
        self.limit = limit
        self.guarantee = guarantee
    }
    public func encode(into w: inout WireWriter) {
        ref.encode(into: &w)
        w.writeString(filter)
        writeParameters(parameters, into: &w)
        w.writeArray(outputFields)
        w.writeUInt32(UInt32(clamping: limit))
        guarantee.encode(into: &w)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        ref = try ShardRef(from: &r)
        filter = try r.readString(limit: filterLimit)
        parameters = try readParameters(from: &r)
        outputFields = try r.readArray(of: String.self, maxCount: maxNamedItems)
        limit = Int(try r.readUInt32())
        guarantee = try ReadGuarantee(from: &r)
    }
}

/// Rows with the given keys, from one shard replica.
public struct GetFromShard: WireRequest, Equatable {
    public static let kind = MessageKind(0x0405)
    public typealias Response = ShardRowsReply
    public var ref: ShardRef
    public var keys: [PrimaryKey]
    public var outputFields: [String]
    public var guarantee: ReadGuarantee
    public init(ref: ShardRef, keys: [PrimaryKey], outputFields: [String] = [], guarantee: ReadGuarantee) {
        self.ref = ref
        self.keys = keys
        self.outputFields = outputFields
        self.guarantee = guarantee
    }
    public func encode(into w: inout WireWriter) {
        ref.encode(into: &w)
        w.writeArray(keys)
        w.writeArray(outputFields)
        guarantee.encode(into: &w)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        ref = try ShardRef(from: &r)
        keys = try r.readArray(of: PrimaryKey.self, maxCount: maxNamedItems)
        outputFields = try r.readArray(of: String.self, maxCount: maxNamedItems)
        guarantee = try ReadGuarantee(from: &r)
    }
}

/// `ShardRows.encode(keyType:)` bytes.
public struct ShardRowsReply: WireCodable, Equatable {
    public var rows: [UInt8]
    public init(rows: [UInt8]) { self.rows = rows }
    public func encode(into w: inout WireWriter) { w.writeBytes(rows) }
    public init(from r: inout WireReader) throws(WireDecodingError) { rows = try r.readBytes(limit: 256 << 20) }
}

/// `count(*)` of the rows of one shard replica matching `filter`.
public struct CountShard: WireRequest, Equatable {
    public static let kind = MessageKind(0x0406)
    public typealias Response = UInt64
    public var ref: ShardRef
    public var filter: String
    public var parameters: [String: FieldValue]
    public var guarantee: ReadGuarantee
    public init(ref: ShardRef, filter: String = "", parameters: [String: FieldValue] = [:], guarantee: ReadGuarantee) {
        self.ref = ref
        self.filter = filter
        self.parameters = parameters
        self.guarantee = guarantee
    }
    public func encode(into w: inout WireWriter) {
        ref.encode(into: &w)
        w.writeString(filter)
        writeParameters(parameters, into: &w)
        guarantee.encode(into: &w)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        ref = try ShardRef(from: &r)
        filter = try r.readString(limit: filterLimit)
        parameters = try readParameters(from: &r)
        guarantee = try ReadGuarantee(from: &r)
    }
}

/// Seals the replica's growing data into an indexed segment (after catching up to the channel's end), so
/// searches use the index. The proxy's flush sends it to every replica.
public struct SealShard: WireRequest, Equatable {
    public static let kind = MessageKind(0x0407)
    public typealias Response = ShardReplicaStatus
    public var ref: ShardRef
    public init(ref: ShardRef) { self.ref = ref }
    public func encode(into w: inout WireWriter) { ref.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { ref = try ShardRef(from: &r) }
}

/// Merges the replica's small sealed segments (`Shard.compact()`), after catching up to the channel's
/// end. The proxy's `collections/compact` sends it to every replica. (Added for the web console, issue #8.)
public struct CompactShard: WireRequest, Equatable {
    public static let kind = MessageKind(0x0409)
    public typealias Response = ShardReplicaStatus
    public var ref: ShardRef
    public init(ref: ShardRef) { self.ref = ref }
    public func encode(into w: inout WireWriter) { ref.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { ref = try ShardRef(from: &r) }
}

/// What a node holds: every hosted replica's status.
public struct DescribeQueryNode: WireRequest, Equatable {
    public static let kind = MessageKind(0x0408)
    public typealias Response = QueryNodeStatus
    public init() {}
    public func encode(into w: inout WireWriter) {}
    public init(from r: inout WireReader) throws(WireDecodingError) {}
}

/// One hosted replica: rows, segments, how far it has consumed its channel.
public struct ShardReplicaStatus: WireCodable, Equatable {
    public var ref: ShardRef
    public var replica: Int
    public var liveRows: Int
    public var sealedSegments: Int
    public var growingRows: Int
    /// Next channel position to apply (everything below is applied).
    public var applied: LogPosition
    public var lastTimestamp: UInt64
    /// Why the replica is not keeping up, empty when it is: the last consumption error (log node
    /// unreachable, a record it could not apply), cleared once a read from the log node succeeds.
    public var lastError: String
    /// The channel position consumption started from at the latest (re)load: the flushed manifest's channel
    /// checkpoint, or 0 when there was none (the whole channel was replayed).
    public var loadedFrom: LogPosition
    /// The channel checkpoint of the shard's last committed manifest (a data node's flushed state); nil: none.
    public var flushedCheckpoint: LogPosition?
    /// How often the replica reloaded from the newest manifest because its read position was truncated away.
    public var reloads: Int
    public init(ref: ShardRef, replica: Int, liveRows: Int, sealedSegments: Int, growingRows: Int,
                applied: LogPosition, lastTimestamp: UInt64, lastError: String = "", loadedFrom: LogPosition = .start,
                flushedCheckpoint: LogPosition? = nil, reloads: Int = 0) {
        self.loadedFrom = loadedFrom
        self.flushedCheckpoint = flushedCheckpoint
        self.reloads = reloads
        self.ref = ref
        self.replica = replica
        self.liveRows = liveRows
        self.sealedSegments = sealedSegments
        self.growingRows = growingRows
        self.applied = applied
        self.lastTimestamp = lastTimestamp
        self.lastError = lastError
    }
    public func encode(into w: inout WireWriter) {
        ref.encode(into: &w)
        w.writeUInt32(UInt32(replica))
        w.writeUInt64(UInt64(liveRows))
        w.writeUInt32(UInt32(sealedSegments))
        w.writeUInt64(UInt64(growingRows))
        w.writeUInt64(applied.rawValue)
        w.writeUInt64(lastTimestamp)
        w.writeString(lastError)
        w.writeUInt64(loadedFrom.rawValue)
        w.writeUInt64(flushedCheckpoint?.rawValue ?? UInt64.max)
        w.writeUInt32(UInt32(clamping: reloads))
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        ref = try ShardRef(from: &r)
        replica = Int(try r.readUInt32())
        liveRows = Int(clamping: try r.readUInt64())
        sealedSegments = Int(try r.readUInt32())
        growingRows = Int(clamping: try r.readUInt64())
        applied = LogPosition(try r.readUInt64())
        lastTimestamp = try r.readUInt64()
        lastError = try r.readString(limit: 4096)
        loadedFrom = LogPosition(try r.readUInt64())
        let flushed = try r.readUInt64()
        flushedCheckpoint = flushed == UInt64.max ? nil : LogPosition(flushed)
        reloads = Int(try r.readUInt32())
    }
}

public struct QueryNodeStatus: WireCodable, Equatable {
    public var replicas: [ShardReplicaStatus]
    /// Searches served since start.
    public var searches: UInt64
    public init(replicas: [ShardReplicaStatus], searches: UInt64) {
        self.replicas = replicas
        self.searches = searches
    }
    public func encode(into w: inout WireWriter) {
        w.writeArray(replicas)
        w.writeUInt64(searches)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        replicas = try r.readArray(of: ShardReplicaStatus.self, maxCount: 1 << 16)
        searches = try r.readUInt64()
    }
}

extension PrimaryKey: WireCodable {
    /// Tag u8 (1 Int64, 2 VarChar), then the i64 or the string.
    public func encode(into w: inout WireWriter) {
        switch self {
        case .int(let v):
            w.writeUInt8(1)
            w.writeInt64(v)
        case .string(let s):
            w.writeUInt8(2)
            w.writeString(s)
        }
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        switch try r.readUInt8() {
        case 1: self = .int(try r.readInt64())
        case 2: self = .string(try r.readString(limit: 65_535))
        case let t: throw .invalidValue("primary key tag \(t)")
        }
    }
}
