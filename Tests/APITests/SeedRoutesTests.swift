import API
import APIConformance
import JSON
import Testing

/// The in-memory backend's exact health values; the seed routes' behaviour over every backend is in
/// APIConformance's `SeedEndpointCases` (run by `MilvusRESTRoutesTests`).
@Suite(.serialized) struct SeedRoutesTests {
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
}
