import Coordinator
import Node
import Runtime
import Shard
import Synchronization
import Testing
import Wire

@testable import QueryCoord

/// Scaling and draining over `InMemoryNetwork` with real `QueryNode`s replaying a real `LogNode`'s channels
/// (issue #5: "adding a query node takes load from the others without a restart; removing one cleanly drains
/// it"). A search loop runs throughout, routing like the proxy (cached routes; a failed call is retried after
/// one route refresh): it must see zero failed searches and the same hits as before the change.
@Suite(.serialized) struct QueryCoordDrainTests {
    static let shards = 4
    static let rowsPerShard = 50
    static let dimension = 8

    /// A log node and real query nodes on the test cluster's network; more nodes can join later.
    final class RealNodes: @unchecked Sendable {
        let cluster: TestCluster
        let logNode: LogNode
        let logListener: any WireListener
        let cpu: CPUExecutor
        var queryNodes: [NodeID: QueryNode] = [:]

        init(_ cluster: TestCluster, queryNodes ids: [Int64]) async throws {
            self.cluster = cluster
            logNode = try LogNode(configuration: LogNode.Configuration(dataDirectory: cluster.dir.path + "/log"))
            logListener = try await cluster.transport.listen(on: WireAddress(host: "lognode", port: 1), handler: logNode.router())
            cpu = try CPUExecutor(name: "qc-drain-cpu", threads: 1)
            for id in ids { try await addQueryNode(id) }
        }

        /// Starts query node `id` on `qn<id>:1` and registers it (as starting one more process would).
        func addQueryNode(_ id: Int64) async throws {
            var configuration = QueryNode.Configuration(nodeID: NodeID(id), dataDirectory: cluster.dir.path + "/qn")
            configuration.pollWait = .milliseconds(200)
            let node = try QueryNode(configuration: configuration, transport: cluster.transport, cpu: cpu)
            queryNodes[NodeID(id)] = node
            cluster.nodeListeners[NodeID(id)] = try await cluster.transport.listen(
                on: WireAddress(host: "qn\(id)", port: 1), handler: node.router())
            try await cluster.register(NodeID(id), role: .queryNode, address: "qn\(id):1")
        }

        /// Copies `id` holds, as the node itself reports them.
        func held(_ id: NodeID) async throws -> [ShardReplicaStatus] {
            try await cluster.transport.client(for: WireAddress(host: "qn\(id.rawValue)", port: 1)).call(DescribeQueryNode()).replicas
        }

        func shutdown() async {
            await cluster.stopCoord()
            for node in queryNodes.values { await node.close() }
            await logListener.stop()
            await logNode.stop()
            cpu.shutdown()
            await cluster.shutdown()
        }
    }

    /// Appends `rowsPerShard` rows (8-d vectors from a fixed formula) to every shard's channel.
    static func fill(_ info: CollectionInfo, cluster: TestCluster) async throws {
        let log = cluster.transport.client(for: WireAddress(host: "lognode", port: 1))
        for shard in 0..<info.shardsNum {
            let rows: [[String: FieldValue]] = (0..<rowsPerShard).map { i in
                let key = shard * 1000 + i
                return ["id": .int(Int64(key)),
                        "embedding": .floatVector((0..<dimension).map { d in Float((key * 7 + d * 13) % 101) / 101 })]
            }
            let operation = ShardOperation.insert(try RowBatch(schema: info.schema, rows: rows))
            let ts = try await cluster.rootClient.call(AllocateTimestamps(count: 1)).first
            _ = try await log.call(AppendToChannel(
                channel: ChannelName(collection: info.id.rawValue, shard: shard), recordKind: operation.logKind,
                timestamp: ts.rawValue, payload: operation.payload(keyType: .int64)))
        }
    }

