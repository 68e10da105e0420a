import Coordinator
import Node
import Runtime
import Shard
import Testing
import Wire

@testable import QueryCoord

/// The query coordinator driving real query nodes that replay real log-node channels (in one process over
/// `InMemoryNetwork`): every route answers with the shard's rows, before and after a node is lost.
@Suite(.serialized) struct QueryCoordEndToEndTests {
    static let rowsPerShard = 10

    /// Appends `rowsPerShard` rows to every shard's channel of `info`.
    static func fill(_ info: CollectionInfo, cluster: TestCluster) async throws {
        let log = cluster.transport.client(for: WireAddress(host: "lognode", port: 1))
        for shard in 0..<info.shardsNum {
            let rows: [[String: FieldValue]] = (0..<rowsPerShard).map { i in
                ["id": .int(Int64(shard * 1000 + i)), "embedding": .floatVector((0..<8).map { Float($0 + i) })]
            }
            let operation = ShardOperation.insert(try RowBatch(schema: info.schema, rows: rows))
            let ts = try await cluster.rootClient.call(AllocateTimestamps(count: 1)).first
            _ = try await log.call(AppendToChannel(
                channel: ChannelName(collection: info.id.rawValue, shard: shard), recordKind: operation.logKind,
                timestamp: ts.rawValue, payload: operation.payload(keyType: .int64)))
        }
    }

    /// Asks every route of every replica for its shard's row count (Strong).
    static func expectEveryRouteCounts(_ routes: CollectionRoutes, cluster: TestCluster,
                                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for replica in routes.replicas {
            for route in replica.shards {
                let client = cluster.transport.client(for: try WireAddress(parsing: route.address))
                let count = try await client.call(CountShard(
                    ref: ShardRef(collection: routes.collectionID.rawValue, shard: route.shard), guarantee: .strong))
                #expect(count == UInt64(rowsPerShard), "replica \(replica.replicaID) shard \(route.shard) on \(route.nodeID)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    @Test func realQueryNodesServeEveryRouteAndSurviveANodeLoss() async throws {
        let cluster = try await TestCluster()
        let logNode = try LogNode(configuration: LogNode.Configuration(dataDirectory: cluster.dir.path + "/log"))
        let logListener = try await cluster.transport.listen(on: WireAddress(host: "lognode", port: 1), handler: logNode.router())
        let cpu = try CPUExecutor(name: "qc-e2e-cpu", threads: 1)
        var queryNodes: [NodeID: QueryNode] = [:]
        for id in Int64(1)...3 {
            let node = try QueryNode(
                configuration: QueryNode.Configuration(nodeID: NodeID(id), dataDirectory: cluster.dir.path + "/qn"),
                transport: cluster.transport, cpu: cpu)
            queryNodes[NodeID(id)] = node
            cluster.nodeListeners[NodeID(id)] = try await cluster.transport.listen(
                on: WireAddress(host: "qn\(id)", port: 1), handler: node.router())
            try await cluster.register(NodeID(id), role: .queryNode, address: "qn\(id):1")
        }
        try await cluster.startCoord()

        let info = try await cluster.createCollection("books", shards: 3)
        try await Self.fill(info, cluster: cluster)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: 2))
        let routes = try await cluster.routes(info.id)
        #expect(routes.state == .loaded && routes.replicas.count == 2 && routes.replicas.allSatisfy(\.healthy))
        try await Self.expectEveryRouteCounts(routes, cluster: cluster)

        // Lose a node of the two-node group: its shards are reloaded from the channel on the other node.
        let victim = routes.replicas.first { $0.nodes.count == 2 }!.nodes[0]
        let start = ContinuousClock.now
        try await cluster.killNode(victim, deregister: true)
        await queryNodes[victim]!.close()
        let healed = try await cluster.eventually(timeout: .seconds(5)) {
            let routes = try await cluster.routes(info.id)
            return routes.replicas.allSatisfy(\.healthy) && !routes.replicas.flatMap(\.nodes).contains(victim)
        }
        #expect(healed, "\(cluster.log)")
        print("real query node loss healed in \(ContinuousClock.now - start)")
        try await Self.expectEveryRouteCounts(try await cluster.routes(info.id), cluster: cluster)

        // Release: the surviving nodes drop every replica.
        _ = try await cluster.coordClient.call(ReleaseCollection(collectionID: info.id))
        for (id, _) in queryNodes where id != victim {
            let client = cluster.transport.client(for: WireAddress(host: "qn\(id.rawValue)", port: 1))
            #expect(try await cluster.eventually { try await client.call(DescribeQueryNode()).replicas.isEmpty })
        }

        await cluster.stopCoord()
        for (id, node) in queryNodes where id != victim { await node.close() }
        await logListener.stop()
        await logNode.stop()
        cpu.shutdown()
        await cluster.shutdown()
    }
}
