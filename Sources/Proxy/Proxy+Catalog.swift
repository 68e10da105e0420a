import API
import Coordinator
import Node
import Shard
import Wire

/// Indexes, partitions and aliases: catalog calls to the root coordinator.
extension Proxy {
    // MARK: indexes

    public func createIndexes(db: String, collection name: String, indexes: [IndexRequest]) async throws {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: db, name: name, deadline: deadline, refresh: true)
            var names = Set(info.indexes.map { CollectionMapping.indexName(of: $0, in: info) })
            for i in indexes {
                guard !info.indexes.contains(where: { $0.fieldName == i.spec.fieldName }), names.insert(i.indexName).inserted else {
                    throw APIError(code: APIError.Code.indexDuplicate,
                                   message: "at most one distinct index is allowed per field[field=\(i.spec.fieldName)]")
                }
            }
            let ref = CollectionRef(database: db, name: info.name)
            for i in indexes {
                _ = try await rootCoord.call(CreateIndexSpec(ref, spec: i.spec), options: options(deadline))
                collections.invalidateAll()
                if let p = CollectionMapping.indexNameProperty(i) {
                    _ = try await rootCoord.call(AlterCollectionProperties(ref, set: [p]), options: options(deadline))
                }
            }
        }
    }

    public func describeIndexes(db: String, collection name: String, indexName: String?) async throws -> [IndexDescription] {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: db, name: name, deadline: deadline, refresh: true)
            let routes = try await call(.queryCoord, GetCollectionRoutes(collectionID: info.id), deadline: deadline)
            let all = try await indexDescriptions(info, loaded: routes.state == .loaded, deadline: deadline)
            guard let indexName else { return all }
            let one = all.filter { $0.indexName == indexName }
            guard !one.isEmpty else { throw APIError.indexNotFound(indexName) }
            return one
        }
    }

    /// Index descriptions. When the index coordinator knows flushed segments of the collection (data nodes
    /// flushed them to object storage with deferred builds), its build states give Milvus's `indexState`,
    /// `totalRows`, `indexedRows` and `pendingRows`. Otherwise (no index coordinator, or nothing flushed there:
    /// query nodes seal and index their replicas themselves) every row counts as indexed: the collection's
    /// `count(*)` when it is loaded, 0 otherwise.
    func indexDescriptions(_ info: CollectionInfo, loaded: Bool, deadline: ContinuousClock.Instant) async throws -> [IndexDescription] {
        guard !info.indexes.isEmpty else { return [] }
        if let builds = try? await call(.indexCoord, DescribeIndexBuilds(collectionID: info.id), deadline: deadline),
            !builds.segments.isEmpty {
            let failure = builds.segments.first { $0.state == .failed }?.lastError ?? ""
            return info.indexes.map {
                IndexDescription(indexName: CollectionMapping.indexName(of: $0, in: info), spec: $0, state: builds.indexState,
                                 totalRows: Int64(builds.totalRows), indexedRows: Int64(builds.indexedRows),
                                 pendingRows: Int64(builds.pendingRows), failReason: failure)
            }
        }
        let rows: Int64 = loaded ? ((try? await countRows(info, filter: "", parameters: [:], guarantee: .eventually, deadline: deadline)) ?? 0) : 0
        return info.indexes.map {
            IndexDescription(indexName: CollectionMapping.indexName(of: $0, in: info), spec: $0, totalRows: rows, indexedRows: rows)
        }
    }

    public func dropIndex(db: String, collection name: String, indexName: String) async throws {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: db, name: name, deadline: deadline, refresh: true)
            guard let spec = info.indexes.first(where: { CollectionMapping.indexName(of: $0, in: info) == indexName }) else {
                throw APIError.indexNotFound(indexName)
            }
            let routes = try await call(.queryCoord, GetCollectionRoutes(collectionID: info.id), deadline: deadline)
            guard routes.state == .notLoaded else {
                throw APIError.invalidParameter("index cannot be dropped on loaded collection \(info.name): release it first")
            }
            let ref = CollectionRef(database: db, name: info.name)
            _ = try await rootCoord.call(DropIndexSpec(ref, field: spec.fieldName), options: options(deadline))
            collections.invalidateAll()
            let key = CollectionMapping.indexNamePrefix + spec.fieldName
            if info.properties.contains(where: { $0.key == key }) {
                _ = try await rootCoord.call(AlterCollectionProperties(ref, set: [], remove: [key]), options: options(deadline))
            }
        }
    }

    // MARK: partitions

    private func catalogCall<R: WireRequest>(_ request: R, db: String, collection: String) async throws -> R.Response {
        do {
            let r = try await rootCoord.call(request, options: options(deadline()))
            return r
        } catch {
            throw Self.catalogError(error, db: db, collection: collection)
        }
    }

    public func createPartition(db: String, collection: String, partition: String) async throws {
        try await api {
            _ = try await catalogCall(CreatePartition(CollectionRef(database: db, name: collection), partition: partition), db: db, collection: collection)
            collections.invalidateAll()
        }
    }

    public func dropPartition(db: String, collection: String, partition: String) async throws {
        try await api {
            _ = try await catalogCall(DropPartition(CollectionRef(database: db, name: collection), partition: partition), db: db, collection: collection)
            collections.invalidateAll()
        }
    }

    public func listPartitions(db: String, collection: String) async throws -> [String] {
        try await api {
            try await catalogCall(ListPartitions(CollectionRef(database: db, name: collection)), db: db, collection: collection).partitions.map(\.name)
        }
    }

    /// Partitions load with their collection in this build: loading partitions loads the collection.
    public func loadPartitions(db: String, collection: String, partitions: [String]) async throws {
        try await api {
            let deadline = deadline()
            let info = try await self.collection(db: db, name: collection, deadline: deadline, refresh: true)
            for p in partitions where info.partition(named: p) == nil { throw APIError.partitionNotFound(p) }
            try await load(db: db, name: collection, replicaNumber: nil, deadline: .now + configuration.loadTimeout)
        }
    }

    /// Partitions load and release with their collection: releasing only some is refused (1100).
    public func releasePartitions(db: String, collection: String, partitions: [String]) async throws {
        try await api {
            let info = try await self.collection(db: db, name: collection, deadline: deadline(), refresh: true)
            for p in partitions where info.partition(named: p) == nil { throw APIError.partitionNotFound(p) }
            throw ProxyError.unsupported("releasing single partitions: partitions load and release with their collection; release the collection")
        }
    }

    // MARK: aliases

    public func createAlias(db: String, collection: String, alias: String) async throws {
        try await api {
            _ = try await catalogCall(CreateAlias(AliasRequest(database: db, alias: alias, collection: collection)), db: db, collection: collection)
            collections.invalidateAll()
        }
    }

    public func describeAlias(db: String, alias: String) async throws -> AliasDescription {
        try await api {
            let list = try await catalogCall(ListAliases(database: db), db: db, collection: "").aliases
            guard let b = list.first(where: { $0.alias == alias }) else { throw APIError.aliasNotFound(alias) }
            return AliasDescription(db: db, collection: b.collection, alias: alias)
        }
    }

    public func listAliases(db: String, collection: String?) async throws -> [String] {
        try await api {
            let list = try await catalogCall(ListAliases(database: db), db: db, collection: "").aliases
            guard let collection else { return list.map(\.alias) }
            let info = try await self.collection(db: db, name: collection, deadline: deadline(), refresh: true)
            return list.filter { $0.collection == info.name }.map(\.alias)
        }
    }

    public func dropAlias(db: String, alias: String) async throws {
        try await api {
            _ = try await catalogCall(DropAlias(AliasRequest(database: db, alias: alias)), db: db, collection: "")
            collections.invalidateAll()
        }
    }

    public func alterAlias(db: String, collection: String, alias: String) async throws {
        try await api {
            _ = try await catalogCall(AlterAlias(AliasRequest(database: db, alias: alias, collection: collection)), db: db, collection: collection)
            collections.invalidateAll()
        }
    }
}