    /// Searches every shard of a collection in a loop the way the proxy does, and records what it saw.
    final class SearchLoop: Sendable {
        struct Stats {
            var searches = 0
            var failures: [String] = []
            /// Calls that failed on a stale route and succeeded after the refresh (not client-visible).
            var retried = 0
            var mismatches: [String] = []
            var servedBy: [Int: Set<NodeID>] = [:]
        }

        let stats = Mutex(Stats())
        let stop = Atomic<Bool>(false)
        private let task = Mutex<Task<Void, Never>?>(nil)

        static func request(_ id: CollectionID, shard: Int) -> SearchShard {
            SearchShard(ref: ShardRef(collection: id.rawValue, shard: shard), field: "embedding",
                        vectors: (0..<dimension).map { Float($0) / 8 }, dimension: dimension, k: 10, guarantee: .eventually)
        }

        /// Starts searching every shard in turn; `expected` are the replies before the change.
        func start(_ id: CollectionID, cluster: TestCluster, expected: [ShardSearchReply]) {
            let t = Task.detached { [self] in
                var routes = (try? await cluster.routes(id)) ?? CollectionRoutes(collectionID: id, state: .notLoaded, progress: 0, replicas: [])
                while !stop.load(ordering: .relaxed) {
                    for shard in 0..<expected.count {
                        var result: Result<(ShardSearchReply, NodeID), any Error> = .failure(WireError(.unavailable, "no route"))
                        for attempt in 0..<2 {
                            if attempt == 1 {
                                // The proxy's one route refresh after a failed call.
                                if let fresh = try? await cluster.routes(id) { routes = fresh }
                            }
                            guard let route = routes.replicas.first?.shards.first(where: { $0.shard == shard }) else { continue }
                            do {
                                let client = cluster.transport.client(for: try WireAddress(parsing: route.address))
                                result = .success((try await client.call(Self.request(id, shard: shard)), route.nodeID))
                                if attempt == 1 { stats.withLock { $0.retried += 1 } }
                                break
                            } catch {
                                result = .failure(error)
                            }
                        }
                        stats.withLock { s in
                            s.searches += 1
                            switch result {
                            case .success(let (reply, node)):
                                s.servedBy[shard, default: []].insert(node)
                                if reply != expected[shard] { s.mismatches.append("shard \(shard) on \(node)") }
                            case .failure(let error):
                                s.failures.append("shard \(shard): \(error)")
                            }
                        }
                    }
                    try? await Task.sleep(for: .milliseconds(2))
                }
            }
            task.withLock { $0 = t }
        }

        func finish() async -> Stats {
            stop.store(true, ordering: .relaxed)
            await task.withLock { $0 }?.value
            return stats.withLock { $0 }
        }
    }

    /// Replies of every shard before anything changes.
    static func baseline(_ id: CollectionID, cluster: TestCluster) async throws -> [ShardSearchReply] {
        let routes = try await cluster.routes(id)
        var replies: [ShardSearchReply] = []
        for shard in 0..<shards {
            let route = try #require(routes.replicas.first?.shards.first { $0.shard == shard })
            let client = cluster.transport.client(for: try WireAddress(parsing: route.address))
            replies.append(try await client.call(SearchLoop.request(id, shard: shard)))
            #expect(replies.last!.topks == [10])
        }
        return replies
    }

