import Coordinator
import Foundation
import IndexCoord
import Node
import Runtime
import Shard
import Synchronization
import TestSupport
import Wire

/// Flushed shard directories in a temporary object storage, written as a data node writes them: a `Shard`
/// whose objects live at `<object-store>/collections/<id>/shard-<n>`, here with deferred index builds.
enum FlushedShards {
    static let dimension = 8
    static let schema = CollectionSchema(fields: [
        FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
        FieldSchema(name: "vec", dataType: .floatVector, dimension: dimension),
    ])
    static let spec = IndexSpec(fieldName: "vec", kind: .hnsw(m: 8, efConstruction: 40), metric: .l2)

    static func options(deferred: Bool) -> ShardOptions {
        var o = ShardOptions()
        o.deferIndexBuilds = deferred
        o.workerThreads = 1
        return o
    }

    /// Writes `segments` flushed segments of `rows` rows each; the shard's own log lives under `scratch`.
    static func write(root: String, scratch: String, collection: CollectionID, shard: Int, segments: Int, rows: Int,
                      deferred: Bool = true) throws {
        let s = try open(root: root, scratch: scratch, collection: collection, shard: shard, deferred: deferred)
        defer { s.close() }
        let all = TestData.uniform(count: segments * rows, dimension: dimension, seed: UInt64(collection.rawValue * 10 + Int64(shard)))
        for g in 0..<segments {
            let batch = try RowBatch(schema: schema, columns: [
                Column(name: "id", data: .int64((g * rows..<(g + 1) * rows).map(Int64.init))),
                Column(name: "vec", data: .floatVector(dimension: dimension,
                                                       values: Array(all[(g * rows * dimension)..<((g + 1) * rows * dimension)]))),
            ])
            try s.insert(batch, timestamp: UInt64(g + 1))
            try s.flush()
        }
    }

    static func open(root: String, scratch: String, collection: CollectionID, shard: Int, deferred: Bool) throws -> Shard {
        try Shard.open(location: ShardLocation(logDirectory: scratch + "/c\(collection.rawValue)-s\(shard)/log",
                                                objectDirectory: SharedObjectStore.shardDirectory(root: root, collection: collection.rawValue, shard: shard), scratchLog: false),
                       schema: schema, indexes: [spec], options: options(deferred: deferred))
    }
}

/// An index node stand-in: never answers builds (`hang`) or fails them (`fail`), counting the requests.
final class FakeIndexNode: Sendable {
    enum Mode { case hang, fail }
    let mode: Mode
    private let requests = Mutex(0)
    init(mode: Mode) { self.mode = mode }
    var requestCount: Int { requests.withLock { $0 } }

    func router() -> WireRouter {
        var r = WireRouter()
        r.on(BuildSegmentIndex.self) { [self] req, _ in
            requests.withLock { $0 += 1 }
            switch mode {
            case .hang:
                try await Task.sleep(for: .seconds(3_600))
                throw WireError(.indexBuildFailed, "unreachable")
            case .fail:
                throw IndexNodeError.buildFailed("the fake fails every build")
            }
        }
        r.on(DescribeIndexNode.self) { _, _ in
            IndexNodeStatus(running: 0, queued: 0, done: 0, failed: 0, maxConcurrentBuilds: 1, maxQueuedBuilds: 0)
        }
        return r
    }
}

final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var text: String { lines.withLock { $0.joined() } }
}

/// A root coordinator, index nodes (real or fake) with sessions, and an index coordinator on one
/// `InMemoryNetwork`, over a temporary object storage.
final class IndexTestCluster: @unchecked Sendable {
    let transport = InMemoryNetwork(defaultTimeout: .seconds(10))
    let dir = NSTemporaryDirectory() + "indexcoord-test-\(UUID().uuidString)"
    var objects: String { dir + "/objects" }
    var scratch: String { dir + "/scratch" }
    let root: RootCoord
    let rootAddress = WireAddress(host: "rootcoord", port: 1)
    var rootClient: any WireClient { transport.client(for: rootAddress) }
    var rootListener: (any WireListener)?
    var listeners: [NodeID: any WireListener] = [:]
    var sessions: [NodeID: SessionID] = [:]
    var renewals: [NodeID: Task<Void, Never>] = [:]
    var realNodes: [NodeID: IndexNode] = [:]
    var coord: IndexCoord?
    var coordListener: (any WireListener)?
    let logLines = LogLines()

