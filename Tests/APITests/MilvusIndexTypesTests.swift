@testable import API
import JSON
import Shard
import Testing

/// Milvus `indexParams` for IVF_FLAT, IVF_SQ8 and HNSW_SQ8 (`params.nlist`, `M`, `efConstruction`) and the
/// search-time `params.nprobe`, with clear errors for unknown types and bad parameters.
struct MilvusIndexTypesTests {
    func indexes(_ params: String) throws -> [IndexRequest] {
        try MilvusSchemaDecoder.decode(try MilvusBody(Array(#"""
            {"collectionName": "c", "schema": {"fields": [
              {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
              {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 8}}]},
             "indexParams": [\#(params)]}
            """#.utf8))).indexes
    }

    func rejects(_ params: String, mentioning text: String) {
        do {
            _ = try indexes(params)
            Issue.record("accepted \(params)")
        } catch {
            #expect("\(error)".contains(text), "\(error)")
        }
    }

    @Test func newIndexTypesDecode() throws {
        #expect(try indexes(#"{"fieldName": "v", "metricType": "IP", "indexType": "IVF_FLAT", "params": {"nlist": 256}}"#)[0].spec
            == IndexSpec(fieldName: "v", kind: .ivfFlat(nlist: 256), metric: .innerProduct))
        #expect(try indexes(#"{"fieldName": "v", "metricType": "L2", "params": {"index_type": "ivf_sq8"}}"#)[0].spec.kind == .ivfSQ8(nlist: 128))
        #expect(try indexes(#"{"fieldName": "v", "indexType": "HNSW_SQ8", "params": {"M": "8", "efConstruction": 64}}"#)[0].spec.kind
            == .hnswSQ8(m: 8, efConstruction: 64))
    }

    @Test func badTypesAndParametersAreClearErrors() {
        rejects(#"{"fieldName": "v", "indexType": "SCANN"}"#, mentioning: "SCANN is not supported")
        rejects(#"{"fieldName": "v", "indexType": "IVF_FLAT", "params": {"nlist": 0}}"#, mentioning: "nlist 0 is out of range")
        rejects(#"{"fieldName": "v", "indexType": "IVF_SQ8", "params": {"nlist": 70000}}"#, mentioning: "nlist 70000 is out of range")
        rejects(#"{"fieldName": "v", "indexType": "IVF_FLAT", "params": {"nlist": "many"}}"#, mentioning: "nlist")
        rejects(#"{"fieldName": "v", "indexType": "HNSW_SQ8", "params": {"M": 1}}"#, mentioning: "M 1 is out of range")
    }

    func search(_ searchParams: String) throws -> SearchRequest {
        try MilvusRESTRoutes.searchRequest(try MilvusBody(Array(#"""
            {"collectionName": "c", "data": [[1, 2, 3, 4, 5, 6, 7, 8]], "limit": 3, "searchParams": \#(searchParams)}
            """#.utf8), vectorKey: "data"))
    }

    @Test func searchNprobe() throws {
        #expect(try search(#"{"params": {"nprobe": 32}}"#).nprobe == 32)
        #expect(try search(#"{"nprobe": "8"}"#).nprobe == 8)
        #expect(try search(#"{"params": {"ef": 64}}"#).nprobe == nil)
        #expect(throws: APIError.self) { try search(#"{"params": {"nprobe": 0}}"#) }
        #expect(throws: APIError.self) { try search(#"{"params": {"nprobe": 65537}}"#) }
        #expect(throws: APIError.self) { try search(#"{"params": {"nprobe": [1]}}"#) }
    }
}