    /// Every route of every replica counts `rowsPerShard` rows (Strong).
    static func expectRowCounts(_ id: CollectionID, cluster: TestCluster, shards: Int = shards,
                                sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let routes = try await cluster.routes(id)
        for replica in routes.replicas {
            #expect(replica.shards.map(\.shard).sorted() == Array(0..<shards), sourceLocation: sourceLocation)
            for route in replica.shards {
                let client = cluster.transport.client(for: try WireAddress(parsing: route.address))
                let count = try await client.call(CountShard(ref: ShardRef(collection: id.rawValue, shard: route.shard), guarantee: .strong))
                #expect(count == UInt64(rowsPerShard), "shard \(route.shard) on \(route.nodeID)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Shards per node in replica 1's routes.
    static func shardsPerNode(_ routes: CollectionRoutes) -> [NodeID: Int] {
        var out: [NodeID: Int] = [:]
        for replica in routes.replicas { for route in replica.shards { out[route.nodeID, default: 0] += 1 } }
        return out
    }

    static func expectQuietLoop(_ stats: SearchLoop.Stats, _ cluster: TestCluster, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(stats.searches > 0, sourceLocation: sourceLocation)
        #expect(stats.failures.isEmpty, "\(stats.failures.count) failed searches: \(stats.failures.prefix(5))\n\(cluster.log)",
                sourceLocation: sourceLocation)
        #expect(stats.mismatches.isEmpty, "different hits: \(stats.mismatches.prefix(5))", sourceLocation: sourceLocation)
    }

    @Test func aJoiningQueryNodeTakesShardsWithoutARestartOrAFailedSearch() async throws {
        let cluster = try await TestCluster()
        let nodes = try await RealNodes(cluster, queryNodes: [1, 2])
        try await cluster.startCoord()
        let info = try await cluster.createCollection("scale", shards: Self.shards)
        try await Self.fill(info, cluster: cluster)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "scale"), replicaNumber: 1))
        #expect(Self.shardsPerNode(try await cluster.routes(info.id)) == [NodeID(1): 2, NodeID(2): 2])
        let loop = SearchLoop()
        loop.start(info.id, cluster: cluster, expected: try await Self.baseline(info.id, cluster: cluster))
        try await Task.sleep(for: .milliseconds(200))

