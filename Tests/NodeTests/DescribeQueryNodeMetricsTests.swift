import Node
import Shard
import Testing
import Wire

@Suite struct DescribeQueryNodeMetricsTests {
    static func sample() -> QueryNodeMetrics {
        var counts = QueryNodeRequestCounts(latencyBounds: [0.001, 0.01])
        counts.searches = 7
        counts.searchesFailed = 2
        counts.queries = 3
        counts.latencyBuckets = [4, 2, 1]
        counts.latencySumSeconds = 0.5
        let status = ShardReplicaStatus(ref: ShardRef(collection: 42, shard: 1), replica: 0, liveRows: 10, sealedSegments: 2,
                                        growingRows: 3, applied: LogPosition(5), lastTimestamp: 99)
        return QueryNodeMetrics(requests: counts, replicas: [ReplicaMetrics(status: status, channelEnd: LogPosition(9))],
                                residentMemoryBytes: 123)
    }

    @Test func roundTripAndLag() throws {
        let m = Self.sample()
        var w = WireWriter()
        m.encode(into: &w)
        var r = WireReader(w.bytes)
        #expect(try QueryNodeMetrics(from: &r) == m)
        try r.finish()
        #expect(m.replicas[0].logLagRecords == 4)
        var behind = m.replicas[0]
        behind.channelEnd = LogPosition(2)
        #expect(behind.logLagRecords == 0)
    }

    @Test func rejectsInconsistentCounts() {
        var bad = Self.sample()
        bad.requests.searchesFailed = 8  // more failures than searches
        var badBuckets = Self.sample()
        badBuckets.requests.latencyBuckets = [1, 2]  // one short of bounds + 1
        var descending = Self.sample()
        descending.requests.latencyBounds = [0.01, 0.001]
        for m in [bad, badBuckets, descending] {
            var w = WireWriter()
            m.encode(into: &w)
            var r = WireReader(w.bytes)
            #expect(throws: WireDecodingError.self) { _ = try QueryNodeMetrics(from: &r) }
        }
        // Truncated bytes fail too.
        var w = WireWriter()
        Self.sample().encode(into: &w)
        var r = WireReader(Array(w.bytes.dropLast(3)))
        #expect(throws: WireDecodingError.self) { _ = try QueryNodeMetrics(from: &r) }
    }
}
