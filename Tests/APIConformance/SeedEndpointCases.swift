import API
import JSON
import Testing

/// The seed's API end to end: `GET /health`, `POST /search` by vector (the text path needs the embedding
/// model: `TextEmbeddingClusterTests`), the default collection, HTTP statuses for bad input.
enum SeedEndpointCases {
    static let all: [EndpointCase] = [
        EndpointCase("seed health", health),
        EndpointCase("seed searchByVector", searchByVector),
        EndpointCase("seed defaultCollection", defaultCollection: "docs", searchesTheDefaultCollection),
        EndpointCase("seed noDefaultCollection", noDefaultCollection),
        EndpointCase("seed badInputGetsHTTPErrors", badInputGetsHTTPErrors),
        EndpointCase("seed invalidUTF8InAQueryIsRefused", invalidUTF8InAQueryIsRefused),
    ] + AuthEndpointCases.all

    /// Creates `docs` (3-d, L2) with three rows, one of them with an id above 2⁵³.
    static func seed(_ s: APIHarness) throws {
        #expect(try s.milvus("collections/create", #"{"collectionName": "docs", "dimension": 3, "metricType": "L2"}"#).code == 0)
        #expect(try s.milvus("entities/insert", #"{"collectionName": "docs", "data": [{"id": 1, "vector": [1, 0, 0], "title": "one"}, {"id": 2, "vector": [0, 1, 0], "title": "two"}, {"id": 9007199254740993, "vector": [0, 0, 1], "title": "big"}]}"#).code == 0)
    }

    static func search(_ s: APIHarness, _ body: String) throws -> (status: Int, json: JSONValue) {
        let r = try s.request("POST", "/search", body: Array(body.utf8))
        return (r.status, try JSONValue.parse(r.body))
    }

    static func health(_ s: APIHarness, _ traits: BackendTraits) async throws {
        let r = try s.request("GET", "/health")
        #expect(r.status == 200)
        let v = try JSONValue.parse(r.body)
        #expect(v["status"] == "ok" && v["cluster_state"] == "healthy", "\(v)")
        #expect(v["role"]?.stringValue?.isEmpty == false && v["node_id"]?.stringValue?.isEmpty == false, "\(v)")
        #expect((v["uptime_seconds"]?.doubleValue ?? -1) >= 0, "\(v)")
    }

