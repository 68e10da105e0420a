import API
import JSON
import Testing

/// `cluster/drain_node` (vecnode extension, docs/api.md): body validation, the Milvus envelope, and the
/// backend's refusals passed through with their codes.
@Suite(.serialized) struct ClusterRoutesTests {
    @Test func drainNodeEnvelopeAndValidation() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
            // Nothing loaded: the in-memory backend's only node drains at once.
            let ok = try s.milvus("cluster/drain_node", #"{"nodeID": 1}"#)
            #expect(ok.code == 0)
            #expect(ok.data == ["nodeID": 1, "drained": true, "remainingCopies": 0, "initialCopies": 0])
            #expect(try s.milvus("cluster/drain_node", #"{"nodeID": "1", "timeoutSeconds": 0}"#).code == 0)

            #expect(try s.milvus("cluster/drain_node", "{}").code == 1802)
            #expect(try s.milvus("cluster/drain_node", #"{"nodeID": "x"}"#).code == 1100)
            #expect(try s.milvus("cluster/drain_node", #"{"nodeID": -3}"#).code == 1100)
            #expect(try s.milvus("cluster/drain_node", #"{"nodeID": 1, "timeoutSeconds": 601}"#).code == 1100)
            #expect(try s.milvus("cluster/drain_node", #"{"nodeID": 1, "timeoutSeconds": -1}"#).code == 1100)
            #expect(try s.milvus("cluster/drain_node", "{nope").code == 1801)
            let unknown = try s.milvus("cluster/drain_node", #"{"nodeID": 9}"#)
            #expect(unknown.code == 1100 && unknown.message.contains("9"))

            // A loaded collection would lose its only node: refused with the reason.
            #expect(try s.milvus("collections/create", #"{"collectionName": "c", "dimension": 2}"#).code == 0)
            let refused = try s.milvus("cluster/drain_node", #"{"nodeID": 1}"#)
            #expect(refused.code == 1100 && refused.message.contains("collection c"), "\(refused)")
        }
    }

    @Test func drainNodeNeedsCredentials() async throws {
        try await withAPIServer(auth: APIAuth(enabled: true)) { (s: APITestServer) async throws in
            #expect(try s.milvus("cluster/drain_node", #"{"nodeID": 1}"#).code == 1800)
            #expect(try s.milvus("cluster/drain_node", #"{"nodeID": 1}"#, headers: ["Authorization": "Bearer root:Milvus"]).code == 0)
        }
    }
}
