import API
import Coordinator
import Node
import Shard
import Wire

/// Collection DDL, load and release.
extension Proxy {
    public func createCollection(_ r: CreateCollectionRequest) async throws {
        try await api {
            let deadline = deadline()
            for f in r.functions where f.type != "TextEmbedding" {
                throw APIError.invalidParameter("function \(f.name): \(f.type) functions are not supported; only TextEmbedding is")
            }
            var properties = r.properties.map { CollectionProperty(key: $0.key, value: $0.value) }
            guard !properties.contains(where: { $0.key.hasPrefix(CollectionMapping.reservedPrefix) }) else {
                throw APIError.invalidParameter("property keys starting with '\(CollectionMapping.reservedPrefix)' are reserved")
            }
            if !r.functions.isEmpty {
                properties.append(CollectionProperty(key: CollectionMapping.functionsKey, value: CollectionMapping.encodeFunctions(r.functions)))
            }
            properties += r.indexes.compactMap(CollectionMapping.indexNameProperty)
            let request = Catalog.CollectionRequest(
                database: r.db, name: r.name, schema: r.schema, shardsNum: r.shardsNum,
                consistencyLevel: CollectionMapping.catalogLevel(r.consistencyLevel), properties: properties)
            do {
                _ = try await rootCoord.call(CreateCollection(request), options: options(deadline))
            } catch {
                throw Self.catalogError(error, db: r.db, collection: r.name)
            }
            collections.invalidateAll()
            defaultCollection.withLock { $0 = nil }
            let ref = CollectionRef(database: r.db, name: r.name)
            for index in r.indexes {
                _ = try await rootCoord.call(CreateIndexSpec(ref, spec: index.spec), options: options(deadline))
            }
            if r.loadOnCreate {
                try await load(db: r.db, name: r.name, replicaNumber: r.replicaNumber, deadline: .now + configuration.loadTimeout)
            }
        }
    }

