import API
import APIConformance
import Foundation
import HTTP
import JSON
import Testing

@Suite(.serialized) struct OpenAPIDocumentTests {
    @Test func repoCopyMatchesTheServedDocument() throws {
        let path = repoFile("docs/openapi.json")
        if ProcessInfo.processInfo.environment["VECNODE_WRITE_OPENAPI"] == "1" {
            try OpenAPIDocument.text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let repo = try String(contentsOfFile: path, encoding: .utf8)
        #expect(repo == OpenAPIDocument.text, "docs/openapi.json is stale: regenerate with VECNODE_WRITE_OPENAPI=1 swift test --filter OpenAPIDocumentTests")
    }

    @Test func servedAndComplete() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
            let r = try s.request("GET", "/openapi.json")
            #expect(r.status == 200 && r.header("content-type") == "application/json")
            #expect(r.bodyText == OpenAPIDocument.text)
            let doc = try JSONValue.parse(r.body)
            #expect(doc["openapi"] == "3.0.3")
            let paths = try #require(doc["paths"]?.objectValue)
            for p in MilvusRESTRoutes.paths + ["/health", "/search", "/metrics", "/openapi.json"] {
                #expect(paths[p] != nil, "\(p) missing")
            }
            #expect(paths["/v2/vectordb/entities/search"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["required"] == ["collectionName", "data"])
        }
    }

    /// Every route a server registers (as `Cluster.APIServer` does) is in the document with its method.
    @Test func documentsEveryServedRoute() throws {
        var router = HTTPRouter()
        APIHarness.registerRoutes(on: &router, backend: InMemoryBackend())
        let paths = try #require(try JSONValue.parse(Array(OpenAPIDocument.text.utf8))["paths"]?.objectValue)
        #expect(router.routes.count > 40)
        for route in router.routes {
            #expect(paths[route.path]?[route.method.rawValue.lowercased()] != nil, "\(route.method) \(route.path) is served but not in /openapi.json")
        }
    }
}
