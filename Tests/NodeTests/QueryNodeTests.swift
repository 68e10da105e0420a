import Coordinator
import Foundation
import Node
import Shard
import Testing
import TestSupport
import VecCore
import Wire

/// The query node against a log node (a `ChannelLog`-backed double serving the same messages), over the
/// in-memory transport. Small data: a few hundred 8-d rows.
@Suite(.serialized)
struct QueryNodeTests {
    typealias H = QueryNodeHarness
    static let d = H.dimension

    static func ts(_ i: Int) -> UInt64 { HybridTimestamp.make(physicalMilliseconds: 1_000_000 + UInt64(i)) }

    /// Writes rows 0..<n in batches of 50, deletes every 7th id and upserts ids 0..<10 with new vectors and
    /// tag 9; returns the live rows' vectors by id.
    static func writeWorkload(_ h: H, ref: ShardRef, rows n: Int, seed: UInt64) async throws -> [Int64: [Float]] {
        let vectors = TestData.uniform(count: n + 10, dimension: d, seed: seed)
        var live: [Int64: [Float]] = [:]
        var t = 0
        for start in stride(from: 0, to: n, by: 50) {
            let ids = (start..<min(n, start + 50)).map(Int64.init)
            let v = Array(vectors[(start * d)..<((start + ids.count) * d)])
            try await h.append(.insert(try H.batch(ids: ids, vectors: v)), to: ref, timestamp: ts(t))
            t += 1
            for (i, id) in ids.enumerated() { live[id] = Array(v[(i * d)..<((i + 1) * d)]) }
        }
        let deleted = stride(from: 0, to: n, by: 7).map { PrimaryKey.int(Int64($0)) }
        try await h.append(.delete(deleted), to: ref, timestamp: ts(t))
        t += 1
        for case .int(let id) in deleted { live[id] = nil }
        let upIDs = (0..<Int64(10)).map { $0 }
        let upV = Array(vectors[(n * d)..<((n + 10) * d)])
        try await h.append(.upsert(try H.batch(ids: upIDs, vectors: upV, tag: { _ in 9 })), to: ref, timestamp: ts(t))
        for (i, id) in upIDs.enumerated() { live[id] = Array(upV[(i * d)..<((i + 1) * d)]) }
        return live
    }

    @Test func loadedReplicaServesExactSearchQueryGetAndCount() async throws {
        let h = try await H()
        let ref = ShardRef(collection: 100, shard: 1)
        let live = try await Self.writeWorkload(h, ref: ref, rows: 300, seed: 11)
        let status = try await h.load(ref)
        #expect(status.liveRows == live.count)
        #expect(status.applied == LogPosition(8))  // 6 inserts, 1 delete, 1 upsert
        #expect(status.lastError == "")

        // Search: FLAT is exact, so the hits equal brute force over the live rows.
        let ids = live.keys.sorted()
        let base = ids.flatMap { live[$0]! }
        let queries = TestData.uniform(count: 3, dimension: Self.d, seed: 99)
        let reply = try await h.client.call(SearchShard(
            ref: ref, field: "vec", vectors: queries, dimension: Self.d, k: 10, outputFields: ["tag", "title"], guarantee: .strong))
        #expect(reply.topks == [10, 10, 10])
        let rows = try H.decode(reply.rows)
        #expect(rows.count == 30)
        for q in 0..<3 {
            let truth = BruteForce.topK(base: base, dimension: Self.d, query: TestData.row(queries, q, dimension: Self.d), k: 10, metric: .l2)
            let got = Array(H.ints(rows)[(q * 10)..<((q + 1) * 10)])
            #expect(got == truth.map { ids[$0.row] })
            for (i, t) in truth.enumerated() {
                #expect(abs(Double(reply.scores[q * 10 + i]) - t.distance) < 1e-4)
            }
        }
        for (i, id) in H.ints(rows).enumerated() {
            #expect(rows.column(named: "title")?.value(at: i) == .string("t\(id)"))
        }

        // Query with a filter and output fields.
        let q = try H.decode(try await h.client.call(QueryShard(
            ref: ref, filter: "tag == 3", outputFields: ["title"], limit: 1000, guarantee: .strong)).rows)
        let expected = ids.filter { $0 >= 10 && $0 % 5 == 3 }
        #expect(Set(H.ints(q)) == Set(expected))
        #expect(q.column(named: "title")?.count == expected.count)
        let upserted = try H.decode(try await h.client.call(QueryShard(ref: ref, filter: "tag == 9", limit: 1000, guarantee: .eventually)).rows)
        #expect(Set(H.ints(upserted)) == Set(0..<10))

        // Get: deleted (14, 21) and unknown (5000) keys are absent; 7 was deleted, then upserted back.
        let g = try H.decode(try await h.client.call(GetFromShard(
            ref: ref, keys: [.int(3), .int(7), .int(14), .int(15), .int(21), .int(5000)], outputFields: ["tag"], guarantee: .strong)).rows)
        #expect(Set(H.ints(g)) == [3, 7, 15])
        #expect(g.column(named: "tag")?.value(at: H.ints(g).firstIndex(of: 7)!) == .int(9))

        // Count, with and without a filter.
        #expect(try await h.client.call(CountShard(ref: ref, guarantee: .strong)) == UInt64(live.count))
        #expect(try await h.client.call(CountShard(ref: ref, filter: "tag == 3", guarantee: .strong)) == UInt64(expected.count))
        #expect(try await h.client.call(CountShard(ref: ref, filter: "id < 100", guarantee: .strong))
            == UInt64(ids.filter { $0 < 100 }.count))

