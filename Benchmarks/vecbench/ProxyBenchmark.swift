// `vecbench proxy`: searches per second through the proxy over an in-process cluster (root coordinator, log
// node, query nodes, query coordinator over InMemoryNetwork), on a slice of pypi-minilm-100k.
import API
import Coordinator
import Foundation
import Node
import Proxy
import QueryCoord
import Runtime
import Shard
import VecCore
import Wire

let proxyCommand = BenchCommand(
    name: "proxy",
    summary: "searches/s through the proxy over an in-process cluster (minilm slice, N shards)",
    run: runProxyBenchmark)

private func runProxyBenchmark(_ args: [String]) throws {
    let flags = try FlagParser(args, valued: ["--data", "--rows", "--shards", "--clients", "--seconds", "--ef", "--query-nodes"])
    let data = flags.string("--data") ?? "../shared/datasets/pypi-minilm-100k"
    let rows = try flags.int("--rows", default: 10_000)
    let shards = try flags.int("--shards", default: 4)
    let clients = try flags.int("--clients", default: 16)
    let seconds = try flags.int("--seconds", default: 10)
    let ef = try flags.int("--ef", default: 64)
    let queryNodes = try flags.int("--query-nodes", default: 1)
    let done = DispatchSemaphore(value: 0)
    let outcome = ProxyBenchOutcome()
    Task.detached {
        do {
            try await proxyBench(data: data, rows: rows, shards: shards, clients: clients, seconds: seconds, ef: ef, queryNodes: queryNodes)
        } catch {
            outcome.error = error
        }
        done.signal()
    }
    done.wait()
    if let e = outcome.error { throw BenchError("\(e)") }
}

private final class ProxyBenchOutcome: @unchecked Sendable { var error: (any Error)? }

private func register(_ root: any WireClient, _ id: Int64, _ role: Coordinator.NodeRole, _ address: WireAddress) async throws -> Task<Void, Never> {
    let request = RegisterSession(nodeID: NodeID(id), role: role, address: address.description)
    let grant = try await root.call(request)
    return Task {
        var session = grant.sessionID
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            do { _ = try await root.call(RenewSession(sessionID: session)) } catch {
                if let again = try? await root.call(request) { session = again.sessionID }
            }
        }
    }
}

