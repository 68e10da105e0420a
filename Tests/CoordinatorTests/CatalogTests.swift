import Shard
import Testing

@testable import Coordinator

@Suite struct CatalogTests {
    let ts = Timestamp(physicalMilliseconds: 1_000, logical: 0)

    func freshCatalog() -> Catalog {
        var c = Catalog()
        _ = c.bootstrap(id: 1, timestamp: ts)
        return c
    }

    func create(_ c: inout Catalog, _ name: String, id: Int64, database: String = "default") throws -> CollectionInfo {
        try c.createCollection(
            Catalog.CollectionRequest(database: database, name: name, schema: sampleSchema(), shardsNum: 4),
            id: CollectionID(id), partitionID: PartitionID(id + 1000), timestamp: ts)
    }

    @Test func namesFollowMilvusRules() {
        for good in ["a", "_x", "Books_2024", String(repeating: "a", count: 255)] {
            #expect(throws: Never.self) { try Catalog.validateName(good, kind: "collection") }
        }
        for bad in ["", "1abc", "a-b", "a b", "é", "a.b", String(repeating: "a", count: 256)] {
            #expect(throws: CatalogError.self) { try Catalog.validateName(bad, kind: "collection") }
        }
    }

    @Test func createDescribeListRenameDrop() throws {
        var c = freshCatalog()
        let info = try create(&c, "books", id: 10)
        #expect(info.partitions.map(\.name) == ["_default"])
        #expect(info.shardsNum == 4 && info.consistencyLevel == .bounded && info.database == "default")
        #expect(try c.collection(named: "books").id == CollectionID(10))
        #expect(throws: CatalogError.collectionExists(database: "default", name: "books")) { try create(&c, "books", id: 11) }
        _ = try create(&c, "articles", id: 12)
        #expect(try c.listCollections().map(\.name) == ["articles", "books"])
        _ = try c.renameCollection("books", to: "novels")
        #expect(throws: CatalogError.self) { try c.collection(named: "books") }
        #expect(try c.collection(named: "novels").id == CollectionID(10))
        #expect(throws: CatalogError.collectionExists(database: "default", name: "articles")) {
            try c.renameCollection("novels", to: "articles")
        }
        _ = try c.dropCollection("novels")
        #expect(throws: CatalogError.collectionNotFound(database: "default", name: "novels")) { try c.dropCollection("novels") }
        #expect(try c.listCollections().map(\.name) == ["articles"])
    }

    @Test func argumentValidation() throws {
        var c = freshCatalog()
        var request = Catalog.CollectionRequest(name: "c", schema: sampleSchema(), shardsNum: 17)
        #expect(throws: CatalogError.self) { try c.createCollection(request, id: CollectionID(1), partitionID: PartitionID(2), timestamp: ts) }
        request.shardsNum = 0
        #expect(throws: CatalogError.self) { try c.createCollection(request, id: CollectionID(1), partitionID: PartitionID(2), timestamp: ts) }
        request.shardsNum = 2
        request.schema = CollectionSchema(fields: [FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true)])
        #expect(throws: CatalogError.self) { try c.createCollection(request, id: CollectionID(1), partitionID: PartitionID(2), timestamp: ts) }
        request.schema = sampleSchema()
        request.properties = [CollectionProperty(key: "a", value: "1"), CollectionProperty(key: "a", value: "2")]
        #expect(throws: CatalogError.self) { try c.createCollection(request, id: CollectionID(1), partitionID: PartitionID(2), timestamp: ts) }
        request.database = "nope"
        request.properties = []
        #expect(throws: CatalogError.databaseNotFound("nope")) {
            try c.createCollection(request, id: CollectionID(1), partitionID: PartitionID(2), timestamp: ts)
        }
        #expect(try c.listCollections().isEmpty)
    }

    @Test func partitions() throws {
        var c = freshCatalog()
        _ = try create(&c, "books", id: 10)
        _ = try c.createPartition("p2024", collection: "books", id: PartitionID(50), timestamp: ts)
        #expect(throws: CatalogError.partitionExists(collection: "books", partition: "p2024")) {
            try c.createPartition("p2024", collection: "books", id: PartitionID(51), timestamp: ts)
        }
        #expect(throws: CatalogError.self) { try c.createPartition("bad-name", collection: "books", id: PartitionID(52), timestamp: ts) }
        #expect(try c.collection(named: "books").partitions.map(\.name) == ["_default", "p2024"])
        #expect(throws: CatalogError.cannotDropDefaultPartition) { try c.dropPartition("_default", collection: "books") }
        #expect(throws: CatalogError.partitionNotFound(collection: "books", partition: "x")) { try c.dropPartition("x", collection: "books") }
        _ = try c.dropPartition("p2024", collection: "books")
        #expect(try c.collection(named: "books").partitions.map(\.name) == ["_default"])
    }

    @Test func aliases() throws {
        var c = freshCatalog()
        _ = try create(&c, "books_v1", id: 10)
        _ = try create(&c, "books_v2", id: 20)
        _ = try c.createAlias("books", collection: "books_v1")
        #expect(try c.collection(named: "books").id == CollectionID(10))
        #expect(throws: CatalogError.aliasExists(database: "default", alias: "books")) { try c.createAlias("books", collection: "books_v2") }
        #expect(throws: CatalogError.aliasExists(database: "default", alias: "books_v2")) { try c.createAlias("books_v2", collection: "books_v1") }
        #expect(throws: CatalogError.collectionExists(database: "default", name: "books")) { try create(&c, "books", id: 30) }
        #expect(throws: CatalogError.collectionHasAliases(name: "books_v1", aliases: ["books"])) { try c.dropCollection("books_v1") }
        let txn = try c.alterAlias("books", collection: "books_v2")
        #expect(txn.operations.count == 2)
        #expect(try c.collection(named: "books").id == CollectionID(20))
        #expect(try c.collection(named: "books_v1").aliases.isEmpty)
        #expect(try c.listAliases().map(\.collection) == ["books_v2"])
        _ = try c.dropAlias("books")
        #expect(throws: CatalogError.aliasNotFound(database: "default", alias: "books")) { try c.dropAlias("books") }
        _ = try c.dropCollection("books_v1")
    }

    @Test func indexSpecs() throws {
        var c = freshCatalog()
        _ = try create(&c, "books", id: 10)
        let spec = IndexSpec(fieldName: "embedding", kind: .hnsw(m: 16, efConstruction: 200), metric: .cosine)
        _ = try c.createIndex(spec, collection: "books")
        #expect(throws: CatalogError.indexExists(collection: "books", field: "embedding")) { try c.createIndex(spec, collection: "books") }
        #expect(throws: CatalogError.self) {
            try c.createIndex(IndexSpec(fieldName: "title", kind: .flat, metric: .l2), collection: "books")
        }
        #expect(try c.collection(named: "books").indexes == [spec])
        _ = try c.dropIndex(field: "embedding", collection: "books")
        #expect(throws: CatalogError.indexNotFound(collection: "books", field: "embedding")) { try c.dropIndex(field: "embedding", collection: "books") }
    }

    @Test func databases() throws {
        var c = freshCatalog()
        _ = try c.createDatabase("analytics", id: 2, timestamp: ts)
        #expect(throws: CatalogError.databaseExists("analytics")) { try c.createDatabase("analytics", id: 3, timestamp: ts) }
        _ = try create(&c, "events", id: 10, database: "analytics")
        _ = try create(&c, "events", id: 20)  // same name, other database
        #expect(throws: CatalogError.databaseNotEmpty("analytics")) { try c.dropDatabase("analytics") }
        #expect(throws: CatalogError.databaseNotEmpty("default")) { try c.dropDatabase("default") }
        _ = try c.dropCollection("events", in: "analytics")
        _ = try c.dropDatabase("analytics")
        #expect(c.listDatabases().map(\.name) == ["default"])
    }

    /// Every change applied through the meta store is what a catalog loaded from it sees.
    @Test func persistedCatalogReloadsIdentically() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetaStore(directory: dir.path)
        var c = Catalog()
        try store.commit(c.bootstrap(id: 1, timestamp: ts))
        let info = try create(&c, "books", id: 10)
        try store.commit(c.transaction(storing: info, isNew: true))
        try store.commit(c.createPartition("p1", collection: "books", id: PartitionID(11), timestamp: ts))
        try store.commit(c.createAlias("library", collection: "books"))
        try store.commit(c.createIndex(IndexSpec(fieldName: "embedding", kind: .flat, metric: .l2), collection: "books"))
        try store.commit(c.createDatabase("other", id: 2, timestamp: ts))
        let reloaded = try Catalog(loading: store)
        #expect(try reloaded.collection(named: "library") == c.collection(named: "books"))
        #expect(reloaded.listDatabases() == c.listDatabases())
        #expect(try reloaded.listAliases().map(\.alias) == ["library"])
    }

    @Test func collectionInfoEncodingRejectsTruncation() throws {
        var c = freshCatalog()
        let info = try create(&c, "books", id: 10)
        var w = WireWriterBox.encode(info)
        var r = WireReaderBox.reader(w)
        #expect(try CollectionInfo(from: &r) == info)
        for cut in stride(from: 0, to: w.count - 1, by: 7) {
            var r = WireReaderBox.reader(Array(w[..<cut]))
            #expect(throws: (any Error).self) { _ = try CollectionInfo(from: &r) }
        }
        w[0] = 9  // unknown version
        r = WireReaderBox.reader(w)
        #expect(throws: (any Error).self) { _ = try CollectionInfo(from: &r) }
    }
}