        let described = try await h.client.call(DescribeQueryNode())
        #expect(described.searches == 1)
        #expect(described.replicas.map(\.ref) == [ref])
        await h.shutdown()
    }

    @Test func strongSeesAWriteAppendedJustBeforeTheReadAndEventuallyNeedNot() async throws {
        let h = try await H()
        let ref = ShardRef(collection: 100, shard: 0)
        try await h.append(.insert(try H.batch(ids: [1, 2], vectors: TestData.uniform(count: 2, dimension: Self.d, seed: 1))), to: ref, timestamp: Self.ts(0))
        _ = try await h.load(ref)
        // The log node now holds replies carrying records for 300 ms: the replica lags behind the channel.
        h.logNode.setReadDelay(.milliseconds(300))
        let ack = try await h.append(.insert(try H.batch(ids: [3], vectors: TestData.uniform(count: 1, dimension: Self.d, seed: 2))), to: ref, timestamp: Self.ts(1))
        #expect(try await h.client.call(CountShard(ref: ref, guarantee: .eventually)) == 2)
        #expect(try await h.client.call(CountShard(ref: ref, guarantee: .bounded(milliseconds: 60_000))) == 2)
        #expect(try await h.client.call(CountShard(ref: ref, guarantee: .strong)) == 3)

        // Session: a read at the session's last write timestamp sees it.
        try await h.append(.delete([.int(1)]), to: ref, timestamp: Self.ts(2))
        #expect(try await h.client.call(CountShard(ref: ref, guarantee: .session(timestamp: Self.ts(2)))) == 2)
        // A session whose writes all went to other shards: catches up to the end, then answers.
        #expect(try await h.client.call(CountShard(ref: ref, guarantee: .session(timestamp: Self.ts(50)))) == 2)
        // Bounded(0): always catches up.
        let ack2 = try await h.append(.insert(try H.batch(ids: [9], vectors: TestData.uniform(count: 1, dimension: Self.d, seed: 3))), to: ref, timestamp: Self.ts(3))
        #expect(try await h.client.call(CountShard(ref: ref, guarantee: .bounded(milliseconds: 0))) == 3)
        let status = try await h.client.call(DescribeQueryNode()).replicas[0]
        #expect(status.applied == ack2.position.next)
        #expect(status.lastTimestamp == Self.ts(3))
        #expect(ack.position < ack2.position)
        await h.shutdown()
    }

    @Test func concurrentStrongReadsShareOneCatchUp() async throws {
        let h = try await H()
        let ref = ShardRef(collection: 100, shard: 0)
        try await h.append(.insert(try H.batch(ids: [1], vectors: TestData.uniform(count: 1, dimension: Self.d, seed: 1))), to: ref, timestamp: Self.ts(0))
        _ = try await h.load(ref)
        h.logNode.setDescribeDelay(.milliseconds(500))
        let before = h.logNode.describeCalls
        let counts = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for _ in 0..<16 { group.addTask { try await h.client.call(CountShard(ref: ref, guarantee: .strong)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 1, count: 16))
        // 16 readers arriving within one 500 ms round trip: one round, or two if some arrived after it left.
        #expect(h.logNode.describeCalls - before <= 2)
        await h.shutdown()
    }

    @Test func replayOnLoadEqualsLiveConsumption() async throws {
        let h = try await H()
        let live = ShardRef(collection: 100, shard: 0)
        _ = try await h.load(live)  // empty channel: loads at once, then consumes live
        _ = try await Self.writeWorkload(h, ref: live, rows: 200, seed: 5)
        // A second node replays the finished channel on load.
        let network = h.network
        var config = QueryNode.Configuration(nodeID: NodeID(8), dataDirectory: h.root + "/qn2")
        config.shard.workerThreads = 1
        let other = try QueryNode(configuration: config, transport: network, cpu: H.cpu, logger: .init(role: "querynode", sink: { _ in }))
        let replayed = try await other.load(LoadShardReplica(collection: H.collection(), shard: 0, replica: 1, logNode: "\(H.logAddress)"))
        let fields = ["vec", "tag", "title"]
        let a = try await h.node.query(QueryShard(ref: live, outputFields: fields, limit: 10_000, guarantee: .strong))
        let b = try await other.query(QueryShard(ref: live, outputFields: fields, limit: 10_000, guarantee: .strong))
        #expect(try H.decode(a.rows).count == replayed.liveRows)
        #expect(a == b)
        let queries = TestData.uniform(count: 4, dimension: Self.d, seed: 6)
        let s1 = try await h.node.search(SearchShard(ref: live, field: "vec", vectors: queries, dimension: Self.d, k: 5, guarantee: .strong))
        let s2 = try await other.search(SearchShard(ref: live, field: "vec", vectors: queries, dimension: Self.d, k: 5, guarantee: .eventually))
        #expect(s1 == s2)
        let liveStatus = await h.node.describe().replicas[0]
        #expect(liveStatus.applied == replayed.applied)
        #expect(liveStatus.lastTimestamp == replayed.lastTimestamp)
        await other.close()
        await h.shutdown()
    }

    @Test func releaseWipesTheScratchDirectoryAndUnknownReplicasAreRefused() async throws {
        let h = try await H()
        let ref = ShardRef(collection: 100, shard: 1)
        try await h.append(.insert(try H.batch(ids: [1, 2, 3], vectors: TestData.uniform(count: 3, dimension: Self.d, seed: 1))), to: ref, timestamp: Self.ts(0))
        _ = try await h.load(ref)
        let scratch = h.node.directory + "/100-1"
        #expect(FileManager.default.fileExists(atPath: scratch + "/log"))
        // Loading again is a no-op.
        #expect(try await h.load(ref).liveRows == 3)
        _ = try await h.client.call(ReleaseShardReplica(ref: ref))
        #expect(!FileManager.default.fileExists(atPath: scratch))
        _ = try await h.client.call(ReleaseShardReplica(ref: ref))  // idempotent
        let e = await h.callError(CountShard(ref: ref, guarantee: .eventually))
        #expect(e?.code == .replicaNotFound)
        #expect(e?.retriable == true)
        #expect(try await h.client.call(DescribeQueryNode()).replicas.isEmpty)
        // Loaded again: replays from the channel.
        #expect(try await h.load(ref).liveRows == 3)
        await h.shutdown()
    }

    @Test func badRequestsGetTypedErrors() async throws {
        let h = try await H()
        let ref = ShardRef(collection: 100, shard: 0)
        try await h.append(.insert(try H.batch(ids: [1, 2, 3], vectors: TestData.uniform(count: 3, dimension: Self.d, seed: 1))), to: ref, timestamp: Self.ts(0))
        _ = try await h.load(ref)
        let v4 = [Float](repeating: 0.5, count: 8)
        let cases: [(String, WireError?)] = [
            ("wrong dimension", await h.callError(SearchShard(ref: ref, field: "vec", vectors: v4, dimension: 4, k: 3, guarantee: .strong))),
            ("not a vector field", await h.callError(SearchShard(ref: ref, field: "tag", vectors: v4, dimension: 8, k: 3, guarantee: .strong))),
            ("nq × k too large", await h.callError(SearchShard(ref: ref, field: "vec", vectors: [Float](repeating: 0.5, count: 8 * 128), dimension: 8, k: 16_384, guarantee: .strong))),
            ("k = 0", await h.callError(SearchShard(ref: ref, field: "vec", vectors: v4, dimension: 8, k: 0, guarantee: .strong))),
            ("unknown output field", await h.callError(SearchShard(ref: ref, field: "vec", vectors: v4, dimension: 8, k: 3, outputFields: ["nope"], guarantee: .strong))),
            ("unknown filter field", await h.callError(QueryShard(ref: ref, filter: "nope > 3", limit: 10, guarantee: .strong))),
            ("bad filter", await h.callError(CountShard(ref: ref, filter: "tag ==", guarantee: .strong))),
            ("wrong key type", await h.callError(GetFromShard(ref: ref, keys: [.string("a")], guarantee: .strong))),
        ]
        for (what, e) in cases {
            #expect(e?.code == .invalidArgument, "\(what): \(String(describing: e))")
            #expect(e?.retriable == false, "\(what)")
        }
        let unknown = await h.callError(SearchShard(ref: ShardRef(collection: 5, shard: 0), field: "vec", vectors: v4, dimension: 8, k: 3, guarantee: .eventually))
        #expect(unknown?.code == .replicaNotFound)
        #expect(unknown?.message.contains("collection 5 shard 0") == true)
        let badAddress = await h.callError(LoadShardReplica(collection: H.collection(), shard: 0, replica: 0, logNode: "no-port"))
        #expect(badAddress?.code == .invalidArgument)
        await h.shutdown()
    }

    @Test func aDownLogNodeFailsStrongReadsAndIsRetriedUntilBack() async throws {
        let h = try await H()
        let ref = ShardRef(collection: 100, shard: 0)
        try await h.append(.insert(try H.batch(ids: [1], vectors: TestData.uniform(count: 1, dimension: Self.d, seed: 1))), to: ref, timestamp: Self.ts(0))
        _ = try await h.load(ref)
        await h.stopLogNode()
        let e = await h.callError(CountShard(ref: ref, guarantee: .strong))
        #expect(e?.code == .catchUpFailed)
        #expect(e?.retriable == true)
        #expect(try await h.client.call(CountShard(ref: ref, guarantee: .eventually)) == 1)
        // The consumer's failing reads show in the status (its long poll ends within 500 ms + backoff).
        var lastError = ""
        for _ in 0..<100 where lastError.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
            lastError = try await h.client.call(DescribeQueryNode()).replicas[0].lastError
        }
        #expect(lastError.contains("lognode"))
        try await h.startLogNode()
        try await h.append(.insert(try H.batch(ids: [2], vectors: TestData.uniform(count: 1, dimension: Self.d, seed: 2))), to: ref, timestamp: Self.ts(1))
        #expect(try await h.client.call(CountShard(ref: ref, guarantee: .strong)) == 2)
        #expect(try await h.client.call(DescribeQueryNode()).replicas[0].lastError == "")
        await h.shutdown()
    }

    @Test func loadingWhileTheLogNodeIsDownCompletesOnceItIsBack() async throws {
        let h = try await H()
        let ref = ShardRef(collection: 100, shard: 0)
        try await h.append(.insert(try H.batch(ids: [1, 2], vectors: TestData.uniform(count: 2, dimension: Self.d, seed: 1))), to: ref, timestamp: Self.ts(0))
        await h.stopLogNode()
        let load = Task { try await h.load(ref) }
        try await Task.sleep(for: .milliseconds(300))
        try await h.startLogNode()
        #expect(try await load.value.liveRows == 2)
        await h.shutdown()
    }

    @Test func sealBuildsTheIndexAfterCatchingUp() async throws {
        let h = try await H()
        let ref = ShardRef(collection: 100, shard: 0)
        var info = H.collection()
        info.indexes = [IndexSpec(fieldName: "vec", kind: .hnsw(m: 8, efConstruction: 64), metric: .l2)]
        _ = try await h.client.call(LoadShardReplica(collection: info, shard: 0, replica: 0, logNode: "\(H.logAddress)"))
        let vectors = TestData.uniform(count: 200, dimension: Self.d, seed: 4)
        try await h.append(.insert(try H.batch(ids: (0..<200).map(Int64.init), vectors: vectors)), to: ref, timestamp: Self.ts(0))
        let status = try await h.client.call(SealShard(ref: ref))
        #expect(status.sealedSegments == 1)
        #expect(status.growingRows == 0)
        #expect(status.liveRows == 200)
        // The sealed HNSW segment finds each row's own vector.
        let reply = try await h.client.call(SearchShard(
            ref: ref, field: "vec", vectors: TestData.row(vectors, 17, dimension: Self.d), dimension: Self.d, k: 1, ef: 64, guarantee: .eventually))
        #expect(H.ints(try H.decode(reply.rows)) == [17])
        await h.shutdown()
    }

    @Test func anIdleReplicaSealsByAge() async throws {
        let h = try await H { $0.shard.sealPolicy = SealPolicy(maxRows: 1_000_000, maxBytes: 1 << 40, maxAgeMilliseconds: 300) }
        let ref = ShardRef(collection: 100, shard: 0)
        try await h.append(.insert(try H.batch(ids: [1, 2], vectors: TestData.uniform(count: 2, dimension: Self.d, seed: 1))), to: ref, timestamp: Self.ts(0))
        #expect(try await h.load(ref).sealedSegments == 0)
        var sealed = 0
        for _ in 0..<100 where sealed == 0 {
            try await Task.sleep(for: .milliseconds(50))
            sealed = try await h.client.call(DescribeQueryNode()).replicas[0].sealedSegments
        }
        #expect(sealed == 1)
        #expect(try await h.client.call(CountShard(ref: ref, guarantee: .strong)) == 2)
        await h.shutdown()
    }

    @Test func aRecordThatDoesNotFitTheSchemaIsSkippedAndReported() async throws {
        let h = try await H()
        let ref = ShardRef(collection: 100, shard: 0)
        try await h.append(.insert(try H.batch(ids: [1], vectors: TestData.uniform(count: 1, dimension: Self.d, seed: 1))), to: ref, timestamp: Self.ts(0))
        _ = try await h.logClient.call(AppendToChannel(channel: ref.channel, recordKind: .insertBatch, timestamp: Self.ts(1), payload: [1, 2, 3]))
        try await h.append(.insert(try H.batch(ids: [2], vectors: TestData.uniform(count: 1, dimension: Self.d, seed: 2))), to: ref, timestamp: Self.ts(2))
        let status = try await h.load(ref)
        #expect(status.liveRows == 2)
        #expect(status.applied == LogPosition(3))
        #expect(status.lastError.contains("record @1"))
        await h.shutdown()
    }

    @Test func servesOverTCP() async throws {
        let root = NSTemporaryDirectory() + "qn-tcp-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let tcp = try TCPTransport(configuration: WireConfiguration(clusterSecret: try ClusterSecret("querynode-test-secret")))
        let logNode = try LogNode(configuration: LogNode.Configuration(dataDirectory: root + "/log"), logger: .init(role: "lognode", sink: { _ in }))
        let logListener = try await tcp.listen(on: WireAddress(host: "127.0.0.1", port: 0), handler: logNode.router())
        var config = QueryNode.Configuration(nodeID: NodeID(9), dataDirectory: root + "/qn")
        config.shard.workerThreads = 1
        let node = try QueryNode(configuration: config, transport: tcp, cpu: H.cpu, logger: .init(role: "querynode", sink: { _ in }))
        let nodeListener = try await tcp.listen(on: WireAddress(host: "127.0.0.1", port: 0), handler: node.router())
        let client = tcp.client(for: nodeListener.address)
        let ref = ShardRef(collection: 100, shard: 0)
        let vectors = TestData.uniform(count: 40, dimension: Self.d, seed: 8)
        let op = ShardOperation.insert(try H.batch(ids: (0..<40).map(Int64.init), vectors: vectors))
        _ = try await tcp.client(for: logListener.address).call(AppendToChannel(
            channel: ref.channel, recordKind: op.logKind, timestamp: Self.ts(0), payload: op.payload(keyType: .int64)))
        let status = try await client.call(LoadShardReplica(collection: H.collection(), shard: 0, replica: 0, logNode: "\(logListener.address)"))
        #expect(status.liveRows == 40)
        let reply = try await client.call(SearchShard(
            ref: ref, field: "vec", vectors: TestData.row(vectors, 5, dimension: Self.d), dimension: Self.d, k: 3, guarantee: .strong))
        #expect(H.ints(try H.decode(reply.rows)).first == 5)
        #expect(reply.scores.first == 0)
        await nodeListener.stop()
        await node.close()
        await logListener.stop()
        tcp.shutdown()
        await logNode.stop()
    }
}
