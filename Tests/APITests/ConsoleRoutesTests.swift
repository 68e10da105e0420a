import API
import APIConformance
import JSON
import Testing

/// `GET /console` and the vecnode extensions the page reads: `cluster/describe`, `collections/get_replicas`
/// (issue #5's shape) and `collections/compact`.
@Suite(.serialized) struct ConsoleRoutesTests {
    static let auth = APIAuth(enabled: true)

    @Test func pageIsServedSelfContained() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
            for path in ["/console", "/console/"] {
                let r = try s.request("GET", path)
                #expect(r.status == 200)
                #expect(r.header("content-type") == "text/html; charset=utf-8")
                #expect(r.header("content-security-policy")?.contains("connect-src 'self'") == true)
                let html = r.bodyText
                #expect(html.hasPrefix("<!doctype html>"))
                // Reads the public API only, and loads nothing from elsewhere (works offline).
                for endpoint in ["cluster/describe", "collections/get_replicas", "collections/compact", "collections/load",
                                 "collections/release", "collections/flush", "\"/metrics\"", "\"/search\"", "\"/health\""] {
                    #expect(html.contains(endpoint), "page does not use \(endpoint)")
                }
                #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src=\""))
            }
            #expect(try s.request("POST", "/console").status == 405)
        }
    }

    @Test func pageNeedsNoCredentialsButTheAPIDoes() async throws {
        try await withAPIServer(auth: Self.auth) { (s: APITestServer) async throws in
            #expect(try s.request("GET", "/console").status == 200)
            let refused = try s.milvus("cluster/describe", "{}")
            #expect(refused.code == 1800)
            let compact = try s.milvus("collections/compact", #"{"collectionName": "c"}"#)
            #expect(compact.code == 1800)
            let allowed = try s.milvus("cluster/describe", "{}", headers: ["Authorization": "Bearer root:Milvus"])
            #expect(allowed.code == 0)
        }
    }

    @Test func clusterDescribeEnvelope() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
            #expect(try s.milvus("collections/create", #"{"collectionName": "c", "dimension": 2, "params": {"shardsNum": 2}}"#).code == 0)
            let rows = (0..<5).map { #"{"id": \#($0), "vector": [\#($0), 1]}"# }.joined(separator: ",")
            #expect(try s.milvus("entities/insert", #"{"collectionName": "c", "data": [\#(rows)]}"#).code == 0)
            let d = try #require(try s.milvus("cluster/describe", "{}").data)
            #expect(d["state"] == "healthy")
            let nodes = try #require(d["nodes"]?.arrayValue)
            #expect(nodes.count == 1)
            let n = nodes[0]
            #expect(n["role"] == "standalone" && n["nodeID"] == 1 && n["address"] == "127.0.0.1:19530" && n["healthy"] == true)
            #expect(n["uptimeSeconds"] == 12.5 && n["uptimeIsObserved"] == false && n["searches"] == 0 && n["message"] == "")
            let hosted = try #require(n["replicas"]?.arrayValue)
            #expect(hosted.count == 2)
            #expect(hosted.map { $0["rowCount"]?.int64Value ?? -1 }.reduce(0, +) == 5)
            #expect(hosted[0]["collectionName"] == "c" && hosted[0]["shard"] == 0 && hosted[0]["replicaID"] == 1000)
            #expect(hosted[0]["sealedSegments"] == 0 && hosted[0]["lastError"] == "")
            // Unknown keys are ignored like elsewhere; a body that is not JSON is refused.
            #expect(try s.milvus("cluster/describe", "{nope").code == 1801)
        }
    }

    @Test func clusterDescribeReportsAnUnhealthyNode() async throws {
        try await withAPIServer(backend: InMemoryBackend(serving: false)) { (s: APITestServer) async throws in
            let d = try #require(try s.milvus("cluster/describe", "{}").data)
            #expect(d["state"] == "no quorum")
            #expect(d["nodes"]?[0]?["healthy"] == false)
        }
    }

    @Test func replicasInIssue5Shape() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
            #expect(try s.milvus("collections/create", #"{"collectionName": "c", "dimension": 2, "params": {"shardsNum": 2}}"#).code == 0)
            #expect(try s.milvus("collections/load", #"{"collectionName": "c", "replicaNumber": 2}"#).code == 0)
            let replicas = try #require(try s.milvus("collections/get_replicas", #"{"collectionName": "c"}"#).data?["replicas"]?.arrayValue)
            #expect(replicas.count == 2)
            #expect(replicas[1]["replicaID"] == 1001 && replicas[1]["nodes"] == [2] && replicas[1]["healthy"] == true)
            #expect(replicas[1]["shards"] == [["shard": 0, "leader": 2, "nodes": [2]], ["shard": 1, "leader": 2, "nodes": [2]]])
            #expect(try s.milvus("collections/release", #"{"collectionName": "c"}"#).code == 0)
            #expect(try s.milvus("collections/get_replicas", #"{"collectionName": "c"}"#).code == 101)
            #expect(try s.milvus("collections/get_replicas", "{}").code == 1802)
        }
    }

    @Test func compact() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
            #expect(try s.milvus("collections/create", #"{"collectionName": "c", "dimension": 2}"#).code == 0)
            let done = try s.milvus("collections/compact", #"{"collectionName": "c"}"#)
            #expect(done.code == 0 && done.data == [:])
            #expect(try s.milvus("collections/compact", #"{"collectionName": "nope"}"#).code == 100)
            #expect(try s.milvus("collections/compact", "{}").code == 1802)
            #expect(try s.milvus("collections/compact", #"{"collectionName": 7}"#).code == 1100)
        }
    }
}