    init(sessionTTL: Duration = .seconds(2)) async throws {
        var config = RootCoord.Configuration(dataDirectory: dir + "/root")
        config.sessionTTL = sessionTTL
        root = try RootCoord(configuration: config)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        await root.startLeaseTicker()
        rootListener = try await transport.listen(on: rootAddress, handler: root.router())
    }

    /// Starts (or restarts) the index coordinator on the cluster's data directory.
    func startCoord(maxAttempts: Int = 3, maxBuildsPerNode: Int = 2, start: Bool = true) async throws {
        var config = IndexCoord.Configuration(dataDirectory: dir + "/ic", objectStore: objects, rootCoord: rootAddress)
        config.scanInterval = .milliseconds(50)
        config.pollInterval = .milliseconds(20)
        config.maxAttempts = maxAttempts
        config.maxBuildsPerNode = maxBuildsPerNode
        let lines = logLines
        let coord = try IndexCoord(configuration: config, transport: transport,
                                   logger: Logger(role: "indexcoord", sink: { lines.append($0) }))
        if start { await coord.start() }
        coordListener = try await transport.listen(on: WireAddress(host: "indexcoord", port: 1), handler: coord.router())
        self.coord = coord
    }

    func stopCoord() async {
        await coordListener?.stop()
        await coord?.close()
        coord = nil
    }

    func describe(_ id: CollectionID) async throws -> IndexBuildsReply {
        try await transport.client(for: WireAddress(host: "indexcoord", port: 1)).call(DescribeIndexBuilds(collectionID: id))
    }

    /// A real index node `id`, serving on `in<id>:1` and registered.
    func addIndexNode(_ id: Int64) async throws {
        var c = IndexNode.Configuration(objectStore: objects)
        c.threadsPerBuild = 1
        c.niceness = 0
        let node = try IndexNode(configuration: c, logger: Logger(role: "indexnode", sink: { _ in }))
        realNodes[NodeID(id)] = node
        try await serve(NodeID(id), node.router())
    }

    func addFakeNode(_ id: Int64, _ fake: FakeIndexNode) async throws {
        try await serve(NodeID(id), fake.router())
    }

    private func serve(_ id: NodeID, _ router: WireRouter) async throws {
        let address = WireAddress(host: "in\(id.rawValue)", port: 1)
        listeners[id] = try await transport.listen(on: address, handler: router)
        try await register(id, address: address)
    }

    /// A registered index node session whose address nobody serves.
    func registerWithoutServing(_ id: Int64) async throws {
        try await register(NodeID(id), address: WireAddress(host: "in\(id)", port: 1))
    }

    private func register(_ id: NodeID, address: WireAddress) async throws {
        let request = RegisterSession(nodeID: id, role: .indexNode, address: address.description)
        let grant = try await rootClient.call(request)
        sessions[id] = grant.sessionID
        let interval = Duration.milliseconds(Int64(grant.ttlMilliseconds / 4))
        let client = rootClient
        renewals[id] = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                _ = try? await client.call(RenewSession(sessionID: grant.sessionID))
            }
        }
    }

    /// Kills a node: it stops renewing (and serving, unless `stopServing` is false: calls in flight then
    /// hang on), and leaves (immediately, when `deregister`).
    func kill(_ id: Int64, deregister: Bool = true, stopServing: Bool = true) async throws {
        let node = NodeID(id)
        renewals[node]?.cancel()
        if stopServing { await listeners[node]?.stop() }
        if deregister, let session = sessions[node] { _ = try await rootClient.call(DeregisterSession(sessionID: session)) }
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }

    func shutdown() async {
        for task in renewals.values { task.cancel() }
        await stopCoord()
        for listener in listeners.values { await listener.stop() }
        for node in realNodes.values { await node.close() }
        await rootListener?.stop()
        await root.close()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
