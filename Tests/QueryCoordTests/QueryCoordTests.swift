import Coordinator
import Node
import Shard
import Testing
import Wire

@testable import QueryCoord

/// The query coordinator over `InMemoryNetwork` with a real root coordinator and fake query nodes.
@Suite(.serialized) struct QueryCoordTests {
    static func expectWireError(
        _ code: WireError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async -> WireError? {
        do {
            try await body()
            Issue.record("expected \(code), the call succeeded", sourceLocation: sourceLocation)
        } catch let error as WireError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected WireError \(code), got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    @Test(arguments: [1, 2, 3])
    func loadPlacesReplicasOnDistinctNodes(replicas: Int) async throws {
        let cluster = try await TestCluster()
        for id in 1...3 { try await cluster.addNode(Int64(id)) }
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 4)
        #expect(try await cluster.routes(info.id).state == .notLoaded)

        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: replicas))
        let routes = try await cluster.routes(info.id)
        expectWellPlaced(routes, replicas: replicas, shards: 4, nodes: cluster.nodes)
        #expect(routes.progress == 100)
        // Each node was asked exactly for the copies it holds, with the log node's address and the schema.
        let loads = cluster.nodes.flatMap(\.loads)
        #expect(loads.count == replicas * 4)
        #expect(loads.allSatisfy { $0.logNode == "lognode:1" && $0.collection == info })
        // Loading again with the same replica number is a no-op.
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: replicas))
        #expect(cluster.nodes.flatMap(\.loads).count == replicas * 4)
        await cluster.shutdown()
    }

    @Test func tooFewNodesAndUnknownCollectionsAreRefused() async throws {
        let cluster = try await TestCluster()
        for id in 1...3 { try await cluster.addNode(Int64(id)) }
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 2)
        let error = await Self.expectWireError(.notEnoughQueryNodes) {
            _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: 4))
        }
        #expect(error?.message.contains("4") == true && error?.message.contains("only 3") == true)
        #expect(try await cluster.routes(info.id).state == .notLoaded)
        _ = await Self.expectWireError(.collectionNotFound) {
            _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "nope"), replicaNumber: 1))
        }
        #expect(cluster.nodes.flatMap(\.loads).isEmpty)
        await cluster.shutdown()
    }

    @Test func releaseDropsEveryCopy() async throws {
        let cluster = try await TestCluster()
        for id in 1...3 { try await cluster.addNode(Int64(id)) }
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 3)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: 2))
        _ = try await cluster.coordClient.call(ReleaseCollection(collectionID: info.id))
        #expect(try await cluster.routes(info.id) == CollectionRoutes(collectionID: info.id, state: .notLoaded, progress: 0, replicas: []))
        #expect(await cluster.eventually { cluster.nodes.allSatisfy { $0.held.isEmpty } })
        #expect(cluster.nodes.flatMap(\.releases).count == 6)
        _ = try await cluster.coordClient.call(ReleaseCollection(collectionID: info.id))  // idempotent
        await cluster.shutdown()
    }

    @Test func changingTheReplicaNumberAddsAndRemovesGroups() async throws {
        let cluster = try await TestCluster()
        for id in 1...3 { try await cluster.addNode(Int64(id)) }
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 4)
        let books = CollectionRef(name: "books")
        _ = try await cluster.coordClient.call(LoadCollection(collection: books, replicaNumber: 1))
        _ = try await cluster.coordClient.call(LoadCollection(collection: books, replicaNumber: 3))
        expectWellPlaced(try await cluster.routes(info.id), replicas: 3, shards: 4, nodes: cluster.nodes)
        // With 3 replicas on 3 nodes every node holds every shard (and nothing was lost on the way).
        #expect(await cluster.eventually { cluster.nodes.allSatisfy { $0.held.count == 4 } })
        _ = try await cluster.coordClient.call(LoadCollection(collection: books, replicaNumber: 2))
        let routes = try await cluster.routes(info.id)
        expectWellPlaced(routes, replicas: 2, shards: 4, nodes: cluster.nodes)
        #expect(routes.replicas.map(\.replicaID) == [1, 2])
        // Copies no replica needs any more are released: 8 copies remain.
        #expect(await cluster.eventually { cluster.nodes.map(\.held.count).reduce(0, +) == 8 })
        await cluster.shutdown()
    }

    @Test func aRefusedLoadFailsWithTheNodeNamed() async throws {
        let cluster = try await TestCluster()
        try await cluster.addNode(1)
        let bad = try await cluster.addNode(2)
        bad.refuseLoads(true)
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 2)
        let error = await Self.expectWireError(.loadFailed) {
            _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: 2))
        }
        #expect(error?.message.contains("node 2") == true && error?.message.contains("disk full") == true)
        let routes = try await cluster.routes(info.id)
        #expect(routes.state == .loading && routes.progress == 50)
        // The node recovers: the retry completes the load in the background.
        bad.refuseLoads(false)
        #expect(try await cluster.eventually { try await cluster.routes(info.id).state == .loaded })
        await cluster.shutdown()
    }

    @Test func restartRestoresRoutesFromTheMetaStore() async throws {
        let cluster = try await TestCluster()
        for id in 1...3 { try await cluster.addNode(Int64(id)) }
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 4)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: 2))
        let before = try await cluster.routes(info.id)
        await cluster.stopCoord()

        try await cluster.startCoord()
        #expect(try await cluster.eventually { try await cluster.routes(info.id) == before }, "\(cluster.log)")
        // It re-sent LoadShardReplica for every copy (a no-op on the nodes).
        #expect(cluster.nodes.flatMap(\.loads).count == 16)

        // A node dies while the coordinator is down: after the restart its replicas are placed elsewhere.
        await cluster.stopCoord()
        let victim = before.replicas.first { $0.nodes.count == 2 }!.nodes[0]
        try await cluster.killNode(victim, deregister: true)
        try await cluster.startCoord()
        #expect(try await cluster.eventually {
            let routes = try await cluster.routes(info.id)
            return routes.replicas.allSatisfy(\.healthy) && !routes.replicas.flatMap(\.nodes).contains(victim)
        }, "\(cluster.log)")
        expectWellPlaced(try await cluster.routes(info.id), replicas: 2, shards: 4, nodes: cluster.nodes)
        await cluster.shutdown()
    }

    @Test func deregisteredNodeIsReplacedWithinTwoSeconds() async throws {
        let cluster = try await TestCluster()
        for id in 1...3 { try await cluster.addNode(Int64(id)) }
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 4)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: 1))
        let victim = try await cluster.routes(info.id).replicas[0].shards[0].nodeID
        let start = ContinuousClock.now
        try await cluster.killNode(victim, deregister: true)
        let healed = try await cluster.eventually(timeout: .seconds(2)) {
            let routes = try await cluster.routes(info.id)
            return routes.replicas[0].healthy && !routes.replicas[0].nodes.contains(victim)
        }
        #expect(healed, "\(cluster.log)")
        print("deregistered node healed in \(ContinuousClock.now - start)")
        expectWellPlaced(try await cluster.routes(info.id), replicas: 1, shards: 4, nodes: cluster.nodes)
        #expect(cluster.log.contains("replicas healed"))
        #expect(await cluster.coord!.heals.map(\.node) == [victim])
        await cluster.shutdown()
    }

    @Test func lapsedLeaseIsReplacedWithinTwoSeconds() async throws {
        let cluster = try await TestCluster(sessionTTL: .milliseconds(400))
        for id in 1...3 { try await cluster.addNode(Int64(id)) }
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 4)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: 3))
        let victim = NodeID(2)
        let start = ContinuousClock.now
        try await cluster.killNode(victim, deregister: false)
        // Marked unhealthy once the lease lapses, before any replacement can exist (no spare node).
        #expect(try await cluster.eventually(timeout: .seconds(2)) {
            try await cluster.routes(info.id).replicas.contains { !$0.healthy }
        }, "\(cluster.log)")
        // A node joins: the emptied group takes it and is healthy again.
        try await cluster.addNode(4)
        let healed = try await cluster.eventually(timeout: .seconds(2)) {
            try await cluster.routes(info.id).replicas.allSatisfy(\.healthy)
        }
        #expect(healed, "\(cluster.log)")
        print("lapsed-lease node healed in \(ContinuousClock.now - start) (TTL 400 ms)")
        expectWellPlaced(try await cluster.routes(info.id), replicas: 3, shards: 4, nodes: cluster.nodes)
        await cluster.shutdown()
    }

    @Test func lapsedLeaseShardsMoveToTheGroupsOtherNodes() async throws {
        let cluster = try await TestCluster(sessionTTL: .milliseconds(400))
        for id in 1...3 { try await cluster.addNode(Int64(id)) }
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 6)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: 1))
        let start = ContinuousClock.now
        try await cluster.killNode(NodeID(3), deregister: false)
        let healed = try await cluster.eventually(timeout: .seconds(2)) {
            let routes = try await cluster.routes(info.id)
            return routes.replicas[0].healthy && !routes.replicas[0].nodes.contains(NodeID(3))
        }
        #expect(healed, "\(cluster.log)")
        print("lapsed-lease node healed in \(ContinuousClock.now - start) (TTL 400 ms)")
        expectWellPlaced(try await cluster.routes(info.id), replicas: 1, shards: 6, nodes: cluster.nodes)
        #expect(cluster.log.contains("replicas healed"))
        await cluster.shutdown()
    }

    @Test func aJoiningNodeTakesShards() async throws {
        let cluster = try await TestCluster()
        for id in 1...2 { try await cluster.addNode(Int64(id)) }
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 4)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: 1))
        let newcomer = try await cluster.addNode(3)
        #expect(try await cluster.eventually {
            let routes = try await cluster.routes(info.id)
            return routes.replicas[0].healthy && routes.replicas[0].shards.contains { $0.nodeID == newcomer.nodeID }
        }, "\(cluster.log)")
        expectWellPlaced(try await cluster.routes(info.id), replicas: 1, shards: 4, nodes: cluster.nodes)
        // The copy it took over is released on its old node: 4 copies in all.
        #expect(await cluster.eventually { cluster.nodes.map(\.held.count).reduce(0, +) == 4 })
        await cluster.shutdown()
    }

    /// The same load → node death → heal → release scenario over TCP on 127.0.0.1.
    @Test func scenarioOverTCP() async throws {
        let cluster = try await TestCluster(tcp: true)
        for id in 1...3 { try await cluster.addNode(Int64(id)) }
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 4)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: 2))
        let routes = try await cluster.routes(info.id)
        expectWellPlaced(routes, replicas: 2, shards: 4, nodes: cluster.nodes)
        #expect(routes.replicas.flatMap(\.shards).allSatisfy { $0.address.hasPrefix("127.0.0.1:") })
        let victim = routes.replicas.first { $0.nodes.count == 2 }!.nodes[0]
        try await cluster.killNode(victim, deregister: true)
        #expect(try await cluster.eventually(timeout: .seconds(2)) {
            let routes = try await cluster.routes(info.id)
            return routes.replicas.allSatisfy(\.healthy) && !routes.replicas.flatMap(\.nodes).contains(victim)
        }, "\(cluster.log)")
        expectWellPlaced(try await cluster.routes(info.id), replicas: 2, shards: 4, nodes: cluster.nodes)
        _ = try await cluster.coordClient.call(ReleaseCollection(collectionID: info.id))
        #expect(await cluster.eventually { cluster.nodes.allSatisfy { $0.held.isEmpty } })
        await cluster.shutdown()
    }

    /// A root-coordinator restart loses every session; nodes register again within a renewal period. The
    /// placement must survive it (no node taken for dead), and routes come back healthy.
    @Test func rootCoordinatorRestartKeepsThePlacement() async throws {
        let cluster = try await TestCluster(sessionTTL: .milliseconds(800))
        for id in 1...3 { try await cluster.addNode(Int64(id)) }
        try await cluster.startCoord(restartGrace: .milliseconds(600))
        let info = try await cluster.createCollection("books", shards: 4)
        _ = try await cluster.coordClient.call(LoadCollection(collection: CollectionRef(name: "books"), replicaNumber: 2))
        let before = try await cluster.routes(info.id)
        let placement = await cluster.coord!.placement(info.id)
        try await cluster.restartRoot()
        // Give the coordinator time to notice, wait out the grace, and re-read membership.
        try await Task.sleep(for: .milliseconds(1_000))
        #expect(try await cluster.eventually { try await cluster.routes(info.id) == before }, "\(cluster.log)")
        #expect(await cluster.coord!.placement(info.id)?.groups == placement?.groups)
        #expect(!cluster.log.contains("collection re-placed"), "\(cluster.log)")
        #expect(cluster.log.contains("root coordinator restarted"))
        await cluster.shutdown()
    }

    @Test func malformedRequestsGetErrors() async throws {
        let cluster = try await TestCluster()
        try await cluster.startCoord()
        var w = WireWriter()
        w.writeString("default")
        w.writeString("books")
        w.writeUInt32(0)  // replica number 0
        await #expect(throws: WireError.self) {
            _ = try await cluster.coordClient.call(kind: LoadCollection.kind, body: w, options: CallOptions())
        }
        var short = WireWriter()
        short.writeUInt8(1)
        await #expect(throws: WireError.self) {
            _ = try await cluster.coordClient.call(kind: GetCollectionRoutes.kind, body: short, options: CallOptions())
        }
        await cluster.shutdown()
    }
}

/// Opening the coordinator: configuration checks and damaged records.
@Suite struct QueryCoordOpeningTests {
    @Test func badConfigurationIsRefused() {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var config = QueryCoord.Configuration(dataDirectory: dir.path, rootCoord: WireAddress(host: "root", port: 1))
        config.pollInterval = .zero
        #expect(throws: QueryCoordError.invalidConfiguration("pollInterval must be positive, got 0.0 seconds")) {
            try QueryCoord(configuration: config, transport: InMemoryNetwork())
        }
    }

    @Test func aDamagedRecordIsReportedNotActedOn() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetaStore(directory: dir.path + "/querycoord")
        _ = try store.put(CollectionPlacement.key(CollectionID(5)), [1, 2, 3])
        store.close()
        let config = QueryCoord.Configuration(dataDirectory: dir.path, rootCoord: WireAddress(host: "root", port: 1))
        do {
            _ = try QueryCoord(configuration: config, transport: InMemoryNetwork())
            Issue.record("a damaged record was accepted")
        } catch let error as QueryCoordError {
            guard case .corruptState(let key, _) = error else { Issue.record("\(error)"); return }
            #expect(key == "querycoord/collection/00000000000000000005")
        }
    }
}
