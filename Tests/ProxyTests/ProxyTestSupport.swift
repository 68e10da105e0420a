import API
import Shard
import TestSupport

/// Schemas and rows shared by the proxy tests.
enum ProxyFixtures {
    static let dimension = 8

    /// `id` Int64 key, `tag` Int64, `name` VarChar, `vec` FloatVector(8); dynamic field on.
    static func schema(autoID: Bool = false, dimension: Int = dimension) -> CollectionSchema {
        CollectionSchema(fields: [
            FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true, autoID: autoID),
            FieldSchema(name: "tag", dataType: .int64),
            FieldSchema(name: "name", dataType: .varChar, maxLength: 64),
            FieldSchema(name: "vec", dataType: .floatVector, dimension: dimension),
        ], enableDynamicField: true)
    }

    static func create(_ backend: some APIBackend, name: String, shards: Int, index: IndexSpec.Kind = .flat,
                       metric: IndexSpec.Metric = .l2, autoID: Bool = false, load: Bool = true,
                       consistency: APIConsistencyLevel = .strong, dimension: Int = dimension) async throws {
        try await backend.createCollection(CreateCollectionRequest(
            db: "default", name: name, schema: schema(autoID: autoID, dimension: dimension),
            indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: index, metric: metric))],
            shardsNum: shards, consistencyLevel: consistency, loadOnCreate: load))
    }

    /// Rows `first..<first+count` with uniform random vectors: tag = id % 10, name "n<id>", dynamic key `color`.
    static func rows(_ range: Range<Int>, seed: UInt64 = 5, dimension: Int = dimension) -> [[String: FieldValue]] {
        let vectors = TestData.uniform(count: range.count, dimension: dimension, seed: seed &+ UInt64(range.lowerBound))
        return range.enumerated().map { i, id in
            ["id": .int(Int64(id)), "tag": .int(Int64(id % 10)), "name": .string("n\(id)"),
             "color": .string(id % 2 == 0 ? "red" : "blue"),
             "vec": .floatVector(TestData.row(vectors, i, dimension: dimension))]
        }
    }

    static func insert(_ backend: some APIBackend, _ collection: String, _ rows: [[String: FieldValue]]) async throws -> WriteResult {
        try await backend.insert(InsertRequest(db: "default", collection: collection, partition: nil, rows: rows))
    }
}
