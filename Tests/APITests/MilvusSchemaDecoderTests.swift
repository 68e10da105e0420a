@testable import API
import JSON
import Shard
import Testing

struct MilvusSchemaDecoderTests {
    func decode(_ s: String) throws -> CreateCollectionRequest {
        try MilvusSchemaDecoder.decode(try MilvusBody(Array(s.utf8)))
    }

    @Test func quickSetupDefaults() throws {
        let r = try decode(#"{"collectionName": "qs", "dimension": "5"}"#)
        #expect(r == CreateCollectionRequest(
            db: "default", name: "qs",
            schema: CollectionSchema(fields: [FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
                                              FieldSchema(name: "vector", dataType: .floatVector, dimension: 5)],
                                     enableDynamicField: true),
            indexes: [IndexRequest(indexName: "vector", spec: IndexSpec(fieldName: "vector", kind: .hnsw(m: 16, efConstruction: 200), metric: .cosine))],
            loadOnCreate: true))
    }

    @Test func quickSetupOptions() throws {
        let r = try decode(#"""
            {"dbName": "default", "collectionName": "qs", "dimension": 8, "metricType": "ip", "idType": "VarChar",
             "autoID": false, "primaryFieldName": "pk", "vectorFieldName": "emb",
             "params": {"max_length": 64, "enableDynamicField": false, "shardsNum": "2", "consistencyLevel": "strong",
                        "replicaNumber": 3, "ttlSeconds": 60, "note": "x"}}
            """#)
        #expect(r.schema.fields[0] == FieldSchema(name: "pk", dataType: .varChar, isPrimaryKey: true, maxLength: 64))
        #expect(r.schema.fields[1].name == "emb" && r.schema.fields[1].dimension == 8)
        #expect(!r.schema.enableDynamicField)
        #expect(r.indexes[0].spec.metric == .innerProduct)
        #expect(r.shardsNum == 2 && r.consistencyLevel == .strong && r.replicaNumber == 3)
        #expect(r.properties == ["ttlSeconds": "60", "note": "x"])
    }

    @Test func customSchemaFields() throws {
        let r = try decode(#"""
            {"collectionName": "c", "schema": {"autoID": true, "enableDynamicField": true, "fields": [
              {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
              {"fieldName": "v", "dataType": "Float16Vector", "elementTypeParams": {"dim": 4}},
              {"fieldName": "tags", "dataType": "Array", "elementDataType": "VarChar", "elementTypeParams": {"max_capacity": "8", "max_length": 16}},
              {"fieldName": "score", "dataType": "Double", "nullable": true},
              {"fieldName": "lang", "dataType": "VarChar", "defaultValue": "en", "elementTypeParams": {"max_length": 4}}]}}
            """#)
        #expect(r.schema.fields[0].autoID)
        #expect(r.schema.fields[1].dataType == .float16Vector)
        #expect(r.schema.fields[2].elementType == .varChar && r.schema.fields[2].maxCapacity == 8 && r.schema.fields[2].maxLength == 16)
        #expect(r.schema.fields[3].nullable)
        #expect(r.schema.fields[4].defaultValue == .string("en"))
        #expect(r.indexes.isEmpty && !r.loadOnCreate)
    }

    @Test func rejections() {
        let cases: [(String, Int)] = [
            (#"{"collectionName": "c", "dimension": 0}"#, 1100),
            (#"{"collectionName": "c", "dimension": 5, "idType": "Int32"}"#, 1100),
            (#"{"collectionName": "c", "dimension": 5, "params": {"shardsNum": 65}}"#, 1100),
            (#"{"collectionName": "c", "schema": {}}"#, 1802),
            (#"{"collectionName": "c", "schema": {"fields": [{"dataType": "Int64"}]}}"#, 1802),
            (#"{"collectionName": "c", "schema": {"fields": [{"fieldName": "a", "dataType": "Int64", "isPrimary": true, "isPartitionKey": true}]}}"#, 1100),
            (#"{"collectionName": "c", "schema": {"fields": [{"fieldName": "a", "dataType": "Int64", "isPrimary": true}, {"fieldName": "v", "dataType": "FloatVector"}]}}"#, 105),
            (#"{"collectionName": "c", "schema": {"fields": [{"fieldName": "a", "dataType": "Int64", "isPrimary": true}, {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}}]}, "indexParams": [{"fieldName": "v", "indexType": "DISKANN"}]}"#, 1100),
            (#"{"collectionName": "c", "schema": {"fields": [{"fieldName": "a", "dataType": "Int64", "isPrimary": true}, {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}}]}, "indexParams": [{"fieldName": "v"}, {"fieldName": "v"}]}"#, 1100),
        ]
        for (body, code) in cases {
            do {
                _ = try decode(body)
                Issue.record("accepted \(body)")
            } catch {
                #expect((error as? APIError)?.code == code, "\(body): \(error)")
            }
        }
    }
}
