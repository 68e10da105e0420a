import API
import Proxy
import Shard
import Testing

/// A deterministic stand-in model: counts of a, b, c, d in the text.
struct LetterCountEmbedding: ProxyEmbedding {
    static func embed(_ text: String) -> [Float] {
        ["a", "b", "c", "d"].map { ch in Float(text.filter { String($0) == ch }.count) + 0.01 }
    }

    /// Texts over 40 characters count as truncated (the real model's limit is 256 tokens).
    func embedQueries(_ texts: [String], function: CollectionFunction, schema: CollectionSchema) async throws -> EmbeddedQueries {
        EmbeddedQueries(vectors: texts.flatMap { Self.embed(String($0.prefix(40))) }, truncated: texts.map { $0.count > 40 })
    }

    func fillEmbeddings(_ rows: inout [[String: FieldValue]], function: CollectionFunction, schema: CollectionSchema) async throws {
        for i in rows.indices {
            guard rows[i][function.outputFieldNames[0]] == nil, case .string(let t)? = rows[i][function.inputFieldNames[0]] else { continue }
            rows[i][function.outputFieldNames[0]] = .floatVector(Self.embed(t))
        }
    }
}

@Suite(.serialized) struct ProxyEmbeddingTests {
    @Test func textsAreEmbeddedForInsertAndSearch() async throws {
        let cluster = try await TestCluster(embedding: LetterCountEmbedding())
        let p = cluster.proxy
        try await p.createCollection(CreateCollectionRequest(
            db: "default", name: "texts", schema: CollectionSchema(fields: [
                FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true, autoID: true),
                FieldSchema(name: "text", dataType: .varChar, maxLength: 512),
                FieldSchema(name: "vec", dataType: .floatVector, dimension: 4),
            ]),
            indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: .flat, metric: .cosine))],
            shardsNum: 2, consistencyLevel: .strong, loadOnCreate: true,
            functions: [CollectionFunction(name: "emb", type: "TextEmbedding", inputFieldNames: ["text"], outputFieldNames: ["vec"])]))
        _ = try await p.insert(InsertRequest(db: "default", collection: "texts", partition: nil,
                                             rows: ["aaaa", "bbbb", "cccc", "dddd"].map { ["text": .string($0)] }))
        let r = try await p.search(SearchRequest(db: "default", collection: "texts", queries: .texts(["ccc", "abbb"]), limit: 1,
                                                 outputFields: ["text"]))
        #expect(r.hits.map { $0.fields["text"] } == [.string("cccc"), .string("bbbb")])
        #expect(r.truncatedQueries.isEmpty)
        let long = try await p.search(SearchRequest(db: "default", collection: "texts",
                                                    queries: .texts(["ccc", String(repeating: "d", count: 50)]), limit: 1))
        #expect(long.truncatedQueries == [1])
        await cluster.shutdown()
    }
}
