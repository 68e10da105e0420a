import API
import JSON
import Testing

/// Authentication end to end: off by default; when on, 1800 on Milvus routes and 401 on `/search` without
/// valid credentials (root's initial password `Milvus`, users created through the API, an API key), while
/// `/health`, `/metrics` and `/openapi.json` stay open.
enum AuthEndpointCases {
    static let enabled = APIAuth(enabled: true, apiKeys: ["key-123": "root"])

    static let all: [EndpointCase] = [
        EndpointCase("auth offByDefault", offByDefault),
        EndpointCase("auth milvusRoutesAnswer1800", auth: enabled, milvusRoutesAnswer1800WithoutValidCredentials),
        EndpointCase("auth seedSearchAnswers401", auth: enabled, seedSearchAnswers401AndProbesStayOpen),
    ]

    static func offByDefault(_ s: APIHarness, _ traits: BackendTraits) async throws {
        #expect(try s.milvus("collections/list", "{}").code == 0)
        // Clients that always send a token still work when auth is off.
        #expect(try s.milvus("collections/list", "{}", headers: ["Authorization": "Bearer root:wrong"]).code == 0)
    }

    static func milvusRoutesAnswer1800WithoutValidCredentials(_ s: APIHarness, _ traits: BackendTraits) async throws {
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

    static func seedSearchAnswers401AndProbesStayOpen(_ s: APIHarness, _ traits: BackendTraits) async throws {
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