        // A third node starts and registers; nothing else is touched.
        try await nodes.addQueryNode(3)
        let balanced = try await cluster.eventually(timeout: .seconds(5)) {
            let routes = try await cluster.routes(info.id)
            let perNode = Self.shardsPerNode(routes)
            return routes.replicas.allSatisfy(\.healthy) && perNode.count == 3 && perNode.values.sorted() == [1, 1, 2]
        }
        let routesAfter = try await cluster.routes(info.id)
        #expect(balanced, "\(routesAfter)\n\(cluster.log)")
        // The moved copy is released from its old node: 4 copies in all (rows equal, so balanced by copies).
        #expect(try await cluster.eventually(timeout: .seconds(3)) {
            var total = 0
            for id in [NodeID(1), NodeID(2), NodeID(3)] { total += try await nodes.held(id).count }
            return total == Self.shards
        })
        try await Task.sleep(for: .milliseconds(200))
        let stats = await loop.finish()
        Self.expectQuietLoop(stats, cluster)
        #expect(stats.servedBy.values.contains { $0.contains(NodeID(3)) }, "the new node served searches: \(stats.servedBy)")
        print("scale-out: \(stats.searches) shard searches, 0 failed, \(stats.retried) retried after a route refresh")
        try await Self.expectRowCounts(info.id, cluster: cluster)
        await nodes.shutdown()
    }

    @Test func drainingAQueryNodeMovesEveryCopyWithoutAFailedSearch() async throws {
        let cluster = try await TestCluster()
        let nodes = try await RealNodes(cluster, queryNodes: [1, 2, 3])
        try await cluster.startCoord()
        let info = try await cluster.createCollection("drain", shards: Self.shards)
        try await Self.fill(info, cluster: cluster)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "drain"), replicaNumber: 1))
        let before = try await cluster.routes(info.id)
        let victim = try #require(Self.shardsPerNode(before).max { ($0.value, $0.key) < ($1.value, $1.key) }?.key)
        let loop = SearchLoop()
        loop.start(info.id, cluster: cluster, expected: try await Self.baseline(info.id, cluster: cluster))
        try await Task.sleep(for: .milliseconds(200))

        let status = try await cluster.coordClient.call(DrainQueryNode(nodeID: victim, waitMilliseconds: 10_000),
                                                        options: CallOptions(timeout: .seconds(15)))
        #expect(status.drained && status.remainingCopies == 0 && status.initialCopies == 2, "\(status)\n\(cluster.log)")
        #expect(try await nodes.held(victim).isEmpty, "the drained node holds no copy")
        let after = try await cluster.routes(info.id)
        #expect(after.replicas.allSatisfy(\.healthy) && !after.replicas.flatMap(\.nodes).contains(victim))
        #expect(!after.replicas.flatMap(\.shards).contains { $0.nodeID == victim })
        try await Task.sleep(for: .milliseconds(200))
        let stats = await loop.finish()
        Self.expectQuietLoop(stats, cluster)
        print("drain: \(stats.searches) shard searches, 0 failed, \(stats.retried) retried after a route refresh")
        try await Self.expectRowCounts(info.id, cluster: cluster)

        // Draining again answers at once; the mark is durable across a query-coordinator restart, so the node
        // still gets nothing after it; once the node leaves, the mark is dropped.
        #expect(try await cluster.coordClient.call(DrainQueryNode(nodeID: victim, waitMilliseconds: 0)).drained)
        await cluster.stopCoord()
        try await cluster.startCoord()
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "drain"), replicaNumber: 1))
        let other = try await cluster.createCollection("other", shards: 6)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "other"), replicaNumber: 2))
        let otherRoutes = try await cluster.routes(other.id)
        #expect(!otherRoutes.replicas.flatMap(\.nodes).contains(victim))
        #expect(try await nodes.held(victim).isEmpty)
        let coord = try #require(cluster.coord)
        #expect(await coord.draining[victim] != nil)
        try await cluster.killNode(victim, deregister: true)
        #expect(try await cluster.eventually { await coord.draining.isEmpty })
        await nodes.shutdown()
    }

    @Test func aDrainThatWouldBreakDistinctReplicaGroupsIsRefused() async throws {
        let cluster = try await TestCluster()
        let nodes = try await RealNodes(cluster, queryNodes: [1, 2])
        try await cluster.startCoord()
        let info = try await cluster.createCollection("pair", shards: 2)
        try await Self.fill(info, cluster: cluster)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "pair"), replicaNumber: 2))
        do {
            _ = try await cluster.coordClient.call(DrainQueryNode(nodeID: NodeID(1), waitMilliseconds: 1000))
            Issue.record("the drain was accepted")
        } catch {
            #expect(error.code == .drainRefused)
            #expect(error.message.contains("2 distinct query nodes") && error.message.contains("only 1"), "\(error.message)")
        }
        // Nothing changed: both replicas are whole and node 1 is not draining.
        let routes = try await cluster.routes(info.id)
        #expect(routes.replicas.count == 2 && routes.replicas.allSatisfy(\.healthy))
        #expect(await cluster.coord!.draining.isEmpty)
        let held = try await nodes.held(NodeID(1))
        #expect(held.count == 2)
        // Unknown nodes are named as such.
        do {
            _ = try await cluster.coordClient.call(DrainQueryNode(nodeID: NodeID(77), waitMilliseconds: 0))
            Issue.record("a drain of an unknown node was accepted")
        } catch {
            #expect(error.code == .queryNodeNotLive && error.message.contains("77"))
        }
        // With a third node the same drain is accepted and the groups stay distinct.
        try await nodes.addQueryNode(3)
        let status = try await cluster.coordClient.call(DrainQueryNode(nodeID: NodeID(1), waitMilliseconds: 10_000),
                                                        options: CallOptions(timeout: .seconds(15)))
        #expect(status.drained, "\(status)\n\(cluster.log)")
        let after = try await cluster.routes(info.id)
        #expect(after.replicas.count == 2 && after.replicas.allSatisfy(\.healthy))
        #expect(Set(after.replicas.flatMap(\.nodes)) == [NodeID(2), NodeID(3)] && after.replicas.allSatisfy { $0.nodes.count == 1 })
        try await Self.expectRowCounts(info.id, cluster: cluster, shards: 2)
        await nodes.shutdown()
    }
}
