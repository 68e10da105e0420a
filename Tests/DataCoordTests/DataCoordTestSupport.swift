import Coordinator
import Foundation
import Node
import Runtime
import Shard
import Synchronization
import Testing
import Wire

@testable import DataCoord

/// A fresh directory under the system temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String
    init(_ label: String = #function) {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "datacoord-\(safe)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Log lines collected from a `Logger` sink.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var text: String { lines.withLock { $0.joined() } }
}

/// The data path in one process over `InMemoryNetwork`: a real root coordinator, a real log node with tiny
/// segments (so truncation deletes some), real data nodes, the data coordinator, and query nodes on demand.
final class DataCluster: @unchecked Sendable {
    static let dimension = 8
    let network = InMemoryNetwork(defaultTimeout: .seconds(20))
    let dir = TemporaryDirectory()
    var objects: String { dir.path + "/objects" }
    let root: RootCoord
    let rootClient: any WireClient
    var listeners: [String: any WireListener] = [:]
    let logNode: LogNode
    var logClient: any WireClient { network.client(for: WireAddress(host: "lognode", port: 1)) }
    var dataNodes: [NodeID: DataNode] = [:]
    var sessions: [NodeID: SessionID] = [:]
    var renewals: [NodeID: Task<Void, Never>] = [:]
    var coord: DataCoord?
    var coordClient: any WireClient { network.client(for: WireAddress(host: "datacoord", port: 1)) }
    let cpu: CPUExecutor
    var queryNodes: [QueryNode] = []
    let logLines = LogLines()

    init() async throws {
        var rootConfig = RootCoord.Configuration(dataDirectory: dir.path + "/root")
        rootConfig.sessionTTL = .seconds(2)
        root = try RootCoord(configuration: rootConfig)
        await root.startLeaseTicker()
        listeners["rootcoord"] = try await network.listen(on: WireAddress(host: "rootcoord", port: 1), handler: root.router())
        rootClient = network.client(for: WireAddress(host: "rootcoord", port: 1))
        var logConfig = LogNode.Configuration(dataDirectory: dir.path + "/lognode")
        logConfig.channelOptions.segmentBytes = 4096  // truncation deletes whole segments: make them small
        logNode = try LogNode(configuration: logConfig, logger: Logger(role: "lognode", sink: { _ in }))
        listeners["lognode"] = try await network.listen(on: WireAddress(host: "lognode", port: 1), handler: logNode.router())
        cpu = try CPUExecutor(name: "dc-test-cpu", threads: 1)
        try await register(NodeID(900), role: .logNode, address: "lognode:1")
    }

