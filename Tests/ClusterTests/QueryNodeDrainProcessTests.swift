import Coordinator
import Foundation
import Glibc
import Node
import Shard
import Testing
import Wire

/// Issue #5's scaling over `vecnode` processes: a query node process started later is given shards without a
/// restart, and `kill -TERM` of a query node is a clean removal (it drains itself first: its shards are served
/// elsewhere, with their rows, before it exits 0), while a reader keeps counting every shard.
@Suite(.serialized) struct QueryNodeDrainProcessTests {
    static let shards = 4
    static let rowsPerShard = 20

    @Test func aStartedQueryNodeTakesShardsAndSigtermDrainsOne() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let cluster = ClusterProcesses(directory: dir.path, queryNodes: 3, proxy: false)
        defer { cluster.killAll() }
        let transport = try testTransport()
        defer { transport.shutdown() }
        let root = transport.client(for: cluster.rootAddress)
        for name in ["rootcoord", "lognode", "querycoord", "querynode-1", "querynode-2"] { try cluster.start(name) }
        let live = try #require(await cluster.waitForMembership(root, expected: [.logNode: 1, .queryCoord: 1, .queryNode: 2]),
                                "\(cluster.logs())")
        let coord = transport.client(for: try WireAddress(parsing: live.first { $0.role == .queryCoord }!.address))
        let log = transport.client(for: try WireAddress(parsing: live.first { $0.role == .logNode }!.address))

        // A collection of 4 shards with rows in every channel, loaded as 1 replica on the 2 nodes.
        let schema = CollectionSchema(fields: [
            FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
            FieldSchema(name: "embedding", dataType: .floatVector, dimension: 4),
        ])
        let info = try await root.call(CreateCollection(Catalog.CollectionRequest(name: "drained", schema: schema, shardsNum: Self.shards)))
        for shard in 0..<Self.shards {
            let rows: [[String: FieldValue]] = (0..<Self.rowsPerShard).map { i in
                ["id": .int(Int64(shard * 1000 + i)), "embedding": .floatVector([Float(i), 1, 2, 3])]
            }
            let operation = ShardOperation.insert(try RowBatch(schema: schema, rows: rows))
            let ts = try await root.call(AllocateTimestamps(count: 1)).first
            _ = try await log.call(AppendToChannel(channel: ChannelName(collection: info.id.rawValue, shard: shard),
                                                   recordKind: operation.logKind, timestamp: ts.rawValue,
                                                   payload: operation.payload(keyType: .int64)))
        }
        _ = try await coord.call(LoadCollection(collection: CollectionRef(name: "drained"), replicaNumber: 1),
                                 options: CallOptions(timeout: .seconds(30)))

        // A reader counts every shard through the routes all along (one route refresh after a failed call, as
        // the proxy does); every count must succeed and be complete.
        let reader = Task { () -> (counts: Int, failures: [String]) in
            var routes = try? await coord.call(GetCollectionRoutes(collectionID: info.id))
            var counts = 0
            var failures: [String] = []
            while !Task.isCancelled {
                for shard in 0..<Self.shards {
                    var outcome = "no route"
                    for attempt in 0..<2 {
                        if attempt == 1 { routes = (try? await coord.call(GetCollectionRoutes(collectionID: info.id))) ?? routes }
                        guard let route = routes?.replicas.first?.shards.first(where: { $0.shard == shard }) else { continue }
                        do {
                            let client = transport.client(for: try WireAddress(parsing: route.address))
                            let n = try await client.call(CountShard(ref: ShardRef(collection: info.id.rawValue, shard: shard),
                                                                     guarantee: .eventually), options: CallOptions(timeout: .seconds(5)))
                            outcome = n == UInt64(Self.rowsPerShard) ? "" : "shard \(shard) counted \(n)"
                            break
                        } catch {
                            outcome = "shard \(shard): \(error)"
                        }
                    }
                    // The test ends the reader by cancelling it: a count cut short by that is not a failure.
                    if Task.isCancelled { break }
                    counts += 1
                    if !outcome.isEmpty { failures.append(outcome) }
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
            return (counts, failures)
        }

        // Scale out: one more query node process takes shards (balanced: 1/1/2), nothing restarted.
        try cluster.start("querynode-3")
        let spread = await eventually(.seconds(20)) {
            guard let routes = try? await coord.call(GetCollectionRoutes(collectionID: info.id)) else { return false }
            let nodes = Set(routes.replicas.flatMap(\.shards).map(\.nodeID))
            return routes.replicas.allSatisfy(\.healthy) && nodes.count == 3 && routes.replicas[0].nodes.count == 3
        }
        #expect(spread, "\(cluster.logs())")

        // SIGTERM the busiest node: it drains itself, then exits 0.
        let routes = try await coord.call(GetCollectionRoutes(collectionID: info.id))
        var perNode: [String: Int] = [:]
        for route in routes.replicas[0].shards { perNode[route.address, default: 0] += 1 }
        let victimAddress = try #require(perNode.max { ($0.value, $0.key) < ($1.value, $1.key) }?.key)
        let victimName = try #require(["querynode-1", "querynode-2", "querynode-3"].first {
            "127.0.0.1:\(cluster.port(of: $0)!)" == victimAddress
        })
        let victim = try #require(cluster.running[victimName])
        let started = ContinuousClock.now
        victim.send(SIGTERM)
        let status = await victim.wait(timeout: .seconds(40))
        #expect(status == 0, "\(victimName) exited \(String(describing: status))\n\(victim.tail())")
        #expect(victim.log.contains("drained before stopping"), "\(victim.tail())")
        print("SIGTERM of \(victimName) (\(perNode[victimAddress]!) shards): drained and exited in \(ContinuousClock.now - started)")
        try await Task.sleep(for: .milliseconds(300))
        reader.cancel()
        let read = await reader.value
        #expect(read.counts > 0 && read.failures.isEmpty, "\(read.failures.count) failed counts: \(read.failures.prefix(5))")

        let after = try await coord.call(GetCollectionRoutes(collectionID: info.id))
        #expect(after.replicas.allSatisfy(\.healthy) && !after.replicas[0].shards.contains { $0.address == victimAddress })
        #expect(after.replicas[0].shards.map(\.shard).sorted() == Array(0..<Self.shards))
        let statuses = await cluster.signalAll(SIGTERM)
        for (name, status) in statuses { #expect(status == 0, "\(name) exited \(String(describing: status))") }
    }
}