    static func searchByVector(_ s: APIHarness, _ traits: BackendTraits) async throws {
        try seed(s)
        let r = try s.request("POST", "/search", body: Array(#"{"vector": [0.1, 0.2, 0.9], "top_k": 2, "collection": "docs"}"#.utf8))
        #expect(r.status == 200)
        #expect(r.bodyText.contains("\"id\":9007199254740993"))
        let v = try JSONValue.parse(r.body)
        #expect(v["collection"] == "docs")
        let results = try #require(v["results"]?.arrayValue)
        #expect(results.count == 2)
        #expect(results[0]["id"] == 9007199254740993 && results[0]["fields"]?["title"] == "big")
        #expect(results[0]["fields"]?["id"] == nil)  // the key is "id", not repeated in fields
        #expect(results[0]["fields"]?["vector"] == nil)  // vectors only when output_fields asks
        #expect(results[0]["score"]!.doubleValue! <= results[1]["score"]!.doubleValue!)  // L2: ascending
        let withVectors = try search(s, #"{"vector": [0, 0, 1], "top_k": 1, "collection": "docs", "output_fields": ["vector"]}"#).json
        #expect(withVectors["results"]?[0]?["fields"]?["vector"]?.arrayValue?.count == 3)
        let filtered = try search(s, #"{"vector": [0, 0, 1], "collection": "docs", "filter": "id < 100"}"#).json
        #expect(filtered["results"]?.arrayValue?.map { $0["id"] } == [1, 2])
        // `topk` and `limit` are spellings of `top_k`.
        #expect(try search(s, #"{"vector": [1, 0, 0], "topk": 1, "collection": "docs"}"#).json["results"]?.arrayValue?.count == 1)
    }

    static func searchesTheDefaultCollection(_ s: APIHarness, _ traits: BackendTraits) async throws {
        try seed(s)
        let r = try search(s, #"{"vector": [1, 0, 0], "top_k": 1}"#)
        #expect(r.status == 200)
        #expect(r.json["results"]?[0]?["id"] == 1)
    }

    static func noDefaultCollection(_ s: APIHarness, _ traits: BackendTraits) async throws {
        try seed(s)  // no text-embedding function anywhere, no --default-collection
        let r = try search(s, #"{"vector": [1, 0, 0]}"#)
        #expect(r.status == 400)
        #expect(r.json["error"]?.stringValue?.contains("default collection") == true, "\(r.json)")
    }

    static func badInputGetsHTTPErrors(_ s: APIHarness, _ traits: BackendTraits) async throws {
        try seed(s)
        let cases: [(String, Int)] = [
            (#"{"top_k": 5, "collection": "docs"}"#, 400),                      // neither query nor vector
            (#"{"query": "a", "vector": [1, 0, 0], "collection": "docs"}"#, 400),  // both
            (#"{"vector": [1, 0], "collection": "docs"}"#, 400),                 // wrong dimension
            (#"{"vector": [1, "x", 0], "collection": "docs"}"#, 400),
            (#"{"vector": [1, 0, 0], "top_k": 0, "collection": "docs"}"#, 400),
            (#"{"vector": [1, 0, 0], "top_k": 20000, "collection": "docs"}"#, 400),
            (#"{"vector": [1, 0, 0], "top_k": "5", "collection": "docs"}"#, 400),
            (#"{"vector": [1, 0, 0], "collection": "docs", "filter": "id >"}"#, 400),
            (#"{"vector": [1, 0, 0], "collection": "nope"}"#, 404),
            (#"{"vector": [1, 0, 0], "collection": "docs", "extra": 1}"#, 400),
            (#"{"query": "hello", "collection": "docs"}"#, 400),                 // no text embedding here
            (#"{"vector": [1, 0, 0]"#, 400),
            ("[]", 400),
            ("", 400),
        ]
        for (body, status) in cases {
            let r = try s.request("POST", "/search", body: Array(body.utf8))
            #expect(r.status == status, "\(body) → \(r.status) \(r.bodyText)")
            let message = try JSONValue.parse(r.body)["error"]?.stringValue ?? ""
            #expect(!message.isEmpty, "\(body)")
        }
        #expect(try s.request("GET", "/search").status == 405)
        // Released: not serving that collection (503).
        #expect(try s.milvus("collections/release", #"{"collectionName": "docs"}"#).code == 0)
        #expect(try search(s, #"{"vector": [1, 0, 0], "collection": "docs"}"#).status == 503)
    }

    /// Texts arrive as JSON strings, which the JSON reader validates: invalid UTF-8 in a query (or an inserted
    /// text) is refused while parsing, before any embedding, with a message that says so.
    static func invalidUTF8InAQueryIsRefused(_ s: APIHarness, _ traits: BackendTraits) async throws {
        try seed(s)
        let body = Array(#"{"query": "caf"#.utf8) + [0xC3, 0x28] + Array(#"", "collection": "docs"}"#.utf8)
        let r = try s.request("POST", "/search", body: body)
        #expect(r.status == 400)
        let message = try JSONValue.parse(r.body)["error"]?.stringValue ?? ""
        #expect(message.contains("UTF-8"), "\(message)")
        let insert = try s.milvus("entities/insert", bytes: Array(#"{"collectionName": "docs", "data": [{"id": 5, "vector": [1, 0, 0], "title": "caf"#.utf8)
            + [0xFF] + Array(#""}]}"#.utf8))
        #expect(insert.code != 0 && insert.message.contains("UTF-8"), "\(insert.message)")
    }
}
