import API
import JSON
import Testing

@Suite(.serialized) struct SeedRoutesTests {
    func seed(_ s: APITestServer) throws {
        #expect(try s.milvus("collections/create", #"{"collectionName": "docs", "dimension": 3, "metricType": "L2"}"#).code == 0)
        #expect(try s.milvus("entities/insert", #"{"collectionName": "docs", "data": [{"id": 1, "vector": [1, 0, 0], "title": "one"}, {"id": 2, "vector": [0, 1, 0], "title": "two"}, {"id": 9007199254740993, "vector": [0, 0, 1], "title": "big"}]}"#).code == 0)
    }

    @Test func healthReportsTheBackend() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
            let r = try s.request("GET", "/health")
            #expect(r.status == 200)
            let v = try JSONValue.parse(r.body)
            #expect(v["status"] == "ok" && v["role"] == "standalone" && v["node_id"] == "node-1")
            #expect(v["uptime_seconds"] == 12.5 && v["cluster_state"] == "healthy")
        }
        try await withAPIServer(backend: InMemoryBackend(serving: false)) { (s: APITestServer) async throws in
            let r = try s.request("GET", "/health")
            #expect(r.status == 503)
            #expect(try JSONValue.parse(r.body)["status"] == "unavailable")
        }
    }

    @Test func searchByVector() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
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
            let withVectors = try JSONValue.parse(try s.request("POST", "/search", body: Array(#"{"vector": [0, 0, 1], "top_k": 1, "collection": "docs", "output_fields": ["vector"]}"#.utf8)).body)
            #expect(withVectors["results"]?[0]?["fields"]?["vector"]?.arrayValue?.count == 3)
            #expect(results[0]["score"]!.doubleValue! <= results[1]["score"]!.doubleValue!)  // L2: ascending
            let filtered = try JSONValue.parse(try s.request("POST", "/search", body: Array(#"{"vector": [0, 0, 1], "collection": "docs", "filter": "id < 100"}"#.utf8)).body)
            #expect(filtered["results"]?.arrayValue?.map { $0["id"] } == [1, 2])
        }
    }

    @Test func defaultCollection() async throws {
        try await withAPIServer(defaultCollection: "docs") { (s: APITestServer) async throws in
            try seed(s)
            let r = try s.request("POST", "/search", body: Array(#"{"vector": [1, 0, 0], "top_k": 1}"#.utf8))
            #expect(r.status == 200)
            #expect(try JSONValue.parse(r.body)["results"]?[0]?["id"] == 1)
        }
        try await withAPIServer { (s: APITestServer) async throws in
            try seed(s)
            let r = try s.request("POST", "/search", body: Array(#"{"vector": [1, 0, 0]}"#.utf8))
            #expect(r.status == 400)
            #expect(try JSONValue.parse(r.body)["error"]?.stringValue?.contains("default collection") == true)
        }
    }

    @Test func badInputGetsHTTPErrors() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
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
            let wrongMethod = try s.request("GET", "/search")
            #expect(wrongMethod.status == 405)
        }
    }

    /// Texts arrive as JSON strings, which the JSON reader validates: invalid UTF-8 in a query (or an inserted
    /// text) is refused while parsing, before any embedding, with a message that says so.
    @Test func invalidUTF8InAQueryIsRefused() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
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
}