    /// Registers a session and renews it every quarter lease until the node is killed.
    func register(_ id: NodeID, role: Coordinator.NodeRole, address: String) async throws {
        let grant = try await rootClient.call(RegisterSession(nodeID: id, role: role, address: address))
        sessions[id] = grant.sessionID
        let client = rootClient
        renewals[id] = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int64(grant.ttlMilliseconds / 4)))
                _ = try? await client.call(RenewSession(sessionID: grant.sessionID))
            }
        }
    }

    @discardableResult
    func addDataNode(_ id: Int64, flushInterval: Duration = .seconds(3600)) async throws -> DataNode {
        var config = DataNode.Configuration(nodeID: NodeID(id), dataDirectory: dir.path + "/dn", objectStore: objects)
        config.flushInterval = flushInterval
        config.consumer.applyThreads = 1
        config.consumer.pollWait = .milliseconds(200)
        config.consumer.maxBackoff = .milliseconds(100)
        let lines = logLines
        let node = try DataNode(configuration: config, transport: network, logger: Logger(role: "datanode", sink: { lines.append($0) }))
        listeners["dn\(id)"] = try await network.listen(on: WireAddress(host: "dn\(id)", port: 1), handler: node.router())
        try await register(NodeID(id), role: .dataNode, address: "dn\(id):1")
        dataNodes[NodeID(id)] = node
        return node
    }

    /// Kills a data node: it stops serving and renewing and deregisters (the death event is immediate).
    func killDataNode(_ id: Int64) async throws {
        let node = NodeID(id)
        renewals[node]?.cancel()
        await listeners.removeValue(forKey: "dn\(id)")?.stop()
        if let session = sessions[node] { _ = try await rootClient.call(DeregisterSession(sessionID: session)) }
        await dataNodes.removeValue(forKey: node)?.close()
    }

    func startCoord() async throws {
        var config = DataCoord.Configuration(dataDirectory: dir.path + "/dc", objectStore: objects,
                                             rootCoord: WireAddress(host: "rootcoord", port: 1))
        config.pollInterval = .milliseconds(20)
        config.catalogInterval = .milliseconds(200)
        config.maintenanceInterval = .milliseconds(200)
        let lines = logLines
        let coord = try DataCoord(configuration: config, transport: network, logger: Logger(role: "datacoord", sink: { lines.append($0) }))
        await coord.start()
        listeners["datacoord"] = try await network.listen(on: WireAddress(host: "datacoord", port: 1), handler: coord.router())
        self.coord = coord
    }

    func stopCoord() async {
        await listeners.removeValue(forKey: "datacoord")?.stop()
        await coord?.close()
        coord = nil
    }

    /// A query node; `objectStore` nil replays channels from their start.
    func addQueryNode(_ id: Int64, objectStore: String?) throws -> QueryNode {
        var config = QueryNode.Configuration(nodeID: NodeID(id), dataDirectory: dir.path + "/qn")
        config.objectStore = objectStore
        config.applyThreads = 1
        config.pollWait = .milliseconds(200)
        config.maxBackoff = .milliseconds(100)
        let lines = logLines
        let node = try QueryNode(configuration: config, transport: network, cpu: cpu,
                                 logger: Logger(role: "querynode", sink: { lines.append($0) }))
        queryNodes.append(node)
        return node
    }

    func createCollection(_ name: String, shards: Int) async throws -> CollectionInfo {
        let schema = CollectionSchema(fields: [
            FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
            FieldSchema(name: "embedding", dataType: .floatVector, dimension: Self.dimension),
        ])
        return try await rootClient.call(CreateCollection(Catalog.CollectionRequest(name: name, schema: schema, shardsNum: shards)))
    }

    static func vector(_ id: Int64) -> [Float] {
        (0..<dimension).map { Float(id) * 0.37 + Float($0 * $0) * 0.011 + Float(id % 7) * 0.05 }
    }

    /// Appends one insert record of rows `ids` to `shard`'s channel; returns its acknowledgement.
    @discardableResult
    func append(_ info: CollectionInfo, shard: Int, ids: Range<Int64>) async throws -> AppendAck {
        let rows: [[String: FieldValue]] = ids.map { ["id": .int($0), "embedding": .floatVector(Self.vector($0))] }
        let operation = ShardOperation.insert(try RowBatch(schema: info.schema, rows: rows))
        let ts = try await rootClient.call(AllocateTimestamps(count: 1)).first
        return try await logClient.call(AppendToChannel(
            channel: ChannelName(collection: info.id.rawValue, shard: shard), recordKind: operation.logKind,
            timestamp: ts.rawValue, payload: operation.payload(keyType: .int64)))
    }

    func flush(_ id: CollectionID) async throws -> CollectionFlushed {
        try await coordClient.call(FlushCollection(collectionID: id), options: CallOptions(timeout: .seconds(60)))
    }

    func assignments() async throws -> ChannelAssignments { try await coordClient.call(GetChannelAssignments()) }

    /// Whether every channel of `id` is owned by a live data node that acknowledged the watch.
    func allWatched(_ id: CollectionID, shards: Int) async throws -> Bool {
        let entries = try await assignments().entries.filter { $0.collectionID == id }
        return entries.count == shards && entries.allSatisfy { $0.watched && $0.node.map { self.dataNodes[$0] != nil } == true }
    }

    /// What the object store holds for a shard: opens a seeded copy and reports live rows and checkpoint.
    func flushedState(_ info: CollectionInfo, shard: Int) throws -> (rows: Int, checkpoint: LogPosition?) {
        let shared = SharedObjectStore.shardDirectory(root: objects, collection: info.id.rawValue, shard: shard) 
        let copy = dir.path + "/inspect-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        guard try ShardSeed.seed(from: shared, to: copy + "/objects") != nil else { return (0, nil) }
        let shard = try Shard.open(location: ShardLocation(logDirectory: copy + "/log", objectDirectory: copy + "/objects", scratchLog: true),
                                   schema: info.schema, indexes: info.indexes)
        defer { shard.close() }
        let stats = shard.statistics
        return (stats.liveRows, stats.channelCheckpoint)
    }

    func channelState(_ info: CollectionInfo, shard: Int) async throws -> ChannelState {
        try await logClient.call(DescribeChannel(channel: ChannelName(collection: info.id.rawValue, shard: shard)))
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    func shutdown() async {
        for task in renewals.values { task.cancel() }
        await stopCoord()
        for node in queryNodes { await node.close() }
        for node in dataNodes.values { await node.close() }
        for listener in listeners.values { await listener.stop() }
        await logNode.stop()
        await root.close()
        cpu.shutdown()
        dir.cleanup()
    }

    var log: String { logLines.text }
}
