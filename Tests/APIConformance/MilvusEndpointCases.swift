import API
import JSON
import Testing

/// The Milvus REST v2 endpoints end to end, with the request bodies from Milvus's docs
/// (../shared/reference/milvus.md §2.4): every endpoint's success envelope plus at least one error case each
/// (missing field → 1802, unknown collection → 100, wrong dimension, malformed JSON → 1801).
public enum MilvusEndpointCases {
    static let all: [EndpointCase] = [
        EndpointCase("collectionsLifecycle", collectionsLifecycle),
        EndpointCase("collectionErrors", collectionErrors),
        EndpointCase("entities", entities),
        EndpointCase("entityErrors", entityErrors),
        EndpointCase("int64IDsRoundTripExactly", int64IDsRoundTripExactly),
        EndpointCase("autoIDAndVarCharKeys", autoIDAndVarCharKeys),
        EndpointCase("indexes", indexes),
        EndpointCase("partitions", partitions),
        EndpointCase("aliases", aliases),
        EndpointCase("users", users),
        EndpointCase("everyEndpointRejectsMalformedAndIncompleteBodies", everyEndpointRejectsMalformedAndIncompleteBodies),
    ]

    public static let quickSetup = #"{"collectionName": "quick_setup", "dimension": 5}"#
    public static let customSetup = #"""
    {"collectionName": "customized_setup_1",
     "schema": {"autoId": false, "enabledDynamicField": false,
       "fields": [
         {"fieldName": "my_id", "dataType": "Int64", "isPrimary": true},
         {"fieldName": "my_vector", "dataType": "FloatVector", "elementTypeParams": {"dim": "5"}},
         {"fieldName": "my_varchar", "dataType": "VarChar", "elementTypeParams": {"max_length": 512}}]},
     "indexParams": [
       {"fieldName": "my_vector", "metricType": "COSINE", "indexName": "my_vector",
        "params": {"index_type": "HNSW", "M": 16, "efConstruction": 200}},
       {"fieldName": "my_id", "indexName": "my_id", "params": {"index_type": "STL_SORT"}}],
     "params": {"shardsNum": 1, "consistencyLevel": "Bounded"}}
    """#
    public static let colors = ["pink_8682", "red_7025", "orange_6781", "pink_9298", "red_4794", "yellow_4222", "red_9392",
                         "grey_8510", "white_9381", "purple_4976"]
    public static let vectors: [[Double]] = [
        [0.3580376395471989, -0.6023495712049978, 0.18414012509913835, -0.26286205330961354, 0.9029438446296592],
        [0.19886812562848388, 0.06023560599112088, 0.6976963061752597, 0.2614474506242501, 0.838729485096104],
        [0.43742130801983836, -0.5597502546264526, 0.6457887650909682, 0.7894058910881185, 0.20785793220625592],
        [0.3172005263489739, 0.9719044792798428, -0.36981146090600725, -0.4860894583077995, 0.95791889146345],
        [0.4452349528804562, -0.8757026943054742, 0.8220779437047674, 0.46406290649483184, 0.30337481143159106],
        [0.985825131989184, -0.8144651566660419, 0.6299267002202009, 0.1206906911183383, -0.1446277761879955],
        [0.8371977790571115, -0.015764369584852833, -0.31062937026679327, -0.562666951622192, -0.8984947637863987],
        [-0.33445148015177995, -0.2567135004164067, 0.8987539745369246, 0.9402995886420709, 0.5378064918413052],
        [0.39524717779832685, 0.4000257286739164, -0.5890507376891594, -0.8650502298996872, -0.6140360785406336],
        [0.5718280481994695, 0.24070317428066512, -0.3737913482606834, -0.06726932177492717, -0.6980531615588608],
    ]

    /// The docs' ten-row insert body (with a `likes` dynamic field for the filtered search example).
    public static var insertBody: String {
        let rows = (0..<10).map { i in
            #"{"id": \#(i), "vector": \#(vectors[i]), "color": "\#(colors[i])", "likes": \#(i * 10)}"#
        }
        return #"{"collectionName": "quick_setup", "data": [\#(rows.joined(separator: ","))]}"#
    }

    static func ok(_ v: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(v.code == 0, "expected success, got \(v)", sourceLocation: sourceLocation)
    }

    static func fails(_ v: JSONValue, _ code: Int64, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(v.code == code, "expected code \(code), got \(v)", sourceLocation: sourceLocation)
    }

    static func collectionsLifecycle(_ s: APIHarness, _ traits: BackendTraits) async throws {
        ok(try s.milvus("collections/create", Self.quickSetup))
        #expect(try s.milvus("collections/create", Self.quickSetup).data == nil)  // duplicate → error
        ok(try s.milvus("collections/create", Self.customSetup))
        // describe: quick setup defaults (id Int64, vector dim "5", COSINE, loaded, dynamic field on)
        let d = try #require(try s.milvus("collections/describe", #"{"collectionName": "quick_setup"}"#).data)
        #expect(d["collectionName"] == "quick_setup")
        #expect(d["load"] == "LoadStateLoaded")
        #expect(d["enableDynamicField"] == true)
        #expect(d["consistencyLevel"] == "Bounded")
        let fields = try #require(d["fields"]?.arrayValue)
        #expect(fields.count == 2)
        #expect(fields[0]["name"] == "id" && fields[0]["type"] == "Int64" && fields[0]["primaryKey"] == true)
        #expect(fields[1]["name"] == "vector" && fields[1]["type"] == "FloatVector")
        #expect(fields[1]["params"]?[0]?["key"] == "dim" && fields[1]["params"]?[0]?["value"] == "5")
        #expect(d["indexes"]?[0]?["metricType"] == "COSINE")
        let custom = try #require(try s.milvus("collections/describe", #"{"collectionName": "customized_setup_1"}"#).data)
        #expect(custom["fields"]?.arrayValue?.count == 3)
        #expect(custom["indexes"]?.arrayValue?.count == 1)  // the STL_SORT scalar index has no effect
        #expect(custom["fields"]?[2]?["params"]?[0]?["value"] == "512")

        let list = try s.milvus("collections/list", "{}")
        #expect(list.data == ["customized_setup_1", "quick_setup"])
        #expect(try s.milvus("collections/list", "").data?.arrayValue?.count == 2)  // empty body = {}
        #expect(try s.milvus("collections/has", #"{"collectionName": "quick_setup"}"#).data?["has"] == true)
        #expect(try s.milvus("collections/has", #"{"collectionName": "nope"}"#).data?["has"] == false)
        let state = try s.milvus("collections/get_load_state", #"{"collectionName": "quick_setup"}"#).data
        #expect(state?["loadState"] == "LoadStateLoaded" && state?["loadProgress"] == 100)
        ok(try s.milvus("collections/release", #"{"collectionName": "quick_setup"}"#))
        #expect(try s.milvus("collections/get_load_state", #"{"collectionName": "quick_setup"}"#).data?["loadState"] == "LoadStateNotLoad")
        ok(try s.milvus("collections/load", #"{"collectionName": "quick_setup", "replicaNumber": 2}"#))
        let replicas = try #require(try s.milvus("collections/get_replicas", #"{"collectionName": "quick_setup"}"#).data?["replicas"]?.arrayValue)
        #expect(replicas.count == 2)
        #expect(replicas[0]["nodes"]?.arrayValue?.count == 1)
        #expect(try s.milvus("collections/get_stats", #"{"collectionName": "quick_setup"}"#).data?["rowCount"] == 0)
        ok(try s.milvus("collections/flush", #"{"collectionName": "quick_setup"}"#))
        ok(try s.milvus("collections/rename", #"{"collectionName": "quick_setup", "newCollectionName": "renamed"}"#))
        fails(try s.milvus("collections/describe", #"{"collectionName": "quick_setup"}"#), 100)
        ok(try s.milvus("collections/drop", #"{"collectionName": "renamed"}"#))
        #expect(try s.milvus("collections/has", #"{"collectionName": "renamed"}"#).data?["has"] == false)
    }

    static func collectionErrors(_ s: APIHarness, _ traits: BackendTraits) async throws {
        fails(try s.milvus("collections/create", #"{"dimension": 5}"#), 1802)
        fails(try s.milvus("collections/create", #"{"collectionName": "c"}"#), 1802)
        fails(try s.milvus("collections/create", #"{"collectionName": "c", "dimension": "40000"}"#), 1100)
        fails(try s.milvus("collections/create", #"{"collectionName": "c", "dimension": "five"}"#), 1100)
        fails(try s.milvus("collections/create", #"{"collectionName": "c", "dimension": 5, "metricType": "HAMMING"}"#), 1100)
        fails(try s.milvus("collections/create", #"{"collectionName": "bad-name", "dimension": 5}"#), 1100)
        fails(try s.milvus("collections/create", #"{"collectionName": "c", "schema": {"fields": [{"fieldName": "id", "dataType": "int64", "isPrimary": true}]}}"#), 1100)
        fails(try s.milvus("collections/create", #"{"collectionName": "c", "schema": {"fields": [{"fieldName": "id", "dataType": "Int64", "isPrimary": true}]}}"#), 105)
        fails(try s.milvus("collections/create", #"{"collectionName": "c", "dimension": 5, "params": {"consistencyLevel": "Sometimes"}}"#), 1100)
        fails(try s.milvus("collections/create", #"{"collectionName": "c", "dimension": 5,"#), 1801)
        fails(try s.milvus("collections/describe", #"{"collectionName": "nope"}"#), 100)
        fails(try s.milvus("collections/list", #"{"dbName": "nope"}"#), 800)
        fails(try s.milvus("collections/list", "[1]"), 1801)
        fails(try s.milvus("collections/has", "{}"), 1802)
        fails(try s.milvus("collections/drop", #"{"collectionName": "nope"}"#), 100)
        fails(try s.milvus("collections/rename", #"{"collectionName": "nope"}"#), 1802)
        fails(try s.milvus("collections/rename", #"{"collectionName": "nope", "newCollectionName": "x"}"#), 100)
        fails(try s.milvus("collections/load", #"{"collectionName": "nope"}"#), 100)
        fails(try s.milvus("collections/load", #"{"collectionName": "nope", "replicaNumber": 0}"#), 1100)
        fails(try s.milvus("collections/release", #"{"collectionName": 5}"#), 1100)
        #expect(try s.milvus("collections/get_load_state", #"{"collectionName": "nope"}"#).data?["loadState"] == "LoadStateNotExist")
        fails(try s.milvus("collections/get_load_state", "{}"), 1802)
        fails(try s.milvus("collections/get_stats", #"{"collectionName": "nope"}"#), 100)
        fails(try s.milvus("collections/flush", "{collectionName}"), 1801)
        fails(try s.milvus("collections/get_replicas", #"{"collectionName": "nope"}"#), 100)
        // Schema functions are part of the schema: checked by the routes, stored, and described.
        let withFunction = #"""
            {"collectionName": "docs", "schema": {"fields": [
              {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
              {"fieldName": "text", "dataType": "VarChar", "elementTypeParams": {"max_length": 1000}},
              {"fieldName": "dense", "dataType": "FloatVector", "elementTypeParams": {"dim": 384}}],
              "functions": [{"name": "embed", "type": "TextEmbedding", "inputFieldNames": ["text"], "outputFieldNames": ["%@"],
                             "params": {"provider": "builtin", "model_name": "all-MiniLM-L6-v2"}}]}}
            """#
        fails(try s.milvus("collections/create", withFunction.replacing("%@", with: "nofield")), 1700)
        let notVector = try s.milvus("collections/create", withFunction.replacing("%@", with: "text"))
        #expect(notVector.code == 105 && notVector.message.contains("output field 'text' must be FloatVector, not VarChar"))
        fails(try s.milvus("collections/create", withFunction.replacing("TextEmbedding", with: "Magic")), 1100)
        let bm25 = try s.milvus("collections/create", withFunction.replacing("TextEmbedding", with: "BM25"))
        #expect(bm25.code == 1100 && bm25.message.contains("function type BM25 is not supported"))
        ok(try s.milvus("collections/create", withFunction.replacing("%@", with: "dense")))
        let described = try s.milvus("collections/describe", #"{"collectionName": "docs"}"#).data
        #expect(described?["functions"]?[0]?["name"] == "embed")
        #expect(described?["functions"]?[0]?["type"] == "TextEmbedding")
        #expect(described?["functions"]?[0]?["inputFieldNames"]?[0] == "text")
        #expect(described?["functions"]?[0]?["outputFieldNames"]?[0] == "dense")
        #expect(described?["functions"]?[0]?["params"]?["model_name"] == "all-MiniLM-L6-v2")
        // Case-insensitive keys and dims as strings, as Milvus accepts.
        ok(try s.milvus("collections/create", #"{"COLLECTIONNAME": "ci", "Dimension": "8", "metrictype": "l2"}"#))
        #expect(try s.milvus("collections/describe", #"{"collectionname": "ci"}"#).data?["indexes"]?[0]?["metricType"] == "L2")
    }

    static func entities(_ s: APIHarness, _ traits: BackendTraits) async throws {
        ok(try s.milvus("collections/create", Self.quickSetup))
        let ins = try s.milvus("entities/insert", Self.insertBody)
        #expect(ins.data?["insertCount"] == 10)
        #expect(ins.data?["insertIds"] == .array((0..<10).map { .int(Int64($0)) }))
        let up = try s.milvus("entities/upsert", #"{"collectionName": "quick_setup", "data": [{"id": 0, "vector": [0.1, 0.2, 0.3, 0.4, 0.5], "color": "red_0000", "likes": 99}]}"#)
        #expect(up.data?["upsertCount"] == 1 && up.data?["upsertIds"] == [0])
        #expect(try s.milvus("collections/get_stats", #"{"collectionName": "quick_setup"}"#).data?["rowCount"] == 10)

        let got = try #require(try s.milvus("entities/get", #"{"collectionName": "quick_setup", "id": [0, 1], "outputFields": ["color"]}"#).data?.arrayValue)
        #expect(got.count == 2)
        #expect(got[0]["id"] == 0 && got[0]["color"] == "red_0000" && got[0]["vector"] == nil)
        #expect(try s.milvus("entities/get", #"{"collectionName": "quick_setup", "id": 3}"#).data?[0]?["color"] == "pink_9298")

        let q = try s.milvus("entities/query", #"{"collectionName": "quick_setup", "filter": "color like \"red%\"", "outputFields": ["color"], "limit": 3}"#)
        #expect(q["cost"] == 0)
        let qrows = try #require(q.data?.arrayValue)
        #expect(qrows.count == 3)
        #expect(qrows.allSatisfy { $0["color"]?.stringValue?.hasPrefix("red") == true })
        let offset = try #require(try s.milvus("entities/query", #"{"collectionName": "quick_setup", "filter": "likes >= 0", "limit": 2, "offset": 8}"#).data?.arrayValue)
        #expect(offset.count == 2)
        let count = try s.milvus("entities/query", #"{"collectionName": "quick_setup", "filter": "", "outputFields": ["count(*)"]}"#)
        #expect(count.data == [["count(*)": 10]])
        let templ = try s.milvus("entities/query", #"{"collectionName": "quick_setup", "filter": "id in {ids}", "exprParams": {"ids": [2, 4]}, "outputFields": ["count(*)"]}"#)
        #expect(templ.data == [["count(*)": 2]])

        // The docs' filtered search: COSINE, ef, output fields at the top level of each hit.
        let search = try s.milvus("entities/search", #"""
            {"collectionName": "quick_setup", "data": [[0.3580376395471989, -0.6023495712049978, 0.18414012509913835, -0.26286205330961354, 0.9029438446296592]],
             "annsField": "vector", "filter": "color like \"red%\" and likes > 50", "limit": 3, "offset": 0,
             "outputFields": ["color"], "searchParams": {"metricType": "COSINE", "params": {"ef": 64}}, "consistencyLevel": "Bounded"}
            """#)
        #expect(search["cost"] == 0)
        let hits = try #require(search.data?.arrayValue)
        #expect(hits.count == 2)  // red_0000 (likes 99) and red_9392 (likes 60)
        #expect(hits.map { $0["id"] } == [6, 0] || hits.map { $0["id"] } == [0, 6])
        for h in hits {
            #expect(h["color"]?.stringValue?.hasPrefix("red") == true)
            #expect(h["distance"]?.doubleValue != nil)
        }
        #expect(hits[0]["distance"]!.doubleValue! >= hits[1]["distance"]!.doubleValue!)
        // Exact self-match first.
        let selfHit = try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [\#(Self.vectors[5])], "limit": 1}"#)
        #expect(selfHit.data?[0]?["id"] == 5)
        #expect(abs((selfHit.data?[0]?["distance"]?.doubleValue ?? 0) - 1) < 1e-5)
        // nq = 2: nested lists plus topks.
        let multi = try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [\#(Self.vectors[1]), \#(Self.vectors[2])], "limit": 2}"#)
        #expect(multi["topks"] == [2, 2])
        #expect(multi.data?[0]?[0]?["id"] == 1 && multi.data?[1]?[0]?["id"] == 2)
        // Range search (COSINE: radius < similarity <= range_filter), flat searchParams (Milvus ≥ 2.5.2).
        let range = try #require(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [\#(Self.vectors[5])], "limit": 10, "searchParams": {"metricType": "COSINE", "radius": 0.4, "range_filter": 0.99}}"#).data?.arrayValue)
        #expect(!range.isEmpty)
        #expect(range.allSatisfy { ($0["distance"]?.doubleValue ?? 0) > 0.4 && ($0["distance"]?.doubleValue ?? 1) <= 0.99 })
        #expect(!range.contains { $0["id"] == 5 })
        // Grouping: at most groupSize hits per color prefix group value.
        let grouped = try #require(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [\#(Self.vectors[0])], "limit": 3, "groupingField": "color", "groupSize": 1, "outputFields": ["color"]}"#).data?.arrayValue)
        #expect(grouped.count == 3)
        #expect(Set(grouped.compactMap { $0["color"]?.stringValue }).count == 3)

        let del = try s.milvus("entities/delete", #"{"collectionName": "quick_setup", "filter": "id in [0, 1]"}"#)
        #expect(del.data?["deleteCount"] == 2 && del["cost"] == 0)
        #expect(try s.milvus("entities/query", #"{"collectionName": "quick_setup", "outputFields": ["count(*)"]}"#).data == [["count(*)": 8]])
        let byIDs = try s.milvus("entities/delete", #"{"collectionName": "quick_setup", "ids": [2, 3, 777]}"#)
        #expect(byIDs.data?["deleteCount"] == 3)  // the ids given, as Milvus counts deletes by key (777 does not exist)
        #expect(try s.milvus("entities/query", #"{"collectionName": "quick_setup", "outputFields": ["count(*)"]}"#).data == [["count(*)": 6]])
    }

    static func entityErrors(_ s: APIHarness, _ traits: BackendTraits) async throws {
        ok(try s.milvus("collections/create", Self.quickSetup))
        fails(try s.milvus("entities/insert", #"{"collectionName": "quick_setup"}"#), 1802)
        fails(try s.milvus("entities/insert", #"{"collectionName": "quick_setup", "data": []}"#), 1802)
        fails(try s.milvus("entities/insert", #"{"collectionName": "quick_setup", "data": [{"id": 1, "vector": [1, 2, 3]}]}"#), 1804)  // wrong dimension
        fails(try s.milvus("entities/insert", #"{"collectionName": "quick_setup", "data": [{"id": "x", "vector": [1, 2, 3, 4, 5]}]}"#), 1804)
        fails(try s.milvus("entities/insert", #"{"collectionName": "nope", "data": [{"id": 1, "vector": [1, 2, 3, 4, 5]}]}"#), 100)
        fails(try s.milvus("entities/insert", #"{"collectionName": "quick_setup", "data": [5]}"#), 1100)
        fails(try s.milvus("entities/upsert", #"{"collectionName": "quick_setup", "data": [{"id": 1,}]}"#), 1801)
        fails(try s.milvus("entities/upsert", #"{"collectionName": "quick_setup", "data": [{"id": 1, "vector": [1, 2]}]}"#), 1804)
        fails(try s.milvus("entities/delete", #"{"collectionName": "quick_setup"}"#), 1802)
        fails(try s.milvus("entities/delete", #"{"collectionName": "quick_setup", "filter": "id in [1", "ids": [1]}"#), 1100)
        fails(try s.milvus("entities/delete", #"{"collectionName": "quick_setup", "filter": "id >>> 1"}"#), 1100)
        fails(try s.milvus("entities/get", #"{"collectionName": "quick_setup"}"#), 1802)
        fails(try s.milvus("entities/get", #"{"collectionName": "quick_setup", "id": [1.5]}"#), 1100)
        fails(try s.milvus("entities/query", #"{"collectionName": "nope", "filter": "id > 0"}"#), 100)
        fails(try s.milvus("entities/query", #"{"collectionName": "quick_setup", "limit": 20000}"#), 1100)
        fails(try s.milvus("entities/query", #"{"collectionName": "quick_setup", "limit": 10, "offset": 16380}"#), 1100)
        fails(try s.milvus("entities/query", #"{"collectionName": "quick_setup", "outputFields": ["count(*)", "id"]}"#), 1100)
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, 3]]}"#), 1100)  // wrong dimension
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup"}"#), 1802)
        fails(try s.milvus("entities/search", #"{"data": [[1, 2, 3, 4, 5]]}"#), 1802)
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, 3, 4, 5]], "limit": 16384, "offset": 1}"#), 1100)
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, 3, 4, 5]], "limit": 0}"#), 1100)
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, 3, 4, 5], [1, 2]]}"#), 1100)
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, "x", 4, 5]]}"#), 1100)
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, 3, 4, 5]], "searchParams": {"ef": 10, "params": {"ef": 20}}}"#), 1100)
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, 3, 4, 5]], "searchParams": {"metricType": "COSINE", "params": {"radius": 0.8, "range_filter": 0.5}}}"#), 1100)
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, 3, 4, 5]], "searchParams": {"metricType": "L2"}}"#), 1100)
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, 3, 4, 5]], "filter": "nofield > 1 +"}"#), 1100)
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, 3, 4, 5]], "groupingField": "color", "groupSize": 0}"#), 1100)
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, 3, 4, 5]]"#), 1801)
        // nq over the limit
        let many = "[" + Array(repeating: "[1]", count: 16_385).joined(separator: ",") + "]"
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": \#(many)}"#), 1100)
        ok(try s.milvus("collections/release", #"{"collectionName": "quick_setup"}"#))
        fails(try s.milvus("entities/search", #"{"collectionName": "quick_setup", "data": [[1, 2, 3, 4, 5]]}"#), 101)
    }

    static func int64IDsRoundTripExactly(_ s: APIHarness, _ traits: BackendTraits) async throws {
        ok(try s.milvus("collections/create", #"""
            {"collectionName": "big", "schema": {"fields": [
              {"fieldName": "pk", "dataType": "Int64", "isPrimary": true},
              {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]},
             "indexParams": [{"fieldName": "v", "metricType": "L2", "params": {"index_type": "FLAT"}}]}
            """#))
        let ins = try s.milvus("entities/insert", #"{"collectionName": "big", "data": [{"pk": 9007199254740993, "v": [1, 0]}, {"pk": 9223372036854775807, "v": [0, 1]}, {"pk": -9223372036854775808, "v": [5, 5]}]}"#)
        #expect(ins.data?["insertIds"] == [9007199254740993, 9223372036854775807, .int(Int64.min)])
        let get = try s.request("POST", "/v2/vectordb/entities/get", body: Array(#"{"collectionName": "big", "id": [9007199254740993]}"#.utf8))
        #expect(get.bodyText.contains("\"pk\":9007199254740993"))
        #expect(try JSONValue.parse(get.body).data?[0]?["v"]?.floatArray() == [1, 0])
        let q = try s.milvus("entities/query", #"{"collectionName": "big", "filter": "pk == 9007199254740993", "outputFields": ["pk"]}"#)
        #expect(q.data == [["pk": 9007199254740993]])
        #expect(try s.milvus("entities/query", #"{"collectionName": "big", "filter": "pk == 9007199254740992", "outputFields": ["count(*)"]}"#).data == [["count(*)": 0]])
        let hit = try s.milvus("entities/search", #"{"collectionName": "big", "data": [[0.9, 0.1]], "limit": 1}"#)
        #expect(hit.data?[0]?["pk"] == 9007199254740993)
        #expect(try s.milvus("entities/get", #"{"collectionName": "big", "id": 9223372036854775807}"#).data?[0]?["pk"] == 9223372036854775807)
    }

    static func autoIDAndVarCharKeys(_ s: APIHarness, _ traits: BackendTraits) async throws {
        ok(try s.milvus("collections/create", #"{"collectionName": "auto", "dimension": 2, "autoID": true, "metricType": "IP"}"#))
        let ins = try s.milvus("entities/insert", #"{"collectionName": "auto", "data": [{"vector": [1, 2]}, {"vector": [3, 4]}]}"#)
        let ids = try #require(ins.data?["insertIds"]?.arrayValue)
        #expect(ids.count == 2 && ids[0].int64Value != nil && ids[0] != ids[1])
        fails(try s.milvus("entities/insert", #"{"collectionName": "auto", "data": [{"id": 5, "vector": [1, 2]}]}"#), 1804)
        ok(try s.milvus("collections/create", #"{"collectionName": "vc", "dimension": 2, "idType": "VarChar", "params": {"max_length": 16}}"#))
        #expect(try s.milvus("entities/insert", #"{"collectionName": "vc", "data": [{"id": "a", "vector": [1, 2]}]}"#).data?["insertIds"] == ["a"])
        #expect(try s.milvus("entities/get", #"{"collectionName": "vc", "id": ["a"]}"#).data?[0]?["id"] == "a")
        fails(try s.milvus("entities/insert", #"{"collectionName": "vc", "data": [{"id": "aaaaaaaaaaaaaaaaaaaaa", "vector": [1, 2]}]}"#), 1804)
    }

    static func indexes(_ s: APIHarness, _ traits: BackendTraits) async throws {
        ok(try s.milvus("collections/create", #"""
            {"collectionName": "idx", "schema": {"autoId": false, "enabledDynamicField": false, "fields": [
              {"fieldName": "my_id", "dataType": "Int64", "isPrimary": true},
              {"fieldName": "my_vector", "dataType": "FloatVector", "elementTypeParams": {"dim": "5"}}]}}
            """#))
        #expect(try s.milvus("collections/get_load_state", #"{"collectionName": "idx"}"#).data?["loadState"] == "LoadStateNotLoad")
        #expect(try s.milvus("indexes/list", #"{"collectionName": "idx"}"#).data == [])
        ok(try s.milvus("indexes/create", #"{"collectionName": "idx", "indexParams": [{"metricType": "L2", "fieldName": "my_vector", "indexName": "my_vector", "indexConfig": {"index_type": "HNSW"}, "params": {"M": "32", "efConstruction": 100}}]}"#))
        #expect(try s.milvus("indexes/list", #"{"collectionName": "idx"}"#).data == ["my_vector"])
        let d = try #require(try s.milvus("indexes/describe", #"{"collectionName": "idx", "indexName": "my_vector"}"#).data?[0])
        #expect(d["indexType"] == "HNSW" && d["metricType"] == "L2" && d["fieldName"] == "my_vector" && d["indexState"] == "Finished")
        #expect(d["params"]?["M"] == 32)
        fails(try s.milvus("indexes/create", #"{"collectionName": "idx", "indexParams": [{"fieldName": "my_vector", "metricType": "L2", "indexName": "again"}]}"#), 702)
        ok(try s.milvus("collections/load", #"{"collectionName": "idx"}"#))
        fails(try s.milvus("indexes/drop", #"{"collectionName": "idx", "indexName": "my_vector"}"#), 1100)  // loaded
        ok(try s.milvus("collections/release", #"{"collectionName": "idx"}"#))
        ok(try s.milvus("indexes/drop", #"{"collectionName": "idx", "indexName": "my_vector"}"#))
        #expect(try s.milvus("indexes/list", #"{"collectionName": "idx"}"#).data == [])
        // errors
        fails(try s.milvus("indexes/create", #"{"collectionName": "idx"}"#), 1802)
        fails(try s.milvus("indexes/create", #"{"collectionName": "idx", "indexParams": [{"fieldName": "my_vector", "params": {"index_type": "DISKANN"}}]}"#), 1100)
        fails(try s.milvus("indexes/create", #"{"collectionName": "idx", "indexParams": [{"fieldName": "my_vector", "params": {"index_type": "IVF_FLAT", "nlist": 0}}]}"#), 1100)
        fails(try s.milvus("indexes/create", #"{"collectionName": "idx", "indexParams": [{"fieldName": "nofield"}]}"#), 1700)
        fails(try s.milvus("indexes/create", #"{"collectionName": "idx", "indexParams": [{"fieldName": "my_vector", "params": {"M": 1}}]}"#), 1100)
        fails(try s.milvus("indexes/describe", #"{"collectionName": "idx", "indexName": "none"}"#), 700)
        fails(try s.milvus("indexes/describe", #"{"collectionName": "idx"}"#), 1802)
        fails(try s.milvus("indexes/list", #"{"collectionName": "nope"}"#), 100)
        fails(try s.milvus("indexes/drop", #"{"collectionName": "idx"}"#), 1802)
    }

    static func partitions(_ s: APIHarness, _ traits: BackendTraits) async throws {
        ok(try s.milvus("collections/create", Self.quickSetup))
        ok(try s.milvus("partitions/create", #"{"collectionName": "quick_setup", "partitionName": "partitionA"}"#))
        #expect(try s.milvus("partitions/list", #"{"collectionName": "quick_setup"}"#).data == ["_default", "partitionA"])
        #expect(try s.milvus("partitions/has", #"{"collectionName": "quick_setup", "partitionName": "partitionA"}"#).data?["has"] == true)
        #expect(try s.milvus("partitions/has", #"{"collectionName": "quick_setup", "partitionName": "partitionB"}"#).data?["has"] == false)
        let intoA = try s.milvus("entities/insert", #"{"collectionName": "quick_setup", "partitionName": "partitionA", "data": [{"id": 1, "vector": [1, 2, 3, 4, 5]}]}"#)
        ok(try s.milvus("entities/insert", #"{"collectionName": "quick_setup", "data": [{"id": 2, "vector": [1, 2, 3, 4, 5]}]}"#))
        let countA = try s.milvus("entities/query", #"{"collectionName": "quick_setup", "partitionNames": ["partitionA"], "outputFields": ["count(*)"]}"#)
        ok(try s.milvus("partitions/load", #"{"collectionName": "quick_setup", "partitionNames": ["partitionA"]}"#))
        let releaseA = try s.milvus("partitions/release", #"{"collectionName": "quick_setup", "partitionNames": ["partitionA"]}"#)
        if traits.partitionsHoldRows {
            ok(intoA)
            #expect(countA.data == [["count(*)": 1]])
            ok(releaseA)
        } else {
            fails(intoA, 1100)
            fails(countA, 1100)
            fails(releaseA, 1100)
            #expect(try s.milvus("entities/query", #"{"collectionName": "quick_setup", "partitionNames": ["_default"], "outputFields": ["count(*)"]}"#).data == [["count(*)": 1]])
        }
        ok(try s.milvus("partitions/drop", #"{"collectionName": "quick_setup", "partitionName": "partitionA"}"#))
        #expect(try s.milvus("partitions/list", #"{"collectionName": "quick_setup"}"#).data == ["_default"])
        fails(try s.milvus("partitions/create", #"{"collectionName": "quick_setup"}"#), 1802)
        fails(try s.milvus("partitions/create", #"{"collectionName": "quick_setup", "partitionName": "1bad"}"#), 1100)
        fails(try s.milvus("partitions/drop", #"{"collectionName": "quick_setup", "partitionName": "partitionA"}"#), 202)
        fails(try s.milvus("partitions/list", #"{"collectionName": "nope"}"#), 100)
        fails(try s.milvus("partitions/has", #"{"collectionName": "quick_setup"}"#), 1802)
        fails(try s.milvus("partitions/load", #"{"collectionName": "quick_setup"}"#), 1802)
        fails(try s.milvus("partitions/release", #"{"collectionName": "quick_setup", "partitionNames": ["zzz"]}"#), 202)
        fails(try s.milvus("entities/insert", #"{"collectionName": "quick_setup", "partitionName": "zzz", "data": [{"id": 3, "vector": [1, 2, 3, 4, 5]}]}"#), 202)
    }

    static func aliases(_ s: APIHarness, _ traits: BackendTraits) async throws {
        ok(try s.milvus("collections/create", Self.quickSetup))
        ok(try s.milvus("collections/create", #"{"collectionName": "other", "dimension": 5}"#))
        ok(try s.milvus("aliases/create", #"{"collectionName": "quick_setup", "aliasName": "alice"}"#))
        #expect(try s.milvus("aliases/describe", #"{"aliasName": "alice"}"#).data == ["dbName": "default", "collectionName": "quick_setup", "aliasName": "alice"])
        #expect(try s.milvus("aliases/list", "{}").data == ["alice"])
        #expect(try s.milvus("aliases/list", #"{"collectionName": "other"}"#).data == [])
        #expect(try s.milvus("collections/describe", #"{"collectionName": "alice"}"#).data?["aliases"] == ["alice"])
        ok(try s.milvus("entities/insert", #"{"collectionName": "alice", "data": [{"id": 1, "vector": [1, 2, 3, 4, 5]}]}"#))
        #expect(try s.milvus("entities/search", #"{"collectionName": "alice", "data": [[1, 2, 3, 4, 5]]}"#).data?[0]?["id"] == 1)
        ok(try s.milvus("aliases/alter", #"{"collectionName": "other", "aliasName": "alice"}"#))
        #expect(try s.milvus("aliases/describe", #"{"aliasName": "alice"}"#).data?["collectionName"] == "other")
        ok(try s.milvus("aliases/drop", #"{"aliasName": "alice"}"#))
        fails(try s.milvus("aliases/create", #"{"collectionName": "nope", "aliasName": "bob"}"#), 100)
        fails(try s.milvus("aliases/create", #"{"collectionName": "other"}"#), 1802)
        fails(try s.milvus("aliases/describe", #"{"aliasName": "alice"}"#), 1600)
        fails(try s.milvus("aliases/list", #"{"collectionName": "nope"}"#), 100)
        fails(try s.milvus("aliases/drop", "{}"), 1802)
        fails(try s.milvus("aliases/alter", #"{"collectionName": "other", "aliasName": "ghost"}"#), 1600)
    }

    static func users(_ s: APIHarness, _ traits: BackendTraits) async throws {
        ok(try s.milvus("users/create", #"{"userName": "milvusAdmin", "password": "Milvus123"}"#))
        #expect(try s.milvus("users/list", "{}").data == ["milvusAdmin", "root"])
        ok(try s.milvus("users/update_password", #"{"userName": "milvusAdmin", "password": "Milvus123", "newPassword": "Milvus456"}"#))
        fails(try s.milvus("users/update_password", #"{"userName": "milvusAdmin", "password": "wrong!!", "newPassword": "Milvus789"}"#), 1100)
        ok(try s.milvus("users/drop", #"{"userName": "milvusAdmin"}"#))
        #expect(try s.milvus("users/list", "{}").data == ["root"])
        fails(try s.milvus("users/create", #"{"userName": "u1"}"#), 1802)
        fails(try s.milvus("users/create", #"{"userName": "u1", "password": "123"}"#), 1100)
        fails(try s.milvus("users/drop", "{}"), 1802)
        fails(try s.milvus("users/list", "{"), 1801)
        fails(try s.milvus("users/update_password", #"{"userName": "root", "password": "Milvus"}"#), 1802)
    }

    /// Every endpoint: malformed JSON → 1801, and (where it has required fields) `{}` → 1802.
    static func everyEndpointRejectsMalformedAndIncompleteBodies(_ s: APIHarness, _ traits: BackendTraits) async throws {
        #expect(MilvusRESTRoutes.paths.count == 40)  // 37 Milvus endpoints + cluster/describe, cluster/drain_node, collections/compact
        for path in MilvusRESTRoutes.paths {
            fails(try s.milvus(path, #"{"collectionName": "#), 1801)
            fails(try s.milvus(path, #"{"a": 1, "a": 2}"#), 1801)
            fails(try s.milvus(path, "\"text\""), 1801)
            let r = try s.milvus(path, "{}")
            if path.hasSuffix("/list") || path == "/v2/vectordb/cluster/describe" {  // no required parameters
                #expect(r.code == 0 || r.code == 1802, "\(path): \(r)")
            } else {
                fails(r, 1802)
            }
        }
    }
}
