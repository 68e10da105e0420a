import API
import Coordinator
import Node
import Proxy
import Shard
import TestSupport
import Testing
import Wire

/// The proxy over an in-process cluster (real root coordinator; test log node, query nodes and query
/// coordinator): DDL, writes, deletes, errors, users, health, failover.
@Suite(.serialized) struct ProxyTests {
    @Test func ddlRoundTrip() async throws {
        let cluster = try await TestCluster()
        let p = cluster.proxy
        try await p.createCollection(CreateCollectionRequest(
            db: "default", name: "docs", schema: ProxyFixtures.schema(),
            indexes: [IndexRequest(indexName: "vec_idx", spec: IndexSpec(fieldName: "vec", kind: .hnsw(m: 8, efConstruction: 40), metric: .cosine))],
            shardsNum: 3, consistencyLevel: .session, loadOnCreate: true, properties: ["ttlSeconds": "60"]))
        let d = try await p.describeCollection(db: "default", name: "docs")
        #expect(d.name == "docs" && d.shardsNum == 3 && d.consistencyLevel == .session && d.loadState == .loaded)
        #expect(d.properties == ["ttlSeconds": "60"])
        #expect(d.indexes.map(\.indexName) == ["vec_idx"])
        #expect(try await p.listCollections(db: "default") == ["docs"])
        #expect(try await p.hasCollection(db: "default", name: "docs"))
        #expect(try await !p.hasCollection(db: "default", name: "nope"))
        #expect(try await p.loadState(db: "default", name: "docs", partitions: []).state == .loaded)
        #expect(try await p.loadState(db: "default", name: "nope", partitions: []).state == .notExist)
        #expect(try await p.replicas(db: "default", name: "docs").count == 1)
        // Indexes by name; dropping needs a release.
        #expect(try await p.describeIndexes(db: "default", collection: "docs", indexName: "vec_idx").count == 1)
        await #expect(throws: APIError.indexNotFound("other")) { try await p.describeIndexes(db: "default", collection: "docs", indexName: "other") }
        await #expect { try await p.dropIndex(db: "default", collection: "docs", indexName: "vec_idx") } throws: { ($0 as? APIError)?.code == 1100 }
        // Aliases.
        try await p.createAlias(db: "default", collection: "docs", alias: "a1")
        #expect(try await p.describeAlias(db: "default", alias: "a1") == AliasDescription(db: "default", collection: "docs", alias: "a1"))
        #expect(try await p.listAliases(db: "default", collection: "docs") == ["a1"])
        #expect(try await p.describeCollection(db: "default", name: "a1").name == "docs")
        await #expect { try await p.dropCollection(db: "default", name: "docs") } throws: { ($0 as? APIError)?.code == 1100 }
        try await p.dropAlias(db: "default", alias: "a1")
        await #expect { try await p.describeAlias(db: "default", alias: "a1") } throws: { ($0 as? APIError)?.code == 1600 }
        // Partitions: catalog only; reads of another partition are refused clearly.
        try await p.createPartition(db: "default", collection: "docs", partition: "p1")
        #expect(try await p.listPartitions(db: "default", collection: "docs") == ["_default", "p1"])
        await #expect { try await p.query(QueryRequest(db: "default", collection: "docs", filter: "", outputFields: ["id"], partitionNames: ["p1"], limit: 5, offset: 0)) }
            throws: { ($0 as? APIError)?.code == 1100 }
        await #expect { try await p.query(QueryRequest(db: "default", collection: "docs", filter: "", outputFields: ["id"], partitionNames: ["p9"], limit: 5, offset: 0)) }
            throws: { ($0 as? APIError)?.code == 202 }
        try await p.dropPartition(db: "default", collection: "docs", partition: "p1")
        // Rename, release, drop (channels dropped on the log node too).
        try await p.renameCollection(db: "default", name: "docs", newName: "docs2", newDB: nil)
        _ = try await ProxyFixtures.insert(p, "docs2", ProxyFixtures.rows(0..<10))
        #expect(!cluster.logNode.channelNames.isEmpty)
        try await p.releaseCollection(db: "default", name: "docs2")
        #expect(try await p.loadState(db: "default", name: "docs2", partitions: []).state == .notLoad)
        await #expect(throws: APIError.collectionNotLoaded("docs2")) {
            try await p.count(QueryRequest(db: "default", collection: "docs2", filter: "", outputFields: [], limit: 1, offset: 0))
        }
        try await p.dropIndex(db: "default", collection: "docs2", indexName: "vec_idx")
        #expect(try await p.describeIndexes(db: "default", collection: "docs2", indexName: nil).isEmpty)
        await #expect { try await p.loadCollection(db: "default", name: "docs2", replicaNumber: nil) } throws: { ($0 as? APIError)?.code == 700 }
        try await p.dropCollection(db: "default", name: "docs2")
        #expect(cluster.logNode.channelNames.isEmpty)
        await #expect(throws: APIError.collectionNotFound("docs2")) { try await p.describeCollection(db: "default", name: "docs2") }
        await #expect { try await p.listCollections(db: "nodb") } throws: { ($0 as? APIError)?.code == 800 }
        await cluster.shutdown()
    }

    @Test func writesDeletesAndConsistency() async throws {
        let cluster = try await TestCluster()
        let p = cluster.proxy
        try await ProxyFixtures.create(p, name: "w", shards: 4, autoID: true, consistency: .session)
        // Auto-ids: fresh, distinct, returned in row order.
        var rows = ProxyFixtures.rows(0..<50)
        for i in rows.indices { rows[i]["id"] = nil }
        let r1 = try await ProxyFixtures.insert(p, "w", rows)
        let r2 = try await ProxyFixtures.insert(p, "w", rows)
        #expect(r1.count == 50 && Set(r1.ids + r2.ids).count == 100)
        // One append per touched shard per write, not per row.
        #expect(cluster.logNode.appends.load(ordering: .relaxed) == 8)
        // Session (the collection's level): this proxy's writes are visible.
        #expect(try await p.count(QueryRequest(db: "default", collection: "w", filter: "", outputFields: [], limit: 1, offset: 0)) == 100)
        // Upsert replaces by key.
        guard case .int(let first) = r1.ids[0] else { Issue.record("not an int key"); return }
        var up = rows[0]
        up["id"] = .int(first)
        up["name"] = .string("changed")
        _ = try await p.upsert(InsertRequest(db: "default", collection: "w", partition: nil, rows: [up]))
        let got = try await p.get(GetRequest(db: "default", collection: "w", ids: [.int(first)], outputFields: ["name"], partitionNames: []))
        #expect(got == [["id": .int(first), "name": .string("changed")]])
        #expect(try await p.count(QueryRequest(db: "default", collection: "w", filter: "", outputFields: [], limit: 1, offset: 0)) == 100)
        // Delete by filter (Strong query, then by key) and by ids; seen under Strong.
        let deleted = try await p.delete(DeleteRequest(db: "default", collection: "w", partition: nil, filter: "tag < 3", ids: nil))
        #expect(deleted == 30)
        #expect(try await p.count(QueryRequest(db: "default", collection: "w", filter: "tag < 3", outputFields: [], limit: 1, offset: 0,
                                               consistencyLevel: .strong)) == 0)
        // `first` (tag 0) is already gone: a delete by key still answers the number of keys, as Milvus does.
        #expect(try await p.delete(DeleteRequest(db: "default", collection: "w", partition: nil, filter: nil, ids: [.int(first)])) == 1)
        guard case .int(let second) = r1.ids[5] else { return }
        #expect(try await p.delete(DeleteRequest(db: "default", collection: "w", partition: nil, filter: nil, ids: [.int(second)])) == 1)
        #expect(try await p.get(GetRequest(db: "default", collection: "w", ids: [.int(first)], outputFields: [], partitionNames: [])).isEmpty)
        #expect(try await p.collectionStats(db: "default", name: "w").rowCount == 69)  // 100 − 30 by filter − 1 by key
        // Validation errors surface as the routes expect (RowBatchError → 1804 there).
        await #expect(throws: RowBatchError.self) {
            try await ProxyFixtures.insert(p, "w", [["tag": .int(1), "name": .string("x"), "vec": .floatVector([1, 2])]])
        }
        await #expect(throws: FilterError.self) {
            try await p.query(QueryRequest(db: "default", collection: "w", filter: "tag >>> 1", outputFields: [], limit: 1, offset: 0))
        }
        // Texts without a model: 1100.
        await #expect { try await p.search(SearchRequest(db: "default", collection: "w", queries: .texts(["hi"]), limit: 3)) }
            throws: { ($0 as? APIError)?.code == 1100 }
        await #expect(throws: APIError.collectionNotFound("nope")) {
            try await ProxyFixtures.insert(p, "nope", ProxyFixtures.rows(0..<1))
        }
        // Flush seals every replica; results stay the same.
        try await p.flush(db: "default", name: "w")
        #expect(try await p.count(QueryRequest(db: "default", collection: "w", filter: "", outputFields: [], limit: 1, offset: 0)) == 69)
        await cluster.shutdown()
    }

    @Test func searchFailsOverToAnotherReplica() async throws {
        let cluster = try await TestCluster(queryNodes: 2)
        let p = cluster.proxy
        try await p.createCollection(CreateCollectionRequest(
            db: "default", name: "r", schema: ProxyFixtures.schema(),
            indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: .flat, metric: .l2))],
            shardsNum: 2, consistencyLevel: .strong, replicaNumber: 2, loadOnCreate: true))
        #expect(try await p.replicas(db: "default", name: "r").count == 2)
        _ = try await ProxyFixtures.insert(p, "r", ProxyFixtures.rows(0..<100))
        let q = SearchRequest(db: "default", collection: "r", queries: .vectors(values: TestData.uniform(count: 1, dimension: 8, seed: 3), dimension: 8), limit: 5)
        let before = try await p.search(q)
        await cluster.queryNodes[0].setFailing(true)
        for _ in 0..<10 { #expect(try await p.search(q) == before) }
        await cluster.stopQueryNode(0)
        for _ in 0..<10 { #expect(try await p.search(q) == before) }
        await cluster.stopQueryNode(1)
        await #expect { try await p.search(q) } throws: { ($0 as? APIError)?.code == APIError.Code.serviceUnavailable }
        await cluster.shutdown()
    }

    /// A replica that never answers costs at most half the request's deadline: the search then goes to the
    /// other replica and succeeds (it used to wait for the whole deadline and fail).
    @Test func searchLeavesAHungReplicaInTime() async throws {
        let cluster = try await TestCluster(queryNodes: 2) { $0.requestTimeout = .seconds(1) }
        let p = cluster.proxy
        try await p.createCollection(CreateCollectionRequest(
            db: "default", name: "h", schema: ProxyFixtures.schema(),
            indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: .flat, metric: .l2))],
            shardsNum: 1, consistencyLevel: .strong, replicaNumber: 2, loadOnCreate: true))
        _ = try await ProxyFixtures.insert(p, "h", ProxyFixtures.rows(0..<50))
        let q = SearchRequest(db: "default", collection: "h", queries: .vectors(values: TestData.uniform(count: 1, dimension: 8, seed: 5), dimension: 8), limit: 5)
        let before = try await p.search(q)
        await cluster.queryNodes[0].setStalled(true)
        for _ in 0..<12 {
            let started = ContinuousClock.now
            #expect(try await p.search(q) == before)
            #expect(ContinuousClock.now - started < .milliseconds(900))
        }
        // The replica choice is random: with 12 searches the hung node was asked (all 12 missing it: 1 in 4096).
        #expect(await cluster.queryNodes[0].stalledSearches > 0)
        await cluster.queryNodes[0].setStalled(false)
        await cluster.shutdown()
    }

    /// A reply that does not decode against the schema is an error (65535 naming it), never a crash.
    @Test func garbledShardRepliesAreRejected() async throws {
        let cluster = try await TestCluster()
        let p = cluster.proxy
        try await ProxyFixtures.create(p, name: "x", shards: 2)
        _ = try await ProxyFixtures.insert(p, "x", ProxyFixtures.rows(0..<20))
        await cluster.queryNodes[0].setGarbled(true)
        await #expect {
            try await p.search(SearchRequest(db: "default", collection: "x", queries: .vectors(values: [0, 0, 0, 0, 0, 0, 0, 0], dimension: 8), limit: 3))
        } throws: { e in
            guard let a = e as? APIError else { return false }
            return a.code == APIError.Code.unexpected && a.message.contains("invalid reply")
        }
        await cluster.shutdown()
    }

    @Test func rangeAndGroupingSearch() async throws {
        let cluster = try await TestCluster()
        let p = cluster.proxy
        try await ProxyFixtures.create(p, name: "g", shards: 3)
        _ = try await ProxyFixtures.insert(p, "g", ProxyFixtures.rows(0..<300))
        let query = TestData.uniform(count: 1, dimension: 8, seed: 8)
        let all = try await p.search(SearchRequest(db: "default", collection: "g", queries: .vectors(values: query, dimension: 8), limit: 300))
        let radius = Double(all.hits[40].distance), inner = Double(all.hits[10].distance)
        let ranged = try await p.search(SearchRequest(db: "default", collection: "g", queries: .vectors(values: query, dimension: 8), limit: 100,
                                                      radius: radius, rangeFilter: inner))
        #expect(ranged.hits.map(\.id) == all.hits.filter { Double($0.distance) < radius && Double($0.distance) >= inner }.map(\.id))
        let grouped = try await p.search(SearchRequest(db: "default", collection: "g", queries: .vectors(values: query, dimension: 8), limit: 3,
                                                       groupingField: "tag", groupSize: 2))
        #expect(grouped.hits.count == 6)
        let tags = grouped.hits.map { $0.fields["tag"] }
        #expect(Set(tags.map { "\($0!)" }).count == 3)
        // The same hits as grouping `all` by hand.
        var seen: [String: Int] = [:]
        var order: [String] = []
        var expected: [PrimaryKey] = []
        let rows = try await p.get(GetRequest(db: "default", collection: "g", ids: all.hits.map(\.id), outputFields: ["tag"], partitionNames: []))
        let tagOf = Dictionary(uniqueKeysWithValues: rows.map { ("\($0["id"]!)", "\($0["tag"]!)") })
        for h in all.hits {
            let t = tagOf["\(h.id.fieldValue)"]!
            if seen[t] == nil { guard order.count < 3 else { continue }; order.append(t) }
            guard seen[t, default: 0] < 2 else { continue }
            seen[t, default: 0] += 1
            expected.append(h.id)
        }
        #expect(grouped.hits.map(\.id) == expected)
        await cluster.shutdown()
    }

    @Test func usersAndHealth() async throws {
        let cluster = try await TestCluster { $0.defaultSearchCollection = nil }
        let p = cluster.proxy
        #expect(await p.authenticate(user: "root", password: "Milvus"))
        #expect(await !p.authenticate(user: "root", password: "wrong"))
        try await p.createUser(name: "alice", password: "secret1")
        #expect(try await p.listUsers() == ["alice", "root"])
        #expect(await p.authenticate(user: "alice", password: "secret1"))
        await #expect { try await p.updatePassword(name: "alice", oldPassword: "bad", newPassword: "secret2") } throws: { ($0 as? APIError)?.code == 1100 }
        try await p.updatePassword(name: "alice", oldPassword: "secret1", newPassword: "secret2")
        #expect(await !p.authenticate(user: "alice", password: "secret1"))
        #expect(await p.authenticate(user: "alice", password: "secret2"))
        await #expect { try await p.createUser(name: "9bad", password: "secret1") } throws: { ($0 as? APIError)?.code == 1100 }
        await #expect { try await p.dropUser(name: "root") } throws: { ($0 as? APIError)?.code == 1100 }
        try await p.dropUser(name: "alice")
        #expect(await !p.authenticate(user: "alice", password: "secret2"))
        let h = await p.health()
        #expect(h.serving && h.role == "proxy" && h.nodeID == "proxy-7" && h.clusterState == "healthy")
        // Default search collection: the only one with a text-embedding function.
        #expect(try await p.defaultSearchCollection() == nil)
        try await p.createCollection(CreateCollectionRequest(
            db: "default", name: "texts", schema: CollectionSchema(fields: [
                FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true, autoID: true),
                FieldSchema(name: "text", dataType: .varChar, maxLength: 512),
                FieldSchema(name: "vec", dataType: .floatVector, dimension: 4),
            ]),
            indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: .flat, metric: .cosine))], loadOnCreate: false,
            functions: [CollectionFunction(name: "emb", type: "TextEmbedding", inputFieldNames: ["text"], outputFieldNames: ["vec"],
                                           params: ["model_name": "all-MiniLM-L6-v2"])]))
        try await ProxyFixtures.create(p, name: "plain", shards: 1, load: false)
        #expect(try await p.defaultSearchCollection() == "texts")
        #expect(try await p.describeCollection(db: "default", name: "texts").functions.first?.params["model_name"] == "all-MiniLM-L6-v2")
        await #expect { try await p.insert(InsertRequest(db: "default", collection: "texts", partition: nil, rows: [["text": .string("hello")]])) }
            throws: { ($0 as? APIError)?.message.contains("no embedding model loaded") == true }
        await cluster.shutdown()
        // Root coordinator gone: not serving.
        let h2 = await p.health()
        #expect(!h2.serving && h2.clusterState == "no root coordinator")
    }
}