    public func describeCollection(db: String, name: String) async throws -> CollectionDescription {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: db, name: name, deadline: deadline, refresh: true)
            let routes = try await call(.queryCoord, GetCollectionRoutes(collectionID: info.id), deadline: deadline)
            let indexes = try await indexDescriptions(info, loaded: routes.state == .loaded, deadline: deadline)
            return CollectionMapping.describe(info, loadState: CollectionMapping.apiLoadState(routes.state), indexes: indexes)
        }
    }

    public func listCollections(db: String) async throws -> [String] {
        try await api {
            do {
                return try await rootCoord.call(ListCollections(database: db), options: options(deadline())).names
            } catch {
                throw Self.catalogError(error, db: db, collection: "")
            }
        }
    }

    public func hasCollection(db: String, name: String) async throws -> Bool {
        try await api {
            do {
                _ = try await collection(db: db, name: name, deadline: deadline(), refresh: true)
                return true
            } catch let e as APIError where e.code == APIError.Code.collectionNotFound {
                return false
            }
        }
    }

    /// Releases the collection, drops it from the catalog, then drops its channels on the log node.
    public func dropCollection(db: String, name: String) async throws {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: db, name: name, deadline: deadline, refresh: true)
            guard info.name == name else { throw APIError.collectionNotFound(name) }  // an alias: Milvus drops by name only
            guard info.aliases.isEmpty else {
                throw APIError.invalidParameter("collection \(name) has aliases \(info.aliases.joined(separator: ", ")); drop or alter them first")
            }
            _ = try await call(.queryCoord, ReleaseCollection(collectionID: info.id), deadline: deadline)
            routeTable.invalidate(info.id)
            do {
                _ = try await rootCoord.call(DropCollection(CollectionRef(database: db, name: name)), options: options(deadline))
            } catch {
                throw Self.catalogError(error, db: db, collection: name)
            }
            collections.invalidateAll()
            defaultCollection.withLock { $0 = nil }
            for shard in 0..<info.shardsNum {
                _ = try await call(.logNode, DropChannel(channel: ChannelName(collection: info.id.rawValue, shard: shard)), deadline: deadline)
            }
        }
    }

    public func renameCollection(db: String, name: String, newName: String, newDB: String?) async throws {
        try await api {
            if let newDB, newDB != db {
                throw ProxyError.unsupported("moving a collection to another database (\(db) → \(newDB))")
            }
            do {
                _ = try await rootCoord.call(RenameCollection(CollectionRef(database: db, name: name), to: newName), options: options(deadline()))
            } catch {
                throw Self.catalogError(error, db: db, collection: name)
            }
            collections.invalidateAll()
            defaultCollection.withLock { $0 = nil }
        }
    }

    public func loadCollection(db: String, name: String, replicaNumber: Int?) async throws {
        try await api { try await load(db: db, name: name, replicaNumber: replicaNumber, deadline: .now + configuration.loadTimeout) }
    }

    /// Loads after checking that every vector field has an index (Milvus answers 700 otherwise).
    func load(db: String, name: String, replicaNumber: Int?, deadline: ContinuousClock.Instant) async throws {
        let info = try await collection(db: db, name: name, deadline: deadline, refresh: true)
        for f in info.schema.vectorFields where !info.indexes.contains(where: { $0.fieldName == f.name }) {
            throw APIError(code: APIError.Code.indexNotFound,
                           message: "index not found[collection=\(info.name)]: create an index on vector field \(f.name) before loading")
        }
        let replicas = replicaNumber ?? configuration.defaultReplicaNumber
        guard (1...64).contains(replicas) else { throw APIError.invalidParameter("replicaNumber \(replicas) is out of range 1…64") }
        routeTable.invalidate(info.id)
        _ = try await call(.queryCoord, LoadCollection(collection: CollectionRef(database: db, name: info.name), replicaNumber: replicas),
                           deadline: deadline)
    }

    public func releaseCollection(db: String, name: String) async throws {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: db, name: name, deadline: deadline, refresh: true)
            _ = try await call(.queryCoord, ReleaseCollection(collectionID: info.id), deadline: deadline)
            routeTable.invalidate(info.id)
        }
    }

    /// The collection's state; partitions load with their collection, so a partition's state is its
    /// collection's.
    public func loadState(db: String, name: String, partitions: [String]) async throws -> LoadStateInfo {
        try await api {
            let deadline = deadline()
            let info: CollectionInfo
            do {
                info = try await collection(db: db, name: name, deadline: deadline, refresh: true)
            } catch let e as APIError where e.code == APIError.Code.collectionNotFound {
                return LoadStateInfo(state: .notExist, progress: 0)
            }
            for p in partitions where info.partition(named: p) == nil { throw APIError.partitionNotFound(p) }
            let routes = try await call(.queryCoord, GetCollectionRoutes(collectionID: info.id), deadline: deadline)
            return LoadStateInfo(state: CollectionMapping.apiLoadState(routes.state), progress: routes.progress)
        }
    }

    /// Row count via `CountShard` (Strong) when loaded. Row counts come from the query nodes in this build
    /// (no data coordinator keeps segment statistics), so an unloaded collection answers 101.
    public func collectionStats(db: String, name: String) async throws -> CollectionStats {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: db, name: name, deadline: deadline)
            return CollectionStats(rowCount: try await countRows(info, filter: "", parameters: [:], guarantee: .strong, deadline: deadline))
        }
    }

    /// Seals every replica of every shard (`SealShard`), so everything inserted so far is in indexed
    /// segments, and — when a data coordinator is live — flushes every shard to the object store through it
    /// (`FlushCollection`), so replicas loaded later start from that state.
    public func flush(db: String, name: String) async throws {
        try await api {
            // Sealing waits for replicas to apply a bulk insert and builds indexes: minutes, not a request's 30 s.
            let deadline = ContinuousClock.now + configuration.loadTimeout
            let info = try await collection(db: db, name: name, deadline: deadline)
            try await callEveryReplica(info, deadline: deadline) { SealShard(ref: $0) }
            do {
                _ = try await call(.dataCoord, FlushCollection(collectionID: info.id), deadline: deadline)
            } catch ProxyError.roleUnavailable {
                // No data coordinator in this cluster: the replicas' seal is the whole flush.
            }
        }
    }

    /// Sends `make(ref)` to every replica of every shard of `info` in parallel and waits for all (flush,
    /// compact: maintenance that must reach each copy, not one replica per shard).
    func callEveryReplica<R: WireRequest>(_ info: CollectionInfo, deadline: ContinuousClock.Instant,
                                          _ make: @escaping @Sendable (ShardRef) -> R) async throws {
        let entry = try await routes(info, deadline: deadline, refresh: true)
        let targets = entry.shards.enumerated().flatMap { s, cands in cands.map { (s, $0.address) } }
        let collection = info.id.rawValue
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (shard, address) in targets {
                let request = make(ShardRef(collection: collection, shard: shard))
                group.addTask {
                    _ = try await self.transport.client(for: address).call(request, options: self.options(deadline))
                }
            }
            try await group.waitForAll()
        }
    }

    public func replicas(db: String, name: String) async throws -> [ReplicaInfo] {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: db, name: name, deadline: deadline)
            let entry = try await routes(info, deadline: deadline, refresh: true)
            return entry.routes.replicas.map { r in
                ReplicaInfo(replicaID: Int64(r.replicaID), nodeIDs: r.nodes.map(\.rawValue), healthy: r.healthy,
                            shards: r.shards.map { ShardReplicaInfo(shard: $0.shard, leader: $0.nodeID.rawValue, nodeIDs: [$0.nodeID.rawValue]) })
            }
        }
    }
}
