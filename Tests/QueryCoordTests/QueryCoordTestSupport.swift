import Coordinator
import Foundation
import Node
import Runtime
import Shard
import Synchronization
import Testing
import Wire

@testable import QueryCoord

/// A fresh directory under the system temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String
    init(_ label: String = #function) {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "querycoord-\(safe)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A small valid schema: Int64 primary key and an 8-d float vector.
func sampleSchema() -> CollectionSchema {
    CollectionSchema(fields: [
        FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
        FieldSchema(name: "embedding", dataType: .floatVector, dimension: 8),
    ])
}

/// A query-node double: serves `LoadShardReplica` / `ReleaseShardReplica` / `DescribeQueryNode`, records
/// every call and holds the copies it was told to, like a real node's bookkeeping (no data).
final class FakeQueryNode: Sendable {
    struct State {
        var held: [ShardRef: Int] = [:]
        var loads: [LoadShardReplica] = []
        var releases: [ShardRef] = []
        var refuseLoads = false
        var rowsPerShard = 0
    }

    let nodeID: NodeID
    private let boundAddress = Mutex("")
    let state = Mutex(State())

    init(nodeID: NodeID) { self.nodeID = nodeID }

    /// `HOST:PORT` it serves on (set once its listener is bound).
    var address: String {
        get { boundAddress.withLock { $0 } }
        set { boundAddress.withLock { $0 = newValue } }
    }

    var held: [ShardRef: Int] { state.withLock { $0.held } }
    var loads: [LoadShardReplica] { state.withLock { $0.loads } }
    var releases: [ShardRef] { state.withLock { $0.releases } }
    func refuseLoads(_ refuse: Bool) { state.withLock { $0.refuseLoads = refuse } }
    func setRows(_ rows: Int) { state.withLock { $0.rowsPerShard = rows } }

    func status(_ ref: ShardRef, replica: Int, rows: Int) -> ShardReplicaStatus {
        ShardReplicaStatus(ref: ref, replica: replica, liveRows: rows, sealedSegments: 0, growingRows: rows,
                           applied: LogPosition(0), lastTimestamp: 0)
    }

    func router() -> WireRouter {
        var r = WireRouter()
        r.on(LoadShardReplica.self) { req, _ in
            try self.state.withLock { (s: inout State) throws(WireError) -> ShardReplicaStatus in
                s.loads.append(req)
                if s.refuseLoads { throw WireError(.handlerFailed, "disk full on \(self.nodeID)") }
                if s.held[req.ref] == nil { s.held[req.ref] = req.replica }
                return self.status(req.ref, replica: s.held[req.ref]!, rows: s.rowsPerShard)
            }
        }
        r.on(ReleaseShardReplica.self) { req, _ in
            self.state.withLock { s in
                s.releases.append(req.ref)
                s.held[req.ref] = nil
            }
            return WireEmpty()
        }
        r.on(DescribeQueryNode.self) { _, _ in
            self.state.withLock { s in
                QueryNodeStatus(
                    replicas: s.held.map { self.status($0.key, replica: $0.value, rows: s.rowsPerShard) }, searches: 0)
            }
        }
        return r
    }
}

/// Root coordinator, a registered log node (address only), fake query nodes and a query coordinator on one
/// `InMemoryNetwork` or over TCP on 127.0.0.1.
final class TestCluster: @unchecked Sendable {
    let transport: any WireTransport
    let tcp: Bool
    let dir = TemporaryDirectory()
    let sessionTTL: Duration
    var root: RootCoord
    var rootAddress: WireAddress
    var rootClient: any WireClient
    var rootListener: (any WireListener)?
    var nodes: [FakeQueryNode] = []
    var nodeListeners: [NodeID: any WireListener] = [:]
    var nodeSessions: [NodeID: SessionID] = [:]
    var renewals: [NodeID: Task<Void, Never>] = [:]
    var coord: QueryCoord?
    var coordListener: (any WireListener)?
    var coordClient: any WireClient { transport.client(for: coordListener!.address) }
    let logLines = LogLines()

    init(sessionTTL: Duration = .seconds(2), tcp: Bool = false) async throws {
        self.tcp = tcp
        self.sessionTTL = sessionTTL
        transport = tcp
            ? try TCPTransport(configuration: WireConfiguration(clusterSecret: try ClusterSecret("querycoord-test-secret")))
            : InMemoryNetwork(defaultTimeout: .seconds(10))
        root = try Self.openRoot(dir.path + "/root", ttl: sessionTTL)
        rootAddress = Self.address("rootcoord", tcp: tcp)
        rootClient = transport.client(for: rootAddress)
        try await serveRoot()
        try await register(NodeID(900), role: .logNode, address: "lognode:1")
    }

    static func address(_ name: String, tcp: Bool) -> WireAddress {
        tcp ? WireAddress(host: "127.0.0.1", port: 0) : WireAddress(host: name, port: 1)
    }

    static func openRoot(_ path: String, ttl: Duration) throws -> RootCoord {
        var config = RootCoord.Configuration(dataDirectory: path)
        config.sessionTTL = ttl
        return try RootCoord(configuration: config)
    }

    private func serveRoot() async throws {
        await root.startLeaseTicker()
        rootListener = try await transport.listen(on: rootAddress, handler: root.router())
        rootAddress = rootListener!.address
        rootClient = transport.client(for: rootAddress)
    }

    /// Stops the root coordinator and opens it again on the same directory and address: sessions are gone,
    /// nodes find their renewals refused and register again.
    func restartRoot() async throws {
        await rootListener?.stop()
        await root.close()
        root = try Self.openRoot(dir.path + "/root", ttl: sessionTTL)
        try await serveRoot()
    }

    /// Starts (or restarts) the query coordinator on the cluster's data directory.
    func startCoord(pollInterval: Duration = .milliseconds(20), restartGrace: Duration = .seconds(3)) async throws {
        var config = QueryCoord.Configuration(dataDirectory: dir.path + "/qc", rootCoord: rootAddress)
        config.pollInterval = pollInterval
        config.maintenanceInterval = .milliseconds(200)
        config.retryInterval = .milliseconds(200)
        config.loadTimeout = .seconds(5)
        config.rootCoordRestartGrace = restartGrace
        let lines = logLines
        let coord = try QueryCoord(
            configuration: config, transport: transport,
            logger: Logger(role: "querycoord", sink: { line in lines.append(line) }))
        await coord.start()
        coordListener = try await transport.listen(on: Self.address("querycoord", tcp: tcp), handler: coord.router())
        self.coord = coord
    }

    func stopCoord() async {
        await coordListener?.stop()
        await coord?.close()
        coord = nil
    }

    /// Adds a fake query node with id `id`: serves on `qn<id>:1`, registers, renews its lease.
    @discardableResult
    func addNode(_ id: Int64) async throws -> FakeQueryNode {
        let node = FakeQueryNode(nodeID: NodeID(id))
        let listener = try await transport.listen(on: Self.address("qn\(id)", tcp: tcp), handler: node.router())
        node.address = listener.address.description
        nodeListeners[node.nodeID] = listener
        try await register(node.nodeID, role: .queryNode, address: node.address)
        nodes.append(node)
        return node
    }

    /// Registers a session and renews it every quarter lease until the node is killed; registers again
    /// when a renewal is refused (the root coordinator restarted).
    func register(_ id: NodeID, role: Coordinator.NodeRole, address: String) async throws {
        let request = RegisterSession(nodeID: id, role: role, address: address)
        var grant = try await rootClient.call(request)
        nodeSessions[id] = grant.sessionID
        let interval = Duration.milliseconds(Int64(grant.ttlMilliseconds / 4))
        renewals[id] = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let client = self?.rootClient else { return }
                do {
                    _ = try await client.call(RenewSession(sessionID: grant.sessionID))
                } catch let error as WireError where error.code == .unknownSession {
                    if let again = try? await client.call(request) { grant = again }
                } catch {}
            }
        }
    }

    /// Kills a node: stops serving and renewing; with `deregister` it also leaves cleanly (immediate event).
    func killNode(_ id: NodeID, deregister: Bool) async throws {
        renewals[id]?.cancel()
        await nodeListeners[id]?.stop()
        if deregister, let session = nodeSessions[id] {
            _ = try await rootClient.call(DeregisterSession(sessionID: session))
        }
        nodes.removeAll { $0.nodeID == id }
    }

    func createCollection(_ name: String, shards: Int) async throws -> CollectionInfo {
        try await rootClient.call(CreateCollection(Catalog.CollectionRequest(name: name, schema: sampleSchema(), shardsNum: shards)))
    }

    func routes(_ id: CollectionID) async throws -> CollectionRoutes {
        try await coordClient.call(GetCollectionRoutes(collectionID: id))
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(3), _ condition: () async throws -> Bool) async rethrows -> Bool {
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
        for listener in nodeListeners.values { await listener.stop() }
        await rootListener?.stop()
        await root.close()
        (transport as? TCPTransport)?.shutdown()
        dir.cleanup()
    }

    /// The coordinator's log, for failure messages.
    var log: String { logLines.text }
}

