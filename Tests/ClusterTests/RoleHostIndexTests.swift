import Coordinator
import Foundation
import Node
import Runtime
import Shard
import Testing
import TestSupport
import Wire

@testable import Cluster

/// The index roles through `RoleHost`, as `vecnode --role indexcoord|indexnode` runs them: they start,
/// register, and index a segment flushed (deferred) into the shared object storage.
@Suite struct RoleHostIndexTests {
    static func config(_ role: Runtime.NodeRole, _ dir: String, objects: String) -> NodeConfig {
        var c = NodeConfig(environment: [:])
        c.role = role
        c.listen = HostPort(host: role.rawValue, port: 1)
        c.rootCoordinator = HostPort(host: "rootcoord", port: 1)
        c.dataDirectory = dir + "/" + role.rawValue
        c.objectStore = objects
        c.cpuThreads = 1
        return c
    }

    @Test func indexRolesStartRegisterAndIndexAFlushedSegment() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let objects = dir.path + "/objects"
        let network = InMemoryNetwork()
        let root = try await RoleHost.start(config: RoleHostTests.rootConfig(dir.path + "/root", port: 1), transport: network)
        let node = try await RoleHost.start(config: Self.config(.indexnode, dir.path, objects: objects), transport: network)
        let coord = try await RoleHost.start(config: Self.config(.indexcoord, dir.path, objects: objects), transport: network)
        let rootClient = network.client(for: WireAddress(host: "rootcoord", port: 1))
        #expect(try await rootClient.call(ListLiveNodes(role: .indexNode)).sessions.map(\.nodeID) == [try #require(node.nodeID)])
        #expect(try await rootClient.call(ListLiveNodes(role: .indexCoord)).sessions.count == 1)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/indexcoord/indexcoord/node-id"))

        try Self.flushDeferredSegment(objects: objects, collection: CollectionID(5), scratch: dir.path + "/shard")

        let coordClient = network.client(for: try #require(coord.wireAddress))
        var reply = IndexBuildsReply(segments: [])
        for _ in 0..<500 {
            reply = try await coordClient.call(DescribeIndexBuilds(collectionID: CollectionID(5)))
            if reply.indexState == "Finished", !reply.segments.isEmpty { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(reply.segments.count == 1 && reply.segments[0].state == .finished && reply.segments[0].node == node.nodeID,
                "\(reply)")
        let status = try await network.client(for: try #require(node.wireAddress)).call(DescribeIndexNode())
        #expect(status.done == 1 && status.running == 0)

        await coord.stop()
        await node.stop()
        await root.stop()
    }

    /// A data node's flush: a shard with deferred index builds writing one 64-row segment into the object
    /// storage at `collections/<collection>/shard-0`.
    static func flushDeferredSegment(objects: String, collection: CollectionID, scratch: String) throws {
        let schema = CollectionSchema(fields: [FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
                                               FieldSchema(name: "vec", dataType: .floatVector, dimension: 4)])
        let spec = IndexSpec(fieldName: "vec", kind: .hnsw(m: 8, efConstruction: 32), metric: .l2)
        var options = ShardOptions()
        options.deferIndexBuilds = true
        options.workerThreads = 1
        let location = ShardLocation(logDirectory: scratch + "/log",
                                     objectDirectory: SharedObjectStore.shardDirectory(root: objects, collection: collection.rawValue, shard: 0),
                                     scratchLog: false)
        let shard = try Shard.open(location: location, schema: schema, indexes: [spec], options: options)
        defer { shard.close() }
        try shard.insert(try RowBatch(schema: schema, columns: [
            Column(name: "id", data: .int64((0..<64).map(Int64.init))),
            Column(name: "vec", data: .floatVector(dimension: 4, values: TestData.uniform(count: 64, dimension: 4, seed: 3))),
        ]), timestamp: 1)
        try shard.flush()
    }
}
