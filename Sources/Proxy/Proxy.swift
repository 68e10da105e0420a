import API
import Coordinator
import Node
import Runtime
import Shard
import Synchronization
import Wire

/// The proxy role: serves the HTTP API (`APIBackend`) from a cluster. DDL goes to the root coordinator,
/// load/release to the query coordinator, writes to the log node's shard channels, reads scatter to one
/// replica per shard on the query nodes and are merged here. docs/cluster.md, "Proxy", has the design.
///
/// Stateless apart from caches: collection infos by name (`CollectionCache`), routes per collection
/// (`RouteTable`), reserved auto-ids (`IDReservoir`), verified credentials, and the timestamp of the last
/// write it made (what `Session` reads wait for).
public final class Proxy: APIBackend, Sendable {
    let configuration: ProxyConfiguration
    let transport: any WireTransport
    let rootCoord: any WireClient
    let embedding: (any ProxyEmbedding)?
    let collections = CollectionCache()
    let routeTable = RouteTable()
    let directory: RoleDirectory
    let ids: IDReservoir
    let credentials = CredentialCache()
    /// Nodes seen in live sessions, for `cluster/describe` (see Proxy+Console.swift).
    let sightings = NodeSightings()
    /// The newest timestamp a write of this proxy was stored with.
    let lastWriteTimestamp = Atomic<UInt64>(0)
    let startedAt = ContinuousClock.now
    /// Peers that did not answer a `/metrics` scrape in time, by role (see Proxy+Metrics.swift).
    let metricsScrapeErrors = Mutex<[String: UInt64]>([:])
    /// The seed's default collection as last looked up, and until when it is trusted.
    let defaultCollection = Mutex<(name: String?, until: ContinuousClock.Instant)?>(nil)
    /// Threads for row validation, payload encoding and reply decoding (never the cooperative pool).
    let cpu: CPUExecutor
    private let ownsCPU: Bool

    /// A proxy reaching the cluster through `transport`. `cpu` runs its CPU work (row validation, payload
    /// encoding, reply decoding); nil creates a one-thread executor, stopped by ``close()``. `embedding`
    /// turns texts into vectors for collections with a `TextEmbedding` function; without it such requests
    /// fail with 1100.
    public init(configuration: ProxyConfiguration, transport: any WireTransport, cpu: CPUExecutor? = nil,
                embedding: (any ProxyEmbedding)? = nil) throws {
        if let cpu {
            self.cpu = cpu
            ownsCPU = false
        } else {
            self.cpu = try CPUExecutor(name: "proxy-cpu", threads: 1)
            ownsCPU = true
        }
        self.configuration = configuration
        self.transport = transport
        self.embedding = embedding
        rootCoord = transport.client(for: configuration.rootCoord)
        var fixed: [Coordinator.NodeRole: WireAddress] = [:]
        if let q = configuration.queryCoord { fixed[.queryCoord] = q }
        if let l = configuration.logNode { fixed[.logNode] = l }
        directory = RoleDirectory(rootCoord: rootCoord, fixed: fixed)
        ids = IDReservoir(rootCoord: rootCoord, reservation: configuration.idReservation)
    }

    /// Stops the CPU executor this proxy created (not one passed in). Call once, after the last request.
    public func close() {
        if ownsCPU { cpu.shutdown() }
    }

    // MARK: plumbing

