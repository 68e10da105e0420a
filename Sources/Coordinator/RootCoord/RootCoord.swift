import Foundation
import Shard
import Wire

/// The root coordinator role: owns the meta store, the catalog, the timestamp oracle, the ID allocator and
/// the node sessions, and serves them over the wire protocol (`router()`; messages in
/// `RootCoordMessages+*.swift`).
///
/// A thin shell: the rules live in value types (`Catalog`, `SessionTable`, `TimestampOracle`,
/// `IDAllocator`) and the durability in `MetaStore`; this actor only sequences them. It runs on its own
/// `DedicatedThreadExecutor` thread, so meta-store fsyncs block that thread, never the cooperative pool,
/// and its methods run one at a time without interleaving (none of them suspends).
///
/// Restart: open a new `RootCoord` on the same data directory. Everything acknowledged is back: the catalog
/// from the meta store, the TSO and ID allocator after their persisted marks. Sessions are not persisted:
/// nodes find their renewals refused (`unknownSession`) and register again, which is how a restarted
/// coordinator learns who is alive.
public actor RootCoord {
    /// Settings of the role.
    public struct Configuration: Sendable {
        /// Directory of the meta store (created if missing).
        public var dataDirectory: String
        /// Lease of a node session; a node that misses it is declared dead. Default 2 s.
        public var sessionTTL: Duration = .seconds(2)
        /// Milliseconds of timestamps reserved per persisted TSO mark. Default 3,000 (Milvus).
        public var tsoWindowMilliseconds: Int64 = 3_000
        /// Ids reserved per persisted ID mark. Default 10,000.
        public var idReservation: Int64 = 10_000
        /// Wall clock of the TSO.
        public var wallClock: any WallClock = SystemWallClock()
        public var metaStore = MetaStore.Options()
        /// Password of the `root` user created on first start (Milvus's default `Milvus`). Changing it later
        /// has no effect on an existing root user; use `UpdatePassword`.
        public var rootPassword = "Milvus"

        public init(dataDirectory: String) { self.dataDirectory = dataDirectory }
    }

    private let executor: DedicatedThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Internal (not private) for the users extension (`RootCoord+Users.swift`).
    let store: MetaStore
    private let tso: TimestampService
    private let ids: IDService
    private var catalog: Catalog
    private var sessions: SessionTable
    private let sessionTTL: Duration
    /// The session lease in milliseconds (what `RegisterSession` replies).
    nonisolated let sessionTTLMilliseconds: Int64
    private var leaseTicker: Task<Void, Never>?
    private var eventSubscribers: [UUID: AsyncStream<SessionEvent>.Continuation] = [:]

    /// Opens the meta store in `configuration.dataDirectory` (recovering it) and creates the `default`
    /// database on first start.
    ///
    /// - Throws: `MetaStoreError` (including a locked directory: another root coordinator has it open).
    public init(configuration: Configuration) throws {
        executor = DedicatedThreadExecutor(name: "rootcoord")
        store = try MetaStore(directory: configuration.dataDirectory, options: configuration.metaStore)
        tso = try TimestampService(store: store, clock: configuration.wallClock, window: configuration.tsoWindowMilliseconds)
        ids = try IDService(store: store, reservation: configuration.idReservation)
        var catalog = try Catalog(loading: store)
        if !catalog.listDatabases().contains(where: { $0.name == Catalog.defaultDatabase }) {
            try store.commit(catalog.bootstrap(id: try ids.allocate().lowerBound, timestamp: try tso.allocate().first))
        }
        try Self.bootstrapRootUser(in: store, password: configuration.rootPassword)
        self.catalog = catalog
        sessionTTL = configuration.sessionTTL
        let ttl = configuration.sessionTTL.components
        sessionTTLMilliseconds = ttl.seconds * 1000 + ttl.attoseconds / 1_000_000_000_000_000
        sessions = SessionTable(ttl: configuration.sessionTTL)
    }

    /// Starts expiring sessions in the background: the ticker wakes at the earliest lease end (and at least
    /// every quarter TTL), so a node is declared dead as soon as its lease passes, give or take scheduling.
    public func startLeaseTicker() {
        guard leaseTicker == nil else { return }
        leaseTicker = Task { [weak self] in
            var wake = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(until: wake, clock: .continuous)
                guard let self else { return }
                wake = await self.expireSessionsAndScheduleNext()
            }
        }
    }

    /// Runs `expireSessions` and returns when to run it next.
    private func expireSessionsAndScheduleNext() -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        expireSessions(now: now)
        let latest = now + sessionTTL / 4
        guard let next = sessions.nextExpiry else { return latest }
        return min(next, latest)
    }

    /// Stops the lease ticker, ends event streams and closes the meta store. Later calls fail with
    /// `MetaStoreError.closed` (wire: `shuttingDown`).
    public func close() {
        leaseTicker?.cancel()
        leaseTicker = nil
        for continuation in eventSubscribers.values { continuation.finish() }
        eventSubscribers.removeAll()
        store.close()
    }

    /// The meta store's revision (for tests and status pages).
    public var metaRevision: UInt64 { store.revision }

    // MARK: Catalog

    /// Applies a catalog change: the mutation runs on a copy, is persisted, and only then becomes current.
    private func change<T>(_ body: (inout Catalog) throws -> (MetaTransaction, T)) throws -> T {
        var next = catalog
        let (txn, result) = try body(&next)
        try store.commit(txn)
        catalog = next
        return result
    }

    /// Creates a database. Throws `CatalogError` (invalid name, exists, limit) or `MetaStoreError`.
    public func createDatabase(_ name: String) throws -> DatabaseInfo {
        let id = try ids.allocate().lowerBound
        let ts = try tso.allocate().first
        return try change { c in
            let txn = try c.createDatabase(name, id: id, timestamp: ts)
            return (txn, c.listDatabases().first { $0.name == name }!)
        }
    }

    /// Drops an empty database other than `default`.
    public func dropDatabase(_ name: String) throws { try change { c in (try c.dropDatabase(name), ()) } }
    /// Database names, sorted.
    public func listDatabases() -> [String] { catalog.listDatabases().map(\.name) }

    /// Creates a collection with its `_default` partition (ids from the ID allocator, created timestamp from
    /// the TSO) and returns what was stored. Throws `CatalogError` or `MetaStoreError`.
    public func createCollection(_ request: Catalog.CollectionRequest) throws -> CollectionInfo {
        let range = try ids.allocate(count: 2)
        let ts = try tso.allocate().first
        return try change { c in
            let info = try c.createCollection(
                request, id: CollectionID(range.lowerBound), partitionID: PartitionID(range.lowerBound + 1), timestamp: ts)
            return (c.transaction(storing: info, isNew: true), info)
        }
    }

    /// The collection named `ref.name` or the one the alias `ref.name` points at.
    public func describeCollection(_ ref: CollectionRef) throws -> CollectionInfo {
        try catalog.collection(named: ref.name, in: ref.database)
    }

    /// Collection names of a database, sorted.
    public func listCollections(database: String) throws -> [String] {
        try catalog.listCollections(in: database).map(\.name)
    }

    /// Drops a collection (by its name; it must have no aliases).
    public func dropCollection(_ ref: CollectionRef) throws {
        try change { c in (try c.dropCollection(ref.name, in: ref.database), ()) }
    }

    /// Renames a collection within its database.
    public func renameCollection(_ ref: CollectionRef, to newName: String) throws {
        try change { c in (try c.renameCollection(ref.name, to: newName, in: ref.database), ()) }
    }

    /// Adds a partition to a collection.
    public func createPartition(_ ref: CollectionRef, partition: String) throws -> PartitionInfo {
        let id = PartitionID(try ids.allocate().lowerBound)
        let ts = try tso.allocate().first
        return try change { c in
            let txn = try c.createPartition(partition, collection: ref.name, in: ref.database, id: id, timestamp: ts)
            return (txn, PartitionInfo(id: id, name: partition, createdTimestamp: ts))
        }
    }

    /// Removes a partition (not `_default`).
    public func dropPartition(_ ref: CollectionRef, partition: String) throws {
        try change { c in (try c.dropPartition(partition, collection: ref.name, in: ref.database), ()) }
    }

    /// Partitions of a collection (by name or alias), in creation order.
    public func listPartitions(_ ref: CollectionRef) throws -> [PartitionInfo] {
        try catalog.collection(named: ref.name, in: ref.database).partitions
    }

    /// Creates alias `r.alias` for collection `r.collection`.
    public func createAlias(_ r: AliasRequest) throws {
        try change { c in (try c.createAlias(r.alias, collection: r.collection, in: r.database), ()) }
    }

    /// Removes alias `r.alias`.
    public func dropAlias(_ r: AliasRequest) throws {
        try change { c in (try c.dropAlias(r.alias, in: r.database), ()) }
    }

    /// Moves alias `r.alias` to collection `r.collection`.
    public func alterAlias(_ r: AliasRequest) throws {
        try change { c in (try c.alterAlias(r.alias, collection: r.collection, in: r.database), ()) }
    }

    /// Aliases of a database with their collections, sorted by alias.
    public func listAliases(database: String) throws -> [(alias: String, collection: String)] {
        try catalog.listAliases(in: database)
    }

    /// Records an index spec on a vector field (at most one per field).
    public func createIndexSpec(_ ref: CollectionRef, spec: IndexSpec) throws {
        try change { c in (try c.createIndex(spec, collection: ref.name, in: ref.database), ()) }
    }

    /// Removes the index spec of `field`.
    public func dropIndexSpec(_ ref: CollectionRef, field: String) throws {
        try change { c in (try c.dropIndex(field: field, collection: ref.name, in: ref.database), ()) }
    }

    /// Sets and removes collection properties (by collection name or alias).
    public func alterCollectionProperties(_ ref: CollectionRef, set: [CollectionProperty], remove: [String]) throws {
        try change { c in (try c.alterProperties(collection: ref.name, in: ref.database, set: set, remove: remove), ()) }
    }

    // MARK: Allocation

    /// `count` timestamps (1…262,144), strictly increasing across calls and restarts.
    public func allocateTimestamps(count: Int) throws -> TimestampRange {
        guard (1...TimestampOracle.maxBatch).contains(count) else {
            throw CatalogError.invalidArgument("timestamp count must be 1…\(TimestampOracle.maxBatch), got \(count)")
        }
        return try tso.allocate(count: count)
    }

    /// `count` unique ids (1…2^24), never reused across restarts.
    public func allocateIDs(count: Int) throws -> Range<Int64> {
        guard (1...IDAllocator.maxBatch).contains(count) else {
            throw CatalogError.invalidArgument("id count must be 1…\(IDAllocator.maxBatch), got \(count)")
        }
        return try ids.allocate(count: count)
    }

    // MARK: Sessions

    /// Registers a node and returns its new session id (unique forever: taken from the ID allocator).
    public func registerSession(nodeID: NodeID, role: NodeRole, address: String, now: ContinuousClock.Instant = .now)
        throws -> SessionID
    {
        let id = SessionID(try ids.allocate().lowerBound)
        let events = try sessions.register(
            NodeSession(sessionID: id, nodeID: nodeID, role: role, address: address), now: now)
        publish(events)
        return id
    }

    /// Extends a session's lease; throws `SessionError.unknownSession` when the node must register again.
    public func renewSession(_ id: SessionID, now: ContinuousClock.Instant = .now) throws {
        try sessions.renew(id, now: now)
    }

    /// Ends a session cleanly (publishes a `left` event).
    public func deregisterSession(_ id: SessionID) { publish(sessions.deregister(id)) }

    /// Declares nodes whose lease passed dead and notifies subscribers; returns the events.
    @discardableResult
    public func expireSessions(now: ContinuousClock.Instant = .now) -> [SessionEvent] {
        let events = sessions.expire(now: now)
        publish(events)
        return events
    }

    /// Live sessions, optionally of one role, by node id.
    public func liveNodes(role: NodeRole? = nil) -> [NodeSession] { sessions.liveSessions(role: role) }

    /// Events after `sequence` and the newest sequence number (see `WatchSessionEvents`).
    public func sessionEvents(after sequence: UInt64) -> SessionEventBatch {
        SessionEventBatch(lastSequence: sessions.lastSequence, events: sessions.events(after: sequence))
    }

    /// A stream of membership events from now on, for coordinators in this process.
    public func subscribeSessionEvents() -> AsyncStream<SessionEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SessionEvent.self, bufferingPolicy: .bufferingNewest(4096))
        let key = UUID()
        eventSubscribers[key] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(key) }
        }
        return stream
    }

    private func unsubscribe(_ key: UUID) { eventSubscribers.removeValue(forKey: key) }

    private func publish(_ events: [SessionEvent]) {
        for event in events {
            for continuation in eventSubscribers.values { continuation.yield(event) }
        }
    }
}
