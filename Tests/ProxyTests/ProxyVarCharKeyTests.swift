import API
import Proxy
import Shard
import TestSupport
import Testing

/// VarChar primary keys: hashed by CRC-32C to shards; insert, get, search, upsert and delete by key.
@Suite(.serialized) struct ProxyVarCharKeyTests {
    @Test(arguments: [false, true]) func varCharKeysRoundTrip(real: Bool) async throws {
        let cluster = try await makeCluster(real: real, queryNodes: 1)
        let p = cluster.proxy
        try await p.createCollection(CreateCollectionRequest(
            db: "default", name: "vk", schema: CollectionSchema(fields: [
                FieldSchema(name: "key", dataType: .varChar, isPrimaryKey: true, maxLength: 64),
                FieldSchema(name: "n", dataType: .int64),
                FieldSchema(name: "vec", dataType: .floatVector, dimension: 4),
            ]),
            indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: .flat, metric: .l2))],
            shardsNum: 4, consistencyLevel: .strong, loadOnCreate: true))
        let vectors = TestData.uniform(count: 200, dimension: 4, seed: 12)
        let rows: [[String: FieldValue]] = (0..<200).map { i in
            ["key": .string("doc-\(i)"), "n": .int(Int64(i)), "vec": .floatVector(TestData.row(vectors, i, dimension: 4))]
        }
        let w = try await ProxyFixtures.insert(p, "vk", rows)
        #expect(w.ids == (0..<200).map { .string("doc-\($0)") })
        let got = try await p.get(GetRequest(db: "default", collection: "vk", ids: [.string("doc-7"), .string("doc-150")], outputFields: ["n"],
                                             partitionNames: []))
        #expect(got == [["key": .string("doc-7"), "n": .int(7)], ["key": .string("doc-150"), "n": .int(150)]])
        let hit = try await p.search(SearchRequest(db: "default", collection: "vk",
                                                   queries: .vectors(values: TestData.row(vectors, 42, dimension: 4), dimension: 4), limit: 1))
        #expect(hit.hits.first?.id == .string("doc-42") && hit.hits.first?.distance == 0)
        _ = try await p.upsert(InsertRequest(db: "default", collection: "vk", partition: nil,
                                             rows: [["key": .string("doc-7"), "n": .int(-7), "vec": .floatVector([1, 1, 1, 1])]]))
        #expect(try await p.get(GetRequest(db: "default", collection: "vk", ids: [.string("doc-7")], outputFields: ["n"], partitionNames: []))
                == [["key": .string("doc-7"), "n": .int(-7)]])
        #expect(try await p.delete(DeleteRequest(db: "default", collection: "vk", partition: nil, filter: nil,
                                                 ids: [.string("doc-1"), .string("doc-2")])) == 2)
        #expect(try await p.delete(DeleteRequest(db: "default", collection: "vk", partition: nil, filter: "n >= 190", ids: nil)) == 10)
        #expect(try await p.count(QueryRequest(db: "default", collection: "vk", filter: "", outputFields: [], limit: 1, offset: 0)) == 188)
        await #expect { try await p.delete(DeleteRequest(db: "default", collection: "vk", partition: nil, filter: nil, ids: [.int(3)])) }
            throws: { ($0 as? APIError)?.code == 1100 }
        await cluster.shutdown()
    }
}
