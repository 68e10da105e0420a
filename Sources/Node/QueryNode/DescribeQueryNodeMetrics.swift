import Shard
import Wire

/// What a query node has served and holds, for the proxy's `GET /metrics` (query nodes serve no HTTP).
/// Kind 0x040A; added after `DescribeQueryNode` rather than extending its reply, so older peers are unaffected.
public struct DescribeQueryNodeMetrics: WireRequest, Equatable {
    public static let kind = MessageKind(0x040A)
    public typealias Response = QueryNodeMetrics
    public init() {}
    public func encode(into w: inout WireWriter) {}
    public init(from r: inout WireReader) throws(WireDecodingError) {}
}

/// Requests a query node has answered since it started, and its search latency histogram.
public struct QueryNodeRequestCounts: WireCodable, Equatable {
    /// `SearchShard` requests answered, successfully or not.
    public var searches: UInt64 = 0
    /// Of those, the ones answered with an error.
    public var searchesFailed: UInt64 = 0
    /// `QueryShard`, `GetFromShard` and `CountShard` requests answered, successfully or not.
    public var queries: UInt64 = 0
    /// Of those, the ones answered with an error.
    public var queriesFailed: UInt64 = 0
    /// Upper bounds (seconds, ascending) of the search latency buckets; `+Inf` is implicit.
    public var latencyBounds: [Double]
    /// Searches per bucket, not cumulative: `latencyBounds.count + 1` entries, the last one for `+Inf`.
    public var latencyBuckets: [UInt64]
    /// Sum of every search's latency, in seconds.
    public var latencySumSeconds: Double = 0

    public init(latencyBounds: [Double]) {
        self.latencyBounds = latencyBounds
        latencyBuckets = [UInt64](repeating: 0, count: latencyBounds.count + 1)
    }

    public func encode(into w: inout WireWriter) {
        w.writeUInt64(searches)
        w.writeUInt64(searchesFailed)
        w.writeUInt64(queries)
        w.writeUInt64(queriesFailed)
        w.writeArray(latencyBounds) { w, b in w.writeDouble(b) }
        w.writeArray(latencyBuckets) { w, c in w.writeUInt64(c) }
        w.writeDouble(latencySumSeconds)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        searches = try r.readUInt64()
        searchesFailed = try r.readUInt64()
        queries = try r.readUInt64()
        queriesFailed = try r.readUInt64()
        latencyBounds = try r.readArray(maxCount: 64) { (r: inout WireReader) throws(WireDecodingError) in try r.readDouble() }
        latencyBuckets = try r.readArray(maxCount: 65) { (r: inout WireReader) throws(WireDecodingError) in try r.readUInt64() }
        latencySumSeconds = try r.readDouble()
        guard searchesFailed <= searches, queriesFailed <= queries else {
            throw .invalidValue("failed requests exceed requests (\(searchesFailed)/\(searches), \(queriesFailed)/\(queries))")
        }
        guard latencyBuckets.count == latencyBounds.count + 1 else {
            throw .invalidValue("\(latencyBuckets.count) latency buckets for \(latencyBounds.count) bounds")
        }
        guard latencyBounds.allSatisfy(\.isFinite), zip(latencyBounds, latencyBounds.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidValue("latency bounds must be finite and ascending")
        }
        guard latencySumSeconds.isFinite, latencySumSeconds >= 0 else { throw .invalidValue("latency sum \(latencySumSeconds)") }
    }
}

/// One hosted replica's size and how far behind its channel it is.
public struct ReplicaMetrics: WireCodable, Equatable {
    public var status: ShardReplicaStatus
    /// The channel's end as of the replica's latest read from the log node (`status.applied` when it has not
    /// read yet).
    public var channelEnd: LogPosition

    public init(status: ShardReplicaStatus, channelEnd: LogPosition) {
        self.status = status
        self.channelEnd = channelEnd
    }

    /// Records in the channel the replica has not applied yet, as far as it knows (the channel may have
    /// grown since its latest read, by at most what arrived during one long poll).
    public var logLagRecords: UInt64 {
        channelEnd.rawValue > status.applied.rawValue ? channelEnd.rawValue - status.applied.rawValue : 0
    }

    public func encode(into w: inout WireWriter) {
        status.encode(into: &w)
        w.writeUInt64(channelEnd.rawValue)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        status = try ShardReplicaStatus(from: &r)
        channelEnd = LogPosition(try r.readUInt64())
    }
}

/// A query node's metrics: request counters, hosted replicas, resident memory.
public struct QueryNodeMetrics: WireCodable, Equatable {
    public var requests: QueryNodeRequestCounts
    /// Every hosted replica, by collection then shard.
    public var replicas: [ReplicaMetrics]
    /// Resident set size of the node's process (in standalone mode, the whole process).
    public var residentMemoryBytes: UInt64

    public init(requests: QueryNodeRequestCounts, replicas: [ReplicaMetrics], residentMemoryBytes: UInt64) {
        self.requests = requests
        self.replicas = replicas
        self.residentMemoryBytes = residentMemoryBytes
    }

    public func encode(into w: inout WireWriter) {
        requests.encode(into: &w)
        w.writeArray(replicas)
        w.writeUInt64(residentMemoryBytes)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        requests = try QueryNodeRequestCounts(from: &r)
        replicas = try r.readArray(of: ReplicaMetrics.self, maxCount: 1 << 16)
        residentMemoryBytes = try r.readUInt64()
    }
}
