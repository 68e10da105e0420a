import Coordinator
import E2EScenario
import Foundation
import Glibc
import JSON
import Testing
import Wire

/// `vecnode --role gateway` as a process in front of two proxy processes: requests through the gateway reach
/// both proxies, a SIGKILLed proxy is taken out (and logged) without failing a client search, and it is put
/// back when it restarts.
@Suite(.serialized) struct GatewayProcessTests {
    @Test func gatewayBalancesTwoProxiesAndSurvivesOneDying() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let cluster = ClusterProcesses(directory: dir.path, queryNodes: 1, proxy: true, moreProxies: 1, gateway: true)
        defer { cluster.killAll() }
        let transport = try testTransport()
        defer { transport.shutdown() }
        let root = transport.client(for: cluster.rootAddress)
        try cluster.startAll()
        #expect(await cluster.waitForMembership(root, expected: [.logNode: 1, .queryCoord: 1, .queryNode: 1, .proxy: 2])
                != nil, "\(cluster.logs())")
        let gatewayPort = cluster.gatewayPort
        #expect(await StandaloneProcessTests.waitHealthy(port: gatewayPort, timeout: .seconds(20)) != nil, "\(cluster.logs())")

        let c = "gw_test"
        try await E2EScenario.runDetached {
            let client = try MilvusHTTPClient(host: "127.0.0.1", port: gatewayPort, timeout: 30)
            defer { client.close() }
            try client.post("collections/create", """
                {"collectionName":"\(c)","schema":{"autoId":false,"fields":[
                {"fieldName":"id","dataType":"Int64","isPrimary":true},
                {"fieldName":"vec","dataType":"FloatVector","elementTypeParams":{"dim":4}}]},
                "indexParams":[{"fieldName":"vec","indexName":"vec","metricType":"L2","indexType":"FLAT"}],
                "params":{"shardsNum":2}}
                """)
            let rows = (0..<20).map { #"{"id":\#($0),"vec":[\#($0),0,0,1]}"# }.joined(separator: ",")
            _ = try client.post("entities/insert", #"{"collectionName":"\#(c)","data":[\#(rows)]}"#)
            try client.post("collections/load", #"{"collectionName":"\#(c)"}"#)
        }
        let searchMany = { @Sendable (n: Int) async throws -> [String] in
            try await E2EScenario.runDetached { () -> [String] in
                var failures: [String] = []
                for i in 0..<n {
                    // A fresh connection per request, as independent clients: least connections then spreads them.
                    let client = try MilvusHTTPClient(host: "127.0.0.1", port: gatewayPort, timeout: 30)
                    defer { client.close() }
                    do {
                        let v = try client.post("entities/search", """
                            {"collectionName":"\(c)","data":[[\(i % 20),0,0,1]],"annsField":"vec","limit":1,
                            "outputFields":["id"],"consistencyLevel":"Strong"}
                            """)
                        let id = v.arrayValue?.first?["id"]?.int64Value
                        if id != Int64(i % 20) { failures.append("search \(i) found \(String(describing: id))") }
                    } catch {
                        failures.append("search \(i): \(error)")
                    }
                }
                return failures
            }
        }
        let served = { @Sendable () async throws -> [String: Int64] in
            try await E2EScenario.runDetached { () -> [String: Int64] in
                let client = try MilvusHTTPClient(host: "127.0.0.1", port: gatewayPort, timeout: 5)
                defer { client.close() }
                let status = try JSONValue.parse(client.get("/gateway/status").body)
                var out: [String: Int64] = [:]
                for u in status["upstreams"]?.arrayValue ?? [] {
                    out[u["address"]?.stringValue ?? "?"] = u["served"]?.int64Value ?? 0
                }
                return out
            }
        }

        // Serial requests on one client are spread by least connections only when they overlap; run two
        // concurrent loops so both proxies carry load.
        async let a = searchMany(40)
        async let b = searchMany(40)
        let failures = try await a + b
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        let counts = try await served()
        for address in cluster.proxyAddresses {
            #expect((counts[address] ?? 0) > 0, "proxy \(address) served nothing through the gateway: \(counts)")
        }

        // SIGKILL the second proxy: searches keep succeeding, the gateway logs it down.
        cluster.running["proxy-2"]!.send(SIGKILL)
        _ = await cluster.running["proxy-2"]!.wait(timeout: .seconds(10))
        let duringFailover = try await searchMany(30)
        #expect(duringFailover.isEmpty, "searches failed with a proxy dead: \(duringFailover.prefix(5))")
        let gatewayLog = dir.path + "/gateway.log"
        #expect(await eventually(.seconds(5)) {
            ((try? String(contentsOfFile: gatewayLog, encoding: .utf8)) ?? "").contains("upstream down")
        }, "no 'upstream down' in the gateway log\n\(cluster.logs())")

        // Restart it: the gateway puts it back and sends it requests again.
        let before = try await served()[cluster.proxyAddresses[1]] ?? 0
        try cluster.start("proxy-2")
        #expect(await eventually(.seconds(20)) {
            ((try? String(contentsOfFile: gatewayLog, encoding: .utf8)) ?? "").contains("upstream up")
        }, "no 'upstream up' after the proxy restarted\n\(cluster.logs())")
        async let c1 = searchMany(20)
        async let c2 = searchMany(20)
        let after = try await c1 + c2
        #expect(after.isEmpty, "\(after.prefix(5))")
        #expect((try await served()[cluster.proxyAddresses[1]] ?? 0) > before, "the restarted proxy got no requests")
    }
}