private func proxyBench(data: String, rows: Int, shards: Int, clients: Int, seconds: Int, ef: Int, queryNodes: Int) async throws {
    let base = try BigANNFile.readVectors(data + "/base.f16bin", limit: rows)
    let queries = try BigANNFile.readVectors(data + "/query.f16bin", limit: 1000)
    let d = base.columns
    let dir = NSTemporaryDirectory() + "vecbench-proxy-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let quiet: @Sendable (String) -> Void = { _ in }
    let net = InMemoryNetwork(defaultTimeout: .seconds(60))
    let rootAddress = WireAddress(host: "rootcoord", port: 1)
    let root = try RootCoord(configuration: RootCoord.Configuration(dataDirectory: dir + "/root"))
    await root.startLeaseTicker()
    var listeners: [any WireListener] = [try await net.listen(on: rootAddress, handler: root.router())]
    let rootClient = net.client(for: rootAddress)
    var renewals: [Task<Void, Never>] = []
    let log = try LogNode(configuration: LogNode.Configuration(dataDirectory: dir + "/log"), logger: Logger(role: "lognode", sink: quiet))
    let logAddress = WireAddress(host: "lognode", port: 1)
    listeners.append(try await net.listen(on: logAddress, handler: log.router()))
    renewals.append(try await register(rootClient, 900, .logNode, logAddress))
    let searchCPU = try CPUExecutor(name: "qn-search", threads: 2)
    var nodes: [QueryNode] = []
    for i in 0..<queryNodes {
        let node = try QueryNode(configuration: QueryNode.Configuration(nodeID: NodeID(Int64(100 + i)), dataDirectory: dir + "/qn"),
                                 transport: net, cpu: searchCPU, logger: Logger(role: "querynode", sink: quiet))
        let address = WireAddress(host: "querynode\(i)", port: 1)
        listeners.append(try await net.listen(on: address, handler: node.router()))
        renewals.append(try await register(rootClient, Int64(100 + i), .queryNode, address))
        nodes.append(node)
    }
    let qc = try QueryCoord(configuration: QueryCoord.Configuration(dataDirectory: dir + "/qc", rootCoord: rootAddress), transport: net,
                            logger: Logger(role: "querycoord", sink: quiet))
    await qc.start()
    let qcAddress = WireAddress(host: "querycoord", port: 1)
    listeners.append(try await net.listen(on: qcAddress, handler: qc.router()))
    renewals.append(try await register(rootClient, 800, .queryCoord, qcAddress))
    let proxy = try Proxy(configuration: ProxyConfiguration(rootCoord: rootAddress), transport: net)

    try await proxy.createCollection(CreateCollectionRequest(
        db: "default", name: "bench", schema: CollectionSchema(fields: [
            FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
            FieldSchema(name: "vec", dataType: .floatVector, dimension: d),
        ]),
        indexes: [IndexRequest(indexName: "vec", spec: IndexSpec(fieldName: "vec", kind: .hnsw(m: 16, efConstruction: 100), metric: .cosine))],
        shardsNum: shards, consistencyLevel: .bounded, loadOnCreate: true))
    let loadStart = ContinuousClock.now
    for start in stride(from: 0, to: rows, by: 2_000) {
        let batch: [[String: FieldValue]] = (start..<min(rows, start + 2_000)).map { i in
            ["id": .int(Int64(i)), "vec": .floatVector(Array(base.values[(i * d)..<((i + 1) * d)]))]
        }
        _ = try await proxy.insert(InsertRequest(db: "default", collection: "bench", partition: nil, rows: batch))
    }
    try await proxy.flush(db: "default", name: "bench")
    print("proxy bench: \(rows) rows × \(d) in \(shards) shards on \(queryNodes) query node(s) inserted and sealed in \(ContinuousClock.now - loadStart)")

    let counter = ProxyBenchCounter()
    let cpuStart = processCPUSeconds()
    let start = ContinuousClock.now
    let end = start + .seconds(seconds)
    try await withThrowingTaskGroup(of: [Double].self) { group in
        for c in 0..<clients {
            group.addTask {
                var latencies: [Double] = []
                var q = c
                while ContinuousClock.now < end {
                    let i = q % queries.rows
                    q += clients
                    let t0 = ContinuousClock.now
                    let r = try await proxy.search(SearchRequest(
                        db: "default", collection: "bench",
                        queries: .vectors(values: Array(queries.values[(i * d)..<((i + 1) * d)]), dimension: d), limit: 10, ef: ef))
                    precondition(r.hits.count == 10)
                    let dt = ContinuousClock.now - t0
                    latencies.append(Double(dt.components.attoseconds) / 1e12 + Double(dt.components.seconds) * 1e6)
                }
                return latencies
            }
        }
        for try await l in group { counter.add(l) }
    }
    let elapsed = ContinuousClock.now - start
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let cpu = processCPUSeconds() - cpuStart
    let all = counter.latencies.sorted()
    let n = all.count
    print(String(format: "proxy bench: %d clients, ef %d: %d searches in %.1f s = %.0f searches/s; latency p50 %.0f µs, p99 %.0f µs; process CPU %.0f µs per search",
                 clients, ef, n, wall, Double(n) / wall, all[n / 2], all[min(n - 1, n * 99 / 100)], cpu / Double(n) * 1e6))

    for t in renewals { t.cancel() }
    for l in listeners { await l.stop() }
    await qc.close()
    for node in nodes { await node.close() }
    await log.stop()
    proxy.close()
    searchCPU.shutdown()
    await root.close()
}

private final class ProxyBenchCounter: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var latencies: [Double] = []
    func add(_ l: [Double]) {
        lock.lock()
        latencies += l
        lock.unlock()
    }
}