/// Log lines collected from a `Logger` sink.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var text: String { lines.withLock { $0.joined() } }
}

/// Checks the placement invariants on the routes: `replicas` replicas, every one healthy with every shard
/// exactly once, nodes of different replicas distinct, each shard routed to a node of its replica that
/// holds it (per the fake nodes).
func expectWellPlaced(_ routes: CollectionRoutes, replicas: Int, shards: Int, nodes: [FakeQueryNode],
                      sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(routes.state == .loaded, sourceLocation: sourceLocation)
    #expect(routes.replicas.count == replicas, sourceLocation: sourceLocation)
    var seen = Set<NodeID>()
    for replica in routes.replicas {
        #expect(replica.healthy, "replica \(replica.replicaID) unhealthy: \(replica)", sourceLocation: sourceLocation)
        #expect(replica.shards.map(\.shard).sorted() == Array(0..<shards), sourceLocation: sourceLocation)
        #expect(seen.isDisjoint(with: replica.nodes), "replica groups share nodes", sourceLocation: sourceLocation)
        seen.formUnion(replica.nodes)
        for route in replica.shards {
            #expect(replica.nodes.contains(route.nodeID), sourceLocation: sourceLocation)
            let node = nodes.first { $0.nodeID == route.nodeID }
            #expect(node?.address == route.address, sourceLocation: sourceLocation)
            #expect(node?.held[ShardRef(collection: routes.collectionID.rawValue, shard: route.shard)] != nil,
                    "\(route.nodeID) does not hold shard \(route.shard)", sourceLocation: sourceLocation)
        }
    }
}
