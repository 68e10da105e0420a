import API
import APIConformance
import Testing

/// End-to-end: every case of `EndpointCase.all` (Milvus REST v2 with the bodies from Milvus's docs, the
/// seed's routes, auth) against a live server over the in-memory backend. `ProxyTests` runs the same cases
/// over the proxy and the real cluster roles.
@Suite(.serialized) struct MilvusRESTRoutesTests {
    @Test(arguments: EndpointCase.all) func overTheInMemoryBackend(_ endpointCase: EndpointCase) async throws {
        try await withAPIServer(auth: endpointCase.auth, defaultCollection: endpointCase.defaultCollection) { s in
            try await endpointCase.run(s, BackendTraits(partitionsHoldRows: true))
        }
    }
}
