import Coordinator
import Foundation
import Node
import Runtime
import Shard
import Wire

/// The data coordinator role: decides which data node owns which shard channel of every collection, keeps
/// that durable, reassigns the channels of a dead data node, coordinates flushes and truncates the log
/// node's channels behind them (`router()`; messages in Sources/Coordinator/DataCoord/DataCoordMessages.swift).
///
/// - Collections: polls the root coordinator's catalog every `catalogInterval` (`ListDatabases`,
///   `ListCollections`, `DescribeCollection`); a new collection's channels are assigned, a dropped one's are
///   unwatched and its directory in the object store deleted.
/// - Membership: polls `WatchSessionEvents` every `pollInterval`, as the query coordinator does.
/// - Assignment: `ChannelAssignment` (pure rules); the owners are persisted before `WatchChannel` is sent. A
///   moved channel is unwatched on its old (live) owner before the new one watches it, so one data node at a
///   time writes a shard's directory. The time from a data node's death to its channels being watched again
///   is logged (`channels reassigned`, `ms`).
/// - Flush: `FlushCollection` sends `FlushShard` to each owner and answers the checkpoints. Every flushed
///   checkpoint seen — from a flush it coordinated or a data node's own policy flush (`DescribeDataNode`,
///   every `maintenanceInterval`) — is persisted, and the channel is truncated below the *previous* one, so
///   one flush of history stays for replicas reading slightly behind.
/// - Durable state: its own `MetaStore` in `<dataDirectory>/datacoord/` (`CollectionChannels` records).
///
/// The actor runs on its own thread (`DedicatedThreadExecutor`): meta-store writes block for an fsync.
public actor DataCoord {
    public struct Configuration: Sendable {
        /// The node's data directory; the meta store lives in `<dataDirectory>/datacoord/`.
        public var dataDirectory: String
        /// The shared object store (dropped collections' directories are deleted there).
        public var objectStore: String
        public var rootCoord: WireAddress
        /// How often membership events are polled. Default 100 ms.
        public var pollInterval: Duration = .milliseconds(100)
        /// How often the catalog is read. Default 1 s.
        public var catalogInterval: Duration = .seconds(1)
        /// How often data nodes are asked for their channels (flushed checkpoints, strays) and failed watches
        /// retried. Default 1 s.
        public var maintenanceInterval: Duration = .seconds(1)
        /// Deadline of calls to the root coordinator, log node and of `WatchChannel`. Default 5 s.
        public var callTimeout: Duration = .seconds(5)
        /// Deadline of one `FlushShard` (catch-up and flush). Default 10 min.
        public var flushTimeout: Duration = .seconds(600)
        /// How long `FlushCollection` waits for a shard without a serving data node. Default 10 s.
        public var ownerWait: Duration = .seconds(10)
        public var metaStore = MetaStore.Options()

        public init(dataDirectory: String, objectStore: String, rootCoord: WireAddress) {
            self.dataDirectory = dataDirectory
            self.objectStore = objectStore
            self.rootCoord = rootCoord
        }

        public func validate() throws(DataCoordError) {
            guard !dataDirectory.isEmpty, !objectStore.isEmpty else {
                throw .invalidConfiguration("the data directory and the object store must be set")
            }
            for (name, value) in [("pollInterval", pollInterval), ("catalogInterval", catalogInterval),
                                  ("maintenanceInterval", maintenanceInterval), ("callTimeout", callTimeout),
                                  ("flushTimeout", flushTimeout), ("ownerWait", ownerWait)] where value <= .zero {
                throw .invalidConfiguration("\(name) must be positive, got \(value)")
            }
        }
    }

    private let executor: DedicatedThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    let configuration: Configuration
    let transport: any WireTransport
    let logger: Logger
    let store: MetaStore
    let rootClient: any WireClient

    /// Durable: owners and flushed checkpoints per collection.
    var records: [CollectionID: CollectionChannels]
    /// From the catalog (not durable); nothing is dispatched for a collection before it is known.
    var collections: [CollectionID: CollectionInfo] = [:]
    var catalogKnown = false
    var dataNodes: [NodeID: NodeSession] = [:]
    var logNodes: [NodeID: NodeSession] = [:]
    var membership = SessionEventFollower(restartGrace: .seconds(3))
    var membershipKnown: Bool { membership.isKnown }
    /// Watches acknowledged by the owner's current session.
    var watched: [ChannelKey: SessionID] = [:]
    var inFlight: [ChannelKey: Task<Void, Never>] = [:]
    /// Channels moving off a live owner, which must unwatch them before the new owner watches.
    var handoffs: [ChannelKey: NodeSession] = [:]
    /// Data node deaths whose channels are not all watched again yet (for the reassignment time).
    var pendingReassignments: [NodeID: (since: ContinuousClock.Instant, channels: Set<ChannelKey>)] = [:]
    /// Reassignment durations, for tests.
    var reassignments: [Duration] = []
    private var loops: [Task<Void, Never>] = []

    /// Opens (recovering) the meta store in `<dataDirectory>/datacoord/`. Call `start()` to begin.
    /// - Throws: `DataCoordError`, `MetaStoreError` (e.g. the directory is locked by another data coordinator).
    public init(configuration: Configuration, transport: any WireTransport, logger: Logger = Logger(role: "datacoord")) throws {
        try configuration.validate()
        executor = DedicatedThreadExecutor(name: "datacoord")
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        let directory = (configuration.dataDirectory as NSString).appendingPathComponent("datacoord")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try MetaStore(directory: directory, options: configuration.metaStore)
        var records: [CollectionID: CollectionChannels] = [:]
        for (key, entry) in store.list(prefix: CollectionChannels.keyPrefix) {
            do {
                let record = try CollectionChannels(decoding: entry.value, key: key)
                records[record.id] = record
            } catch {
                store.close()
                throw error
            }
        }
        self.records = records
        rootClient = transport.client(for: configuration.rootCoord)
        logger.info("opened", ["dir": directory, "collections": records.count])
    }

    /// Starts following membership, the catalog and the data nodes.
    public func start() {
        guard loops.isEmpty else { return }
        loops.append(PeriodicLoop.start(on: self, every: configuration.pollInterval) { await $0.pollMembership() })
        loops.append(PeriodicLoop.start(on: self, every: configuration.catalogInterval) { await $0.pollCatalog() })
        loops.append(PeriodicLoop.start(on: self, every: configuration.maintenanceInterval, pauseFirst: true) { await $0.maintain() })
    }

    /// Stops the loops and watches in flight and closes the meta store.
    public func close() {
        for task in loops { task.cancel() }
        loops.removeAll()
        for task in inFlight.values { task.cancel() }
        inFlight.removeAll()
        store.close()
    }

    /// Every channel's owner, watch state and flushed checkpoint.
    public func assignments() -> ChannelAssignments {
        var entries: [ChannelAssignments.Entry] = []
        for id in records.keys.sorted() {
            for (shard, s) in records[id]!.shards.enumerated() {
                let key = ChannelKey(collection: id, shard: shard)
                let isWatched = s.owner.flatMap { dataNodes[$0] }.map { watched[key] == $0.sessionID } ?? false
                entries.append(.init(collectionID: id, shard: shard, node: s.owner, watched: isWatched, flushedCheckpoint: s.flushed))
            }
        }
        return ChannelAssignments(entries: entries)
    }

    /// How long each data node loss took to be reassigned (death event → every channel watched again).
    func reassignmentDurations() -> [Duration] { reassignments }

    /// Writes `record` to the meta store (before acting on it).
    func persist(_ record: CollectionChannels) throws {
        _ = try store.put(CollectionChannels.key(record.id), record.encode())
        records[record.id] = record
    }
}
