import Coordinator
import E2EScenario
import Foundation
import Runtime
import Testing
import Wire

@testable import Cluster

@Suite(.serialized) struct LocalClusterTests {
    static func configuration(_ dir: String) -> LocalCluster.Configuration {
        var c = LocalCluster.Configuration(dataDirectory: dir)
        c.http = HostPort(host: "127.0.0.1", port: 0)
        c.cpuThreads = 1
        c.logSink = { _ in }
        return c
    }

    /// Every role registers (the proxy with its bound HTTP address); written rows are back after a stop and
    /// a start on the same directory.
    @Test func rolesRegisterAndDataSurvivesARestart() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        for round in 0..<2 {
            let cluster = try await LocalCluster.start(Self.configuration(dir.path))
            let port = cluster.httpAddress.port
            let root = cluster.network.client(for: WireAddress(host: "rootcoord", port: 1))
            let live = try await root.call(ListLiveNodes()).sessions
            #expect(live.map(\.role).sorted { $0.rawValue < $1.rawValue }
                == [.dataCoord, .queryCoord, .indexCoord, .proxy, .queryNode, .dataNode, .indexNode, .logNode])
            #expect(live.first { $0.role == .proxy }?.address == "127.0.0.1:\(port)")
            do {
                let count = try await E2EScenario.runDetached { () -> Int64 in
                    let client = try MilvusHTTPClient(host: "127.0.0.1", port: port)
                    defer { client.close() }
                    if round == 0 {
                        try client.post("collections/create", #"{"collectionName":"kept","dimension":2,"params":{"shardsNum":2}}"#)
                        try client.post("entities/insert", #"{"collectionName":"kept","data":[{"id":1,"vector":[1,0]},{"id":2,"vector":[0,1]},{"id":3,"vector":[1,1]}]}"#)
                    }
                    // After a restart the query coordinator first places the loaded collection's replicas again:
                    // reads fail until then (seconds), so retry.
                    let deadline = Date().addingTimeInterval(30)
                    while true {
                        do {
                            let v = try client.post("entities/query", #"{"collectionName":"kept","filter":"","outputFields":["count(*)"],"consistencyLevel":"Strong"}"#)
                            return v.arrayValue?.first?["count(*)"]?.int64Value ?? -1
                        } catch {
                            if Date() > deadline { throw error }
                            Thread.sleep(forTimeInterval: 0.1)
                        }
                    }
                }
                #expect(count == 3, "round \(round)")
                if round == 0 {
                    // Standalone's /metrics carries the cluster families the proxy collects (Proxy+Metrics.swift).
                    let metrics = try await E2EScenario.runDetached { () -> String in
                        let client = try MilvusHTTPClient(host: "127.0.0.1", port: port)
                        defer { client.close() }
                        return try client.get("/metrics").body
                    }
                    #expect(metrics.contains("vecnode_querynode_query_total{address="), "\(metrics.prefix(2000))")
                    #expect(metrics.contains("vecnode_querynode_replicas{address="))
                    #expect(metrics.contains(#"vecnode_collection_replicas{collection="kept"} 1"#))
                    #expect(metrics.contains(#"vecnode_collection_replicas_healthy{collection="kept"} 1"#))
                }
            } catch {
                Issue.record("round \(round): \(error)")
            }
            await cluster.stop()
            await cluster.stop()  // idempotent
        }
    }

    /// Two query nodes on one data directory would wipe each other's scratch space: the second is refused.
    @Test func oneQueryNodePerDataDirectory() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let network = InMemoryNetwork()
        var rootConfig = NodeConfig(environment: [:])
        rootConfig.role = .rootcoord
        rootConfig.listen = HostPort(host: "rootcoord", port: 1)
        rootConfig.dataDirectory = dir.path
        let root = try await RoleHost.start(config: rootConfig, transport: network, logger: Logger(role: "t", sink: { _ in }))
        var qn = NodeConfig(environment: [:])
        qn.role = .querynode
        qn.listen = HostPort(host: "querynode", port: 1)
        qn.rootCoordinator = HostPort(host: "rootcoord", port: 1)
        qn.dataDirectory = dir.path
        qn.cpuThreads = 1
        let first = try await RoleHost.start(config: qn, transport: network, logger: Logger(role: "t", sink: { _ in }))
        qn.listen.port = 2
        do {
            let second = try await RoleHost.start(config: qn, transport: network, logger: Logger(role: "t", sink: { _ in }))
            await second.stop()
            Issue.record("a second query node shared the data directory")
        } catch {
            #expect(error.description.contains("another querynode process is using it"), "\(error)")
        }
        await first.stop()
        await root.stop()
    }
}