    /// Runs one API operation: errors become `APIError`s (see `APIError.from`) unless the routes map them.
    func api<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw APIError.mapped(error) }
    }

    /// The deadline of an operation starting now.
    func deadline() -> ContinuousClock.Instant { .now + configuration.requestTimeout }

    /// Call options with the time left until `deadline` (at least 1 ms, so an expired deadline fails fast).
    func options(_ deadline: ContinuousClock.Instant) -> CallOptions {
        CallOptions(timeout: max(.milliseconds(1), deadline - .now))
    }

    /// Calls the role `role` (query coordinator or log node), forgetting its address when the call fails
    /// at the transport level so the next call rediscovers it.
    func call<R: WireRequest>(_ role: Coordinator.NodeRole, _ request: R, deadline: ContinuousClock.Instant) async throws -> R.Response {
        let address = try await directory.address(of: role, options: options(deadline))
        do {
            return try await transport.client(for: address).call(request, options: options(deadline))
        } catch {
            if error.retriable || error.code == .unavailable || error.code == .connectionClosed { directory.forget(role) }
            throw error
        }
    }

    /// The collection `name` (or alias) of `db`: cached, else described by the root coordinator.
    func collection(db: String, name: String, deadline: ContinuousClock.Instant, refresh: Bool = false) async throws -> CollectionInfo {
        if !refresh, let info = collections.get(db: db, name: name) { return info }
        do {
            let info = try await rootCoord.call(DescribeCollection(CollectionRef(database: db, name: name)), options: options(deadline))
            collections.put(info, db: db, name: name)
            return info
        } catch {
            throw Self.catalogError(error, db: db, collection: name)
        }
    }

    /// Milvus's wording for the catalog's not-found errors.
    static func catalogError(_ error: any Error, db: String, collection: String) -> any Error {
        guard let e = error as? WireError else { return error }
        return switch e.code {
        case .collectionNotFound: APIError.collectionNotFound(collection)
        case .databaseNotFound: APIError(code: APIError.Code.databaseNotFound, message: "database not found[database=\(db)]")
        default: e
        }
    }

    /// The routes of a loaded collection (cached unless `refresh`); 101 when it is not loaded.
    func routes(_ info: CollectionInfo, deadline: ContinuousClock.Instant, refresh: Bool = false) async throws -> RouteTable.Entry {
        if !refresh, let e = routeTable.entry(info.id) { return e }
        let routes = try await call(.queryCoord, GetCollectionRoutes(collectionID: info.id), deadline: deadline)
        guard routes.state == .loaded else {
            routeTable.invalidate(info.id)
            // The collection may have been dropped (and recreated) through another proxy: describe it again
            // next time.
            collections.invalidate(id: info.id)
            throw APIError.collectionNotLoaded(info.name)
        }
        return routeTable.store(routes, shardsNum: info.shardsNum)
    }

    /// Runs `call` on one replica of every shard in `shards`, in parallel; results in `shards` order.
    func scatter<R: Sendable>(
        _ info: CollectionInfo, shards: [Int], deadline: ContinuousClock.Instant,
        _ call: @escaping @Sendable (any WireClient, ShardRef, CallOptions) async throws(WireError) -> R
    ) async throws -> [R] {
        let entry = try await routes(info, deadline: deadline)
        if shards.count == 1 {
            return [try await callShard(info, entry: entry, shard: shards[0], deadline: deadline, call)]
        }
        return try await withThrowingTaskGroup(of: (Int, R).self) { group in
            for (i, s) in shards.enumerated() {
                group.addTask { (i, try await self.callShard(info, entry: entry, shard: s, deadline: deadline, call)) }
            }
            var out = [R?](repeating: nil, count: shards.count)
            for try await (i, r) in group { out[i] = r }
            return out.map { $0! }
        }
    }

    /// One shard's call with failover: a replica by power of two choices, then the others; after every
    /// known replica failed, the routes are refreshed once and the new replicas tried, all within
    /// `deadline`. An attempt with another replica still untried may take half the time left, so a replica
    /// that never answers leaves time to ask the next one.
    func callShard<R: Sendable>(
        _ info: CollectionInfo, entry: RouteTable.Entry, shard: Int, deadline: ContinuousClock.Instant,
        _ call: @Sendable (any WireClient, ShardRef, CallOptions) async throws(WireError) -> R
    ) async throws -> R {
        let ref = ShardRef(collection: info.id.rawValue, shard: shard)
        var entry = entry
        var tried = Set<NodeID>()
        var refreshed = false
        var lastError: WireError?
        while ContinuousClock.now < deadline {
            guard let c = routeTable.choose(entry.shards[shard], excluding: tried) else {
                guard !refreshed else { break }
                refreshed = true
                entry = try await routes(info, deadline: deadline, refresh: true)
                tried.removeAll()
                continue
            }
            tried.insert(c.nodeID)
            // A replica that hangs (a node stalled loading, a half-dead process) must not eat the whole request
            // deadline: while another untried replica exists, an attempt gets half the time left.
            let untried = entry.shards[shard].contains { !tried.contains($0.nodeID) }
            let attempt = untried ? CallOptions(timeout: max(.milliseconds(1), (deadline - .now) / 2)) : options(deadline)
            c.load.inFlight.add(1, ordering: .relaxed)
            defer { c.load.inFlight.subtract(1, ordering: .relaxed) }
            do {
                return try await call(transport.client(for: c.address), ref, attempt)
            } catch {
                lastError = error
            }
        }
        routeTable.invalidate(info.id)
        collections.invalidate(id: info.id)
        if let e = lastError, !(e.retriable || e.code == .unavailable || e.code == .connectionClosed || e.code == .deadlineExceeded) {
            throw e
        }
        throw ProxyError.shardUnavailable(collection: info.name, shard: shard,
                                          reason: lastError.map { "\($0)" } ?? "no replica is serving it")
    }

    /// The read guarantee for a request's consistency level (else the collection's).
    func guarantee(_ level: APIConsistencyLevel?, _ info: CollectionInfo) -> ReadGuarantee {
        switch level ?? CollectionMapping.apiLevel(info.consistencyLevel) {
        case .strong: .strong
        case .session: .session(timestamp: lastWriteTimestamp.load(ordering: .acquiring))
        case .bounded: .bounded(milliseconds: configuration.boundedStalenessMilliseconds)
        case .eventually: .eventually
        }
    }

    /// Rejects partition names other than `_default`: rows carry no partition in this build (docs/cluster.md,
    /// "Proxy"), so only the default partition, which holds every row, can be read or written.
    func checkPartitions(_ names: [String], _ info: CollectionInfo) throws {
        for p in names where p != Catalog.defaultPartition {
            guard info.partition(named: p) != nil else { throw APIError.partitionNotFound(p) }
            throw ProxyError.unsupported("partition '\(p)': rows are not kept per partition yet; use the default partition")
        }
    }
}
