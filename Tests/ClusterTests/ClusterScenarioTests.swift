import Coordinator
import E2EScenario
import Foundation
import Glibc
import Runtime
import TestSupport
import Testing
import Wire

@testable import Cluster

/// Issue #4's bar over HTTP: the scenario (4 shards, 10k rows of pypi-minilm-100k, HNSW, load, recall@10
/// ≥ 0.95, filter, delete under Strong) against separate `vecnode` processes, then SIGKILL of every process,
/// a restart, and all acknowledged data and metadata back with the TSO still moving forward. Also the same
/// scenario, smaller, against an in-process `LocalCluster`.
@Suite(.serialized) struct ClusterScenarioTests {
    @Test func multiProcessScenarioAndRestart() async throws {
        guard let dataset = SharedDatasets.minilm100k else {
            print("SKIPPED multiProcessScenarioAndRestart: pypi-minilm-100k not found next to the repository")
            return
        }
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        // Every role of the issue as its own process: data nodes flush to the shared object store, index nodes
        // index the flushed segments, and after the restart the query nodes load that state.
        let cluster = ClusterProcesses(directory: dir.path, queryNodes: 2, proxy: true, dataNodes: 1, indexNodes: 1)
        defer { cluster.killAll() }
        let transport = try testTransport()
        defer { transport.shutdown() }
        let root = transport.client(for: cluster.rootAddress)
        let expected: [Coordinator.NodeRole: Int] = [.logNode: 1, .queryCoord: 1, .queryNode: 2, .proxy: 1, .dataCoord: 1,
                                                     .dataNode: 1, .indexCoord: 1, .indexNode: 1]

        try cluster.startAll()
        #expect(await cluster.waitForMembership(root, expected: expected) != nil, "\(cluster.logs())")
        #expect(await StandaloneProcessTests.waitHealthy(port: cluster.httpPort, timeout: .seconds(20)) != nil,
                "\(cluster.logs())")

        let options = { () -> E2EScenario.Options in
            var o = E2EScenario.Options(datasetDirectory: dataset)
            o.rows = 10_000
            o.queries = 100
            return o
        }()
        let port = cluster.httpPort
        let (data, report) = try await E2EScenario.runDetached { () -> (E2EScenario.Data, E2EScenario.Report) in
            let client = try MilvusHTTPClient(host: "127.0.0.1", port: port)
            defer { client.close() }
            let scenario = E2EScenario(options: options, client: client) { print("multi-process scenario: \($0)") }
            let data = try scenario.loadData()
            return (data, try scenario.run(data))
        }
        print("multi-process scenario: \(report)")
        #expect(report.recallAt10 >= 0.95)
        // The data node flushed every shard to the object store and the index node indexed flushed segments.
        let objects = dir.path + "/objects"
        func files(named prefix: String) -> [String] {
            (FileManager.default.enumerator(atPath: objects)?.allObjects as? [String] ?? [])
                .filter { ($0 as NSString).lastPathComponent.hasPrefix(prefix) }
        }
        #expect(await eventually(.seconds(30)) { files(named: "manifest").count >= 4 && !files(named: "built-index-").isEmpty },
                "object store: \(files(named: "manifest")) \(files(named: "built-index-"))\n\(cluster.logs())")
        let before = try await root.call(AllocateTimestamps()).first

        // SIGKILL every process; start them again on the same addresses and directories.
        cluster.killAll()
        try cluster.startAll()
        #expect(await cluster.waitForMembership(root, expected: expected) != nil, "\(cluster.logs())")
        let after = try await ClusterProcessTests.callWhenUp(root, AllocateTimestamps()).first
        #expect(after > before, "TSO went backwards: \(before) then \(after)")
        #expect(await StandaloneProcessTests.waitHealthy(port: cluster.httpPort, timeout: .seconds(20)) != nil,
                "\(cluster.logs())")
        do {
            try await E2EScenario.runDetached {
                let client = try MilvusHTTPClient(host: "127.0.0.1", port: port)
                defer { client.close() }
                try E2EScenario(options: options, client: client).verifyAfterRestart(data)
            }
        } catch {
            Issue.record("after restart: \(error)\n\(cluster.logs())")
        }
        let statuses = await cluster.signalAll(SIGTERM)
        for (name, status) in statuses { #expect(status == 0, "\(name) exited \(String(describing: status))") }
    }

    @Test func localClusterServesTheScenarioInProcess() async throws {
        guard let dataset = SharedDatasets.minilm100k else {
            print("SKIPPED localClusterServesTheScenarioInProcess: pypi-minilm-100k not found")
            return
        }
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var configuration = LocalCluster.Configuration(dataDirectory: dir.path)
        configuration.http = HostPort(host: "127.0.0.1", port: 0)
        configuration.queryNodes = 2
        configuration.cpuThreads = 1
        configuration.logSink = { _ in }
        let cluster = try await LocalCluster.start(configuration)
        let port = cluster.httpAddress.port
        #expect(port != 0)
        let options = { () -> E2EScenario.Options in
            var o = E2EScenario.Options(datasetDirectory: dataset)
            o.rows = 3_000
            o.queries = 50
            return o
        }()
        do {
            let report = try await E2EScenario.runDetached {
                let client = try MilvusHTTPClient(host: "127.0.0.1", port: port)
                defer { client.close() }
                let scenario = E2EScenario(options: options, client: client)
                return try scenario.run(try scenario.loadData())
            }
            print("in-process scenario: \(report)")
        } catch {
            Issue.record("\(error)")
        }
        await cluster.stop()
    }
}
