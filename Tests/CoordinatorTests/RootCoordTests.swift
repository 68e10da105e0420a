import Foundation
import Shard
import Testing
import Wire

@testable import Coordinator

@Suite(.serialized) struct RootCoordTests {
    static func expectWireError(
        _ code: WireError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            Issue.record("expected \(code), the call succeeded", sourceLocation: sourceLocation)
        } catch let error as WireError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected WireError \(code), got \(error)", sourceLocation: sourceLocation)
        }
    }

    /// The same scenario over any transport: DDL, validation errors with their codes, allocation, sessions.
    static func scenario(coord: RootCoord, client: any WireClient) async throws {
        #expect(try await client.call(ListDatabases()).names == ["default"])
        let request = Catalog.CollectionRequest(
            name: "books", schema: sampleSchema(), shardsNum: 4, consistencyLevel: .strong,
            properties: [CollectionProperty(key: "collection.ttl.seconds", value: "0")])
        let info = try await client.call(CreateCollection(request))
        #expect(info.name == "books" && info.shardsNum == 4 && info.consistencyLevel == .strong)
        #expect(info.schema == sampleSchema() && info.partitions.map(\.name) == ["_default"])
        await expectWireError(.collectionExists) { _ = try await client.call(CreateCollection(request)) }
        var bad = request
        bad.name = "9lives"
        await expectWireError(.invalidName) { _ = try await client.call(CreateCollection(bad)) }
        bad.name = "ok"
        bad.shardsNum = 99
        await expectWireError(.invalidArgument) { _ = try await client.call(CreateCollection(bad)) }
        bad.shardsNum = 1
        bad.database = "missing"
        await expectWireError(.databaseNotFound) { _ = try await client.call(CreateCollection(bad)) }

        let books = CollectionRef(name: "books")
        #expect(try await client.call(DescribeCollection(books)) == info)
        await expectWireError(.collectionNotFound) { _ = try await client.call(DescribeCollection(CollectionRef(name: "nope"))) }
        #expect(try await client.call(ListCollections()).names == ["books"])

        let p = try await client.call(CreatePartition(books, partition: "recent"))
        #expect(p.name == "recent" && p.id != info.partitions[0].id)
        #expect(try await client.call(ListPartitions(books)).partitions.map(\.name) == ["_default", "recent"])
        await expectWireError(.cannotDropDefaultPartition) { _ = try await client.call(DropPartition(books, partition: "_default")) }
        _ = try await client.call(DropPartition(books, partition: "recent"))

        _ = try await client.call(CreateAlias(AliasRequest(alias: "library", collection: "books")))
        #expect(try await client.call(DescribeCollection(CollectionRef(name: "library"))).id == info.id)
        await expectWireError(.collectionHasAliases) { _ = try await client.call(DropCollection(books)) }
        let other = try await client.call(CreateCollection(Catalog.CollectionRequest(name: "books_v2", schema: sampleSchema())))
        _ = try await client.call(AlterAlias(AliasRequest(alias: "library", collection: "books_v2")))
        #expect(try await client.call(DescribeCollection(CollectionRef(name: "library"))).id == other.id)
        #expect(try await client.call(ListAliases()).aliases == [AliasBinding(alias: "library", collection: "books_v2")])
        _ = try await client.call(DropAlias(AliasRequest(alias: "library")))
        await expectWireError(.aliasNotFound) { _ = try await client.call(DropAlias(AliasRequest(alias: "library"))) }

        let spec = IndexSpec(fieldName: "embedding", kind: .hnsw(m: 16, efConstruction: 128), metric: .innerProduct)
        _ = try await client.call(CreateIndexSpec(books, spec: spec))
        await expectWireError(.indexExists) { _ = try await client.call(CreateIndexSpec(books, spec: spec)) }
        #expect(try await client.call(DescribeCollection(books)).indexes == [spec])
        _ = try await client.call(RenameCollection(books, to: "novels"))
        #expect(try await client.call(ListCollections()).names == ["books_v2", "novels"])
        _ = try await client.call(DropCollection(CollectionRef(name: "books_v2")))
        _ = try await client.call(CreateDatabase(name: "analytics"))
        #expect(try await client.call(ListDatabases()).names == ["analytics", "default"])
        _ = try await client.call(DropDatabase(name: "analytics"))

        // Allocation.
        let t1 = try await client.call(AllocateTimestamps(count: 100))
        let t2 = try await client.call(AllocateTimestamps(count: 1))
        #expect(t1.count == 100 && t1.last < t2.first)
        await expectWireError(.invalidArgument) { _ = try await client.call(AllocateTimestamps(count: 0)) }
        await expectWireError(.invalidArgument) { _ = try await client.call(AllocateTimestamps(count: 1 << 20)) }
        let i1 = try await client.call(AllocateIDs(count: 1000)).ids
        let i2 = try await client.call(AllocateIDs(count: 1)).ids
        #expect(i1.count == 1000 && i1.upperBound <= i2.lowerBound)
        await expectWireError(.invalidArgument) { _ = try await client.call(AllocateIDs(count: UInt32.max)) }

        // Sessions: register, renew, list, expire (driven with an explicit instant, no sleeping).
        let before = try await client.call(WatchSessionEvents(afterSequence: 0)).lastSequence
        let q = try await client.call(RegisterSession(nodeID: NodeID(1), role: .queryNode, address: "127.0.0.1:21001"))
        let d = try await client.call(RegisterSession(nodeID: NodeID(2), role: .dataNode, address: "127.0.0.1:21002"))
        #expect(q.ttlMilliseconds == 2000 && q.sessionID != d.sessionID)
        _ = try await client.call(RenewSession(sessionID: q.sessionID))
        #expect(try await client.call(ListLiveNodes()).sessions.map(\.nodeID) == [NodeID(1), NodeID(2)])
        #expect(try await client.call(ListLiveNodes(role: .dataNode)).sessions.map(\.sessionID) == [d.sessionID])
        await expectWireError(.invalidRegistration) {
            _ = try await client.call(RegisterSession(nodeID: NodeID(-1), role: .proxy, address: "x:1"))
        }
        let dead = await coord.expireSessions(now: .now + .seconds(3))
        #expect(Set(dead.map(\.session.nodeID)) == [NodeID(1), NodeID(2)] && dead.allSatisfy { $0.kind == .dead })
        await expectWireError(.unknownSession) { _ = try await client.call(RenewSession(sessionID: q.sessionID)) }
        #expect(try await client.call(ListLiveNodes()).sessions.isEmpty)
        let batch = try await client.call(WatchSessionEvents(afterSequence: before))
        #expect(batch.events.map(\.kind) == [.joined, .joined, .dead, .dead])
        let again = try await client.call(RegisterSession(nodeID: NodeID(1), role: .queryNode, address: "127.0.0.1:21001"))
        #expect(again.sessionID != q.sessionID)
        _ = try await client.call(DeregisterSession(sessionID: again.sessionID))
    }

    @Test func scenarioOverInMemoryTransport() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let coord = try RootCoord(configuration: RootCoord.Configuration(dataDirectory: dir.path))
        let network = InMemoryNetwork()
        let listener = try await network.listen(on: WireAddress(host: "rootcoord", port: 0), handler: coord.router())
        try await Self.scenario(coord: coord, client: network.client(for: listener.address))
        await listener.stop()
        await coord.close()
    }

    @Test func scenarioOverTCP() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let coord = try RootCoord(configuration: RootCoord.Configuration(dataDirectory: dir.path))
        let transport = try TCPTransport(configuration: WireConfiguration(clusterSecret: try ClusterSecret("coordinator-test-secret")))
        let listener = try await transport.listen(on: WireAddress(host: "127.0.0.1", port: 0), handler: coord.router())
        #expect(listener.address.port != 0)
        try await Self.scenario(coord: coord, client: transport.client(for: listener.address))
        await listener.stop()
        transport.shutdown()
        await coord.close()
    }

    @Test func malformedRequestBodiesGetErrorReplies() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let coord = try RootCoord(configuration: RootCoord.Configuration(dataDirectory: dir.path))
        let network = InMemoryNetwork()
        let listener = try await network.listen(on: WireAddress(host: "rootcoord", port: 0), handler: coord.router())
        let client = network.client(for: listener.address)
        var rng = SeededRandom(seed: 3)
        let kinds: [MessageKind] = [
            CreateCollection.kind, DescribeCollection.kind, CreateAlias.kind, CreateIndexSpec.kind, RegisterSession.kind,
            ListLiveNodes.kind, AllocateIDs.kind,
        ]
        for kind in kinds {
            for _ in 0..<50 {
                var body = WireWriter()
                for _ in 0..<Int.random(in: 0..<40, using: &rng) { body.writeUInt8(UInt8.random(in: 0...255, using: &rng)) }
                do { _ = try await client.call(kind: kind, body: body, options: CallOptions()) } catch {
                    // Any typed error is fine; a crash or hang is not.
                }
            }
        }
        // Still serving.
        #expect(try await client.call(ListDatabases()).names == ["default"])
        await listener.stop()
        await coord.close()
    }

    /// Real time: with a 300 ms lease, a silent node is declared dead soon after its lease ends while a node
    /// that renews stays alive.
    @Test func leaseTickerDeclaresSilentNodesDead() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var config = RootCoord.Configuration(dataDirectory: dir.path)
        config.sessionTTL = .milliseconds(300)
        let coord = try RootCoord(configuration: config)
        let events = await coord.subscribeSessionEvents()
        await coord.startLeaseTicker()
        let start = ContinuousClock.now
        let alive = try await coord.registerSession(nodeID: NodeID(1), role: .queryNode, address: "127.0.0.1:1")
        _ = try await coord.registerSession(nodeID: NodeID(2), role: .proxy, address: "127.0.0.1:2")
        let renewer = Task {
            while !Task.isCancelled {
                try? await coord.renewSession(alive)
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        var seen: [(SessionEvent.Kind, NodeID)] = []
        for await event in events {
            seen.append((event.kind, event.session.nodeID))
            if event.kind == .dead { break }
        }
        let elapsed = ContinuousClock.now - start
        renewer.cancel()
        #expect(seen.map(\.0) == [.joined, .joined, .dead])
        #expect(seen.last?.1 == NodeID(2))
        // Declared at lease end; the margin absorbs scheduling on a loaded 2-core machine.
        #expect(elapsed >= .milliseconds(300) && elapsed < .milliseconds(1300), "dead after \(elapsed)")
        #expect(await coord.liveNodes().map(\.nodeID) == [NodeID(1)])
        await coord.close()
    }

    /// Acknowledged metadata survives dropping the coordinator without `close` and reopening.
    @Test func restartKeepsCatalogAndNeverReusesTimestampsOrIDs() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var lastTS = Timestamp(rawValue: 0)
        var lastID: Int64 = 0
        var expected: [String: CollectionID] = [:]
        for round in 0..<5 {
            let coord = try RootCoord(configuration: RootCoord.Configuration(dataDirectory: dir.path))
            let names = try await coord.listCollections(database: "default")
            #expect(Set(names) == Set(expected.keys), "round \(round)")
            for (name, id) in expected {
                #expect(try await coord.describeCollection(CollectionRef(name: name)).id == id)
            }
            for i in 0..<3 {
                let info = try await coord.createCollection(
                    Catalog.CollectionRequest(name: "c\(round)_\(i)", schema: sampleSchema(), shardsNum: 2))
                #expect(info.id.rawValue > lastID)
                expected[info.name] = info.id
                let ts = try await coord.allocateTimestamps(count: 10)
                #expect(ts.first > lastTS)
                lastTS = ts.last
                let ids = try await coord.allocateIDs(count: 50)
                #expect(ids.lowerBound > lastID)
                lastID = ids.upperBound - 1
            }
            _ = try await coord.createAlias(AliasRequest(alias: "latest\(round)", collection: "c\(round)_0"))
            #expect(try await coord.describeCollection(CollectionRef(name: "latest\(round)")).id == expected["c\(round)_0"])
            // No close(): the actor is dropped as a crash would leave it.
        }
    }
}
