import API
import APIConformance
import HTTP
import HTTPTestSupport
import JSON
import Proxy
import Testing

/// The HTTP API over a live server with the proxy behind it: every case of `EndpointCase.all` (the same
/// cases `APITests` runs over the in-memory backend) over the real roles, and a smoke set over both the
/// test stand-ins and the real roles with two shards.
@Suite(.serialized) struct ProxyHTTPTests {
    /// A fresh cluster per case (two query nodes, for `replicaNumber: 2`). Bounded staleness 0 makes Bounded
    /// reads (the default level) catch up like Strong, as the in-memory backend always is: the cases check
    /// what the API answers, not how stale a Bounded read may be.
    @Test(arguments: EndpointCase.all) func everyEndpointOverTheProxy(_ endpointCase: EndpointCase) async throws {
        let cluster = try await RealCluster(queryNodes: 2) { $0.boundedStalenessMilliseconds = 0 }
        let server = try APIHarness(backend: cluster.proxy, auth: endpointCase.auth, defaultCollection: endpointCase.defaultCollection,
                                    metricsSources: [cluster.proxy])
        do {
            try await endpointCase.run(server, BackendTraits(partitionsHoldRows: false))
        } catch {
            await server.stop()
            await cluster.shutdown()
            throw error
        }
        await server.stop()
        await cluster.shutdown()
    }

    @Test(arguments: [false, true]) func restSmokeOverTheProxy(real: Bool) async throws {
        let cluster = try await makeCluster(real: real, queryNodes: 1)
        var router = HTTPRouter()
        MilvusRESTRoutes(backend: cluster.proxy).register(on: &router)
        SeedRoutes(backend: cluster.proxy).register(on: &router)
        var config = HTTPServerConfiguration()
        config.handlerExecutor = TestThreadExecutor.shared
        let server = try HTTPServer(configuration: config, router: router)
        try server.start()
        let client = try RawHTTPClient(port: server.address.port)

        func post(_ path: String, _ body: String) throws -> JSONValue {
            let bytes = Array(body.utf8)
            try client.send(Array("POST /v2/vectordb/\(path) HTTP/1.1\r\nHost: t\r\nContent-Length: \(bytes.count)\r\n\r\n".utf8) + bytes)
            let r = try #require(try client.readResponse())
            #expect(r.status == 200)
            return try JSONValue.parse(r.body)
        }

        var v = try post("collections/create", #"{"collectionName":"h","dimension":4,"metricType":"L2","params":{"shardsNum":2,"consistencyLevel":"Strong"}}"#)
        #expect(v["code"]?.int64Value == 0, "\(v)")
        v = try post("collections/describe", #"{"collectionName":"h"}"#)
        #expect(v["data"]?["collectionName"]?.stringValue == "h", "\(v)")
        #expect(v["data"]?["load"]?.stringValue == "LoadStateLoaded", "\(v)")
        v = try post("entities/insert", #"{"collectionName":"h","data":[{"id":1,"vector":[0,0,0,1]},{"id":2,"vector":[0,0,1,0]},{"id":3,"vector":[1,0,0,0]},{"id":4,"vector":[0,1,0,0]}]}"#)
        #expect(v["data"]?["insertCount"]?.int64Value == 4, "\(v)")
        v = try post("entities/search", #"{"collectionName":"h","data":[[0,0,0.9,0.1]],"limit":2,"consistencyLevel":"Strong"}"#)
        let ids = v["data"]?.arrayValue?.compactMap { $0["id"]?.int64Value }
        #expect(ids == [2, 1], "\(v)")
        v = try post("entities/query", #"{"collectionName":"h","filter":"id > 2","outputFields":["id"],"consistencyLevel":"Strong"}"#)
        #expect(v["data"]?.arrayValue?.compactMap { $0["id"]?.int64Value }.sorted() == [3, 4], "\(v)")
        v = try post("entities/query", #"{"collectionName":"h","filter":"","outputFields":["count(*)"],"consistencyLevel":"Strong"}"#)
        #expect(v["data"]?.arrayValue?.first?["count(*)"]?.int64Value == 4, "\(v)")
        v = try post("entities/delete", #"{"collectionName":"h","filter":"id in [1, 2]"}"#)
        #expect(v["data"]?["deleteCount"]?.int64Value == 2, "\(v)")
        v = try post("entities/get", #"{"collectionName":"h","id":[1,3]}"#)
        #expect(v["data"]?.arrayValue?.compactMap { $0["id"]?.int64Value } == [3], "\(v)")
        v = try post("collections/describe", #"{"collectionName":"missing"}"#)
        #expect(v["code"]?.int64Value == 100, "\(v)")
        v = try post("entities/insert", #"{"collectionName":"h","data":[{"id":9,"vector":[1,2]}]}"#)
        #expect(v["code"]?.int64Value == 1804, "\(v)")
        v = try post("collections/release", #"{"collectionName":"h"}"#)
        v = try post("entities/search", #"{"collectionName":"h","data":[[0,0,1,0]],"limit":2}"#)
        #expect(v["code"]?.int64Value == 101, "\(v)")
        v = try post("collections/drop", #"{"collectionName":"h"}"#)
        #expect(v["code"]?.int64Value == 0, "\(v)")
        v = try post("collections/list", "{}")
        #expect(v["data"]?.arrayValue?.isEmpty == true, "\(v)")

        await server.shutdown(gracePeriod: 1)
        await cluster.shutdown()
    }
}
