import Coordinator
import Foundation
import Node
import Runtime
import Wire

/// The query coordinator role: decides which query nodes serve which shard replicas of every loaded
/// collection, keeps that placement durable, heals it when nodes die, and answers the proxies' route
/// look-ups (`router()`; messages in Sources/Coordinator/QueryCoord/QueryCoordMessages.swift).
///
/// - Placement rules: `CollectionPlacement+Planning.swift` (pure, tested without sockets).
/// - Durable state: its own `MetaStore` in `<dataDirectory>/querycoord/`, one record per loaded collection
///   (`CollectionPlacement`). After a restart it re-sends `LoadShardReplica` to every placed replica (a
///   no-op on a node that holds it) and re-places the replicas of nodes that are gone.
/// - Membership: it polls the root coordinator's `WatchSessionEvents` every `pollInterval`. A query node's
///   death marks its replicas unhealthy in the routes at once and moves its shards to live nodes of the
///   same group (or nodes the group gains); the time from the death event to healed is logged.
/// - Draining (`drainQueryNode`, `QueryCoord+Drain.swift`): a node marked as leaving (durably, until its session
///   ends) gets no new copy and its copies move to other nodes of its groups without a gap; refused when a
///   collection would be left fewer nodes than replicas.
/// - Loading is asynchronous underneath: `LoadShardReplica` calls run as tasks; `LoadCollection` waits for
///   them. Failed loads are retried every `retryInterval`.
///
/// The actor runs on its own thread (`DedicatedThreadExecutor`): meta-store writes block for an fsync.
/// Placement changes happen without suspension between reading the state and persisting it, so concurrent
/// calls never interleave inside one change.
public actor QueryCoord {
    /// Settings of the role.
    public struct Configuration: Sendable {
        /// The node's data directory; the meta store lives in `<dataDirectory>/querycoord/`.
        public var dataDirectory: String
        /// The root coordinator's protocol address.
        public var rootCoord: WireAddress
        /// How often membership events are polled. Default 100 ms (a death is acted on within this of the
        /// root coordinator declaring it).
        public var pollInterval: Duration = .milliseconds(100)
        /// How often node statuses are refreshed (shard row counts, stray replicas) and failed loads
        /// retried. Default 1 s.
        public var maintenanceInterval: Duration = .seconds(1)
        /// Wait before retrying a failed `LoadShardReplica` on the same node. Default 1 s.
        public var retryInterval: Duration = .seconds(1)
        /// Deadline of calls to the root coordinator (status calls to query nodes use the shorter of this and
        /// `maintenanceInterval`). Default 5 s.
        public var callTimeout: Duration = .seconds(5)
        /// Deadline of one `LoadShardReplica` (a replica replays its whole channel). Default 10 min.
        public var replicaLoadTimeout: Duration = .seconds(600)
        /// How long `LoadCollection` waits for every replica to serve. Default 5 min.
        public var loadTimeout: Duration = .seconds(300)
        /// After the root coordinator restarts (its event sequence went backwards), nodes re-register over
        /// one renewal period; membership is re-read only after this grace, so live nodes are not taken for
        /// dead. Default 3 s.
        public var rootCoordRestartGrace: Duration = .seconds(3)
        public var metaStore = MetaStore.Options()

        public init(dataDirectory: String, rootCoord: WireAddress) {
            self.dataDirectory = dataDirectory
            self.rootCoord = rootCoord
        }

        /// Checks that the directory is set and every interval and timeout is positive.
        public func validate() throws(QueryCoordError) {
            guard !dataDirectory.isEmpty else { throw .invalidConfiguration("the data directory is empty") }
            let durations: [(String, Duration)] = [
                ("pollInterval", pollInterval), ("maintenanceInterval", maintenanceInterval),
                ("retryInterval", retryInterval), ("callTimeout", callTimeout),
                ("replicaLoadTimeout", replicaLoadTimeout), ("loadTimeout", loadTimeout),
            ]
            for (name, value) in durations where value <= .zero {
                throw .invalidConfiguration("\(name) must be positive, got \(value)")
            }
            guard rootCoordRestartGrace >= .zero else {
                throw .invalidConfiguration("rootCoordRestartGrace must not be negative, got \(rootCoordRestartGrace)")
            }
        }
    }

    /// One healed node loss, for logs and tests.
    struct HealReport: Sendable {
        var node: NodeID
        var duration: Duration
    }

    struct PendingHeal {
        var since: ContinuousClock.Instant
        var collections: Set<CollectionID>
    }

    /// A copy of one shard on one node.
    struct HostKey: Hashable {
        var collection: CollectionID
        var host: NodeShard
        var ref: ShardRef { ShardRef(collection: collection.rawValue, shard: host.shard) }
    }

    struct InFlightLoad {
        var session: SessionID
        var task: Task<Void, Never>
    }

    struct LoadFailure {
        var error: WireError
        var at: ContinuousClock.Instant
    }

    private let executor: DedicatedThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    let configuration: Configuration
    let transport: any WireTransport
    let logger: Logger
    let store: MetaStore
    let rootClient: any WireClient

    /// Loaded collections.
    var placements: [CollectionID: CollectionPlacement]
    /// Live query nodes and log nodes as the session events tell.
    var queryNodes: [NodeID: NodeSession] = [:]
    var logNodes: [NodeID: NodeSession] = [:]
    /// False until the first full membership read: nothing is re-placed before it.
    var membership: SessionEventFollower
    var membershipKnown: Bool { membership.isKnown }
    /// Copies each node has acknowledged loading (this session of the node).
    var serving: [CollectionID: Set<NodeShard>] = [:]
    var inFlight: [HostKey: InFlightLoad] = [:]
    var failures: [HostKey: LoadFailure] = [:]
    /// Rows per shard, from node statuses.
    var shardRows: [ShardRef: Int] = [:]
    var pendingHeals: [NodeID: PendingHeal] = [:]
    /// Query nodes being drained (durable until their session ends; `QueryCoord+Drain.swift`).
    var draining: [NodeID: DrainingNode]
    var heals: [HealReport] = []
    private var loops: [Task<Void, Never>] = []

    /// Opens (recovering) the meta store in `<dataDirectory>/querycoord/` and reads the placements.
    /// Call `start()` to begin following membership and loading.
    ///
    /// - Throws: `QueryCoordError.invalidConfiguration`, `MetaStoreError` (e.g. the directory is locked by
    ///   another query coordinator), `QueryCoordError.corruptState` for a record that does not decode.
    public init(configuration: Configuration, transport: any WireTransport, logger: Logger = Logger(role: "querycoord"))
        throws
    {
        try configuration.validate()
        executor = DedicatedThreadExecutor(name: "querycoord")
        self.configuration = configuration
        membership = SessionEventFollower(restartGrace: configuration.rootCoordRestartGrace)
        self.transport = transport
        self.logger = logger
        let directory = (configuration.dataDirectory as NSString).appendingPathComponent("querycoord")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try MetaStore(directory: directory, options: configuration.metaStore)
        var placements: [CollectionID: CollectionPlacement] = [:]
        for (key, entry) in store.list(prefix: CollectionPlacement.keyPrefix) {
            let placement: CollectionPlacement
            do { placement = try CollectionPlacement(decoding: entry.value) } catch {
                store.close()
                throw QueryCoordError.corruptState(key: key, reason: "\(error)")
            }
            guard CollectionPlacement.key(placement.id) == key else {
                store.close()
                throw QueryCoordError.corruptState(key: key, reason: "holds \(placement.id)")
            }
            placements[placement.id] = placement
        }
        self.placements = placements
        var draining: [NodeID: DrainingNode] = [:]
        for (key, entry) in store.list(prefix: DrainingNode.keyPrefix) {
            do {
                let mark = try DrainingNode(key: key, value: entry.value)
                draining[mark.node] = mark
            } catch {
                store.close()
                throw QueryCoordError.corruptState(key: key, reason: "\(error)")
            }
        }
        self.draining = draining
        rootClient = transport.client(for: configuration.rootCoord)
        logger.info("opened", ["dir": directory, "collections": placements.count, "draining": draining.count])
    }

    /// Starts following membership (polling the root coordinator) and maintaining the placements. Two
    /// loops, so a slow status call to a hung node never delays reacting to a death.
    public func start() {
        guard loops.isEmpty else { return }
        loops.append(PeriodicLoop.start(on: self, every: configuration.pollInterval) { await $0.pollMembership() })
        loops.append(PeriodicLoop.start(on: self, every: configuration.maintenanceInterval, pauseFirst: true) { await $0.maintain() })
    }

    /// Stops the background loops and loads in flight, and closes the meta store. Later changes fail with
    /// `MetaStoreError.closed` (wire: `shuttingDown`).
    public func close() {
        for task in loops { task.cancel() }
        loops.removeAll()
        for load in inFlight.values { load.task.cancel() }
        inFlight.removeAll()
        store.close()
    }

    // MARK: Load and release

    /// Loads `ref` as `replicaNumber` replica groups (or changes the replica number of a loaded
    /// collection) and returns once every shard of every replica is serving.
    ///
    /// - Throws: the root coordinator's `WireError` (e.g. `collectionNotFound`), `QueryCoordError`
    ///   (`notEnoughQueryNodes`, `noLogNode`, `loadFailed`, `loadTimedOut`, `released`), `MetaStoreError`.
    public func loadCollection(_ ref: CollectionRef, replicaNumber: Int) async throws {
        guard (1...CollectionPlacement.maxReplicas).contains(replicaNumber) else {
            throw CatalogError.invalidArgument("replica number must be 1…\(CollectionPlacement.maxReplicas), got \(replicaNumber)")
        }
        let info = try await rootClient.call(DescribeCollection(ref), options: CallOptions(timeout: configuration.callTimeout))
        try await addNewlyRegisteredNodes()
        guard !logNodes.isEmpty else { throw QueryCoordError.noLogNode }

        // No suspension from here to the commit: the change is atomic with respect to other calls.
        var placement: CollectionPlacement
        if var existing = placements[info.id] {
            existing.collection = info
            if existing.replicaNumber != replicaNumber {
                try existing.changeReplicaNumber(to: replicaNumber, context: context(for: existing))
            } else {
                existing.reconcile(context(for: existing), rebalance: false)
            }
            placement = existing
        } else {
            placement = try CollectionPlacement.place(info, replicaNumber: replicaNumber, context: context(for: info.id))
        }
        try persist(placement)
        let previous = placements[info.id]
        placements[info.id] = placement
        logger.info(
            previous == nil ? "loading collection" : "changing collection placement",
            ["collection": info.id.rawValue, "name": info.name, "replicas": replicaNumber,
             "placement": describe(placement)])
        dispatch()
        try await waitUntilServing(info.id)
        logger.info("collection loaded", ["collection": info.id.rawValue, "replicas": replicaNumber])
    }

    /// Releases every replica of a collection. Idempotent; works for dropped collections too.
    ///
    /// - Throws: `MetaStoreError` when the release cannot be made durable (nothing changed).
    public func releaseCollection(_ id: CollectionID) throws {
        guard placements[id] != nil else { return }
        try store.delete(CollectionPlacement.key(id))
        placements[id] = nil
        for key in pendingHeals.keys { pendingHeals[key]?.collections.remove(id) }
        logger.info("collection released", ["collection": id.rawValue])
        dispatch()
    }

    /// Waits until every shard of every replica of `id` serves.
    private func waitUntilServing(_ id: CollectionID) async throws {
        let started = ContinuousClock.now
        let deadline = started + configuration.loadTimeout
        while true {
            guard let placement = placements[id] else { throw QueryCoordError.released(id) }
            if fullyServing(placement) { return }
            let hosts = placement.desiredHosts
            let refused = failures.filter { key, failure in
                key.collection == id && failure.at >= started && hosts.contains(key.host)
                    && !Self.isTransient(failure.error)
            }
            if !refused.isEmpty {
                throw QueryCoordError.loadFailed(
                    id, refused.map { "\($0.key.host.node) shard \($0.key.host.shard): \($0.value.error)" }.sorted())
            }
            guard ContinuousClock.now < deadline else {
                throw QueryCoordError.loadTimedOut(id, progress: routes(id).progress)
            }
            try Task.checkCancellation()
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Errors after which the same load may well succeed (the node is restarting, the network blipped):
    /// `LoadCollection` keeps waiting through them while membership catches up.
    static func isTransient(_ error: WireError) -> Bool {
        if error.retriable { return true }
        switch error.code {
        case .unavailable, .connectionClosed, .deadlineExceeded, .shuttingDown, .cancelled: return true
        default: return false
        }
    }

    // MARK: Routes

    /// A collection's load state and, per replica, the node serving each shard. Shards whose node has not
    /// (yet) loaded them are left out and make the replica unhealthy; a shard being moved is routed to its
    /// previous node until the new one serves it. Costs O(replicas × shards), no I/O.
    public func routes(_ id: CollectionID) -> CollectionRoutes {
        guard let placement = placements[id] else {
            return CollectionRoutes(collectionID: id, state: .notLoaded, progress: 0, replicas: [])
        }
        let copies = serving[id] ?? []
        var total = 0
        var ready = 0
        var replicas: [ReplicaRoute] = []
        for group in placement.groups.sorted(by: { $0.replicaID < $1.replicaID }) {
            var shards: [ShardRoute] = []
            var healthy = true
            for (s, a) in group.shards.enumerated() {
                total += 1
                let server = [a.node, a.previous].lazy.compactMap { $0 }.first { n in
                    copies.contains(NodeShard(node: n, shard: s)) && self.queryNodes[n] != nil
                }
                if let n = server, let session = queryNodes[n] {
                    if n == a.node { ready += 1 }
                    shards.append(ShardRoute(shard: s, nodeID: n, address: session.address))
                } else {
                    healthy = false
                }
            }
            replicas.append(ReplicaRoute(replicaID: group.replicaID, nodes: group.nodes, shards: shards, healthy: healthy))
        }
        let progress = placement.loaded ? 100 : (total == 0 ? 0 : min(99, ready * 100 / total))
        return CollectionRoutes(
            collectionID: id, state: placement.loaded ? .loaded : .loading, progress: progress, replicas: replicas)
    }

    /// Whether every shard of every replica is served by its assigned node.
    func fullyServing(_ placement: CollectionPlacement) -> Bool {
        let copies = serving[placement.id] ?? []
        return placement.groups.allSatisfy { group in
            group.shards.enumerated().allSatisfy { s, a in
                guard let n = a.node else { return false }
                return copies.contains(NodeShard(node: n, shard: s)) && queryNodes[n] != nil
            }
        }
    }

    // MARK: Placement helpers

    /// The cluster as placement sees it for collection `id`.
    func context(for id: CollectionID, shardsNum: Int? = nil) -> PlacementContext {
        var base: [NodeID: NodeLoad] = [:]
        for (other, placement) in placements where other != id {
            for group in placement.groups {
                for (s, a) in group.shards.enumerated() {
                    guard let n = a.node else { continue }
                    let rows = shardRows[ShardRef(collection: other.rawValue, shard: s)] ?? 0
                    base[n, default: NodeLoad()] = base[n, default: NodeLoad()] + NodeLoad(rows: rows, shards: 1)
                }
            }
        }
        let count = shardsNum ?? placements[id]?.shardsNum ?? 0
        return PlacementContext(
            liveNodes: queryNodes.keys.sorted(), draining: Set(draining.keys), baseLoad: base,
            shardRows: (0..<count).map { shardRows[ShardRef(collection: id.rawValue, shard: $0)] ?? 0 },
            serving: serving[id] ?? [])
    }

    func context(for placement: CollectionPlacement) -> PlacementContext {
        context(for: placement.id, shardsNum: placement.shardsNum)
    }

    func context(for info: CollectionInfo) -> PlacementContext { context(for: info.id, shardsNum: info.shardsNum) }

    /// Writes a placement record (blocks for an fsync on this actor's thread).
    func persist(_ placement: CollectionPlacement) throws {
        try store.put(CollectionPlacement.key(placement.id), placement.encoded())
    }

    /// Applies a background change (an acknowledgement, a re-placement): adopted in memory even if the write
    /// fails — the stored record is then older but still valid, and the next change rewrites it.
    func adopt(_ placement: CollectionPlacement) {
        placements[placement.id] = placement
        do { try persist(placement) } catch {
            logger.error("cannot persist placement", ["collection": placement.id.rawValue, "error": "\(error)"])
        }
    }

    /// `r1:[n1:0,2 n2:1] r2:[…]` — node ids and their shards, for logs.
    func describe(_ placement: CollectionPlacement) -> String {
        placement.groups.map { g in
            let perNode = g.nodes.map { n in
                "\(n.rawValue):" + g.shards.indices.filter { g.shards[$0].node == n }.map(String.init).joined(separator: ",")
            }
            return "r\(g.replicaID):[" + perNode.joined(separator: " ") + "]"
        }.joined(separator: " ")
    }
}

extension QueryCoord {
    /// Placement of `id` for tests and status pages.
    func placement(_ id: CollectionID) -> CollectionPlacement? { placements[id] }
}
