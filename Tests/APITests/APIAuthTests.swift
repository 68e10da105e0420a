import API
import JSON
import Testing

@Suite(.serialized) struct APIAuthTests {
    static let enabled = APIAuth(enabled: true, apiKeys: ["key-123": "root"])

    @Test func offByDefault() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
            #expect(try s.milvus("collections/list", "{}").code == 0)
            // Clients that always send a token still work when auth is off.
            #expect(try s.milvus("collections/list", "{}", headers: ["Authorization": "Bearer root:wrong"]).code == 0)
        }
    }

    @Test func milvusRoutesAnswer1800WithoutValidCredentials() async throws {
        try await withAPIServer(auth: Self.enabled) { (s: APITestServer) async throws in
            let denied = try s.milvus("collections/list", "{}")
            #expect(denied.code == 1800 && denied.message == "user hasn't authenticated")
            #expect(try s.milvus("collections/list", "{}", headers: ["Authorization": "Bearer root:wrong"]).code == 1800)
            #expect(try s.milvus("collections/list", "{}", headers: ["Authorization": "Basic cm9vdDpNaWx2dXM="]).code == 1800)
            #expect(try s.milvus("collections/list", "{}", headers: ["Authorization": "Bearer nokey"]).code == 1800)
            #expect(try s.milvus("collections/list", "{}", headers: ["Authorization": "Bearer root:Milvus"]).code == 0)
            #expect(try s.milvus("collections/list", "{}", headers: ["Authorization": "Bearer key-123"]).code == 0)
            // Users created through the API can log in; dropped users cannot.
            let root = ["Authorization": "Bearer root:Milvus"]
            #expect(try s.milvus("users/create", #"{"userName": "alice", "password": "secret123"}"#, headers: root).code == 0)
            #expect(try s.milvus("collections/list", "{}", headers: ["Authorization": "Bearer alice:secret123"]).code == 0)
            #expect(try s.milvus("users/update_password", #"{"userName": "alice", "password": "secret123", "newPassword": "secret456"}"#, headers: root).code == 0)
            #expect(try s.milvus("collections/list", "{}", headers: ["Authorization": "Bearer alice:secret123"]).code == 1800)
            #expect(try s.milvus("users/drop", #"{"userName": "alice"}"#, headers: root).code == 0)
            #expect(try s.milvus("collections/list", "{}", headers: ["Authorization": "Bearer alice:secret456"]).code == 1800)
        }
    }

    @Test func seedSearchAnswers401AndHealthStaysOpen() async throws {
        try await withAPIServer(auth: Self.enabled) { (s: APITestServer) async throws in
            let r = try s.request("POST", "/search", body: Array(#"{"vector": [1], "collection": "c"}"#.utf8))
            #expect(r.status == 401 && r.header("www-authenticate") == "Bearer")
            #expect(try JSONValue.parse(r.body)["error"] == "user hasn't authenticated")
            let authed = try s.request("POST", "/search", body: Array(#"{"vector": [1], "collection": "c"}"#.utf8),
                                       headers: ["Authorization": "Bearer root:Milvus"])
            #expect(authed.status == 404)  // past auth: the collection does not exist
            #expect(try s.request("GET", "/health").status == 200)
            #expect(try s.request("GET", "/metrics").status == 200)
            #expect(try s.request("GET", "/openapi.json").status == 200)
        }
    }
}
