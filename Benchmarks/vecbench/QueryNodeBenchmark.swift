// `vecbench querynode`: what a search through a query node costs over the same `Shard.search` called
// directly. One process: a LogNode and a QueryNode on an `InMemoryNetwork`; the rows are appended to the
// shard's channel (and inserted into a directly opened Shard with the same options), the replica is loaded,
// then the same queries run (a) directly on the calling thread, (b) directly via `CPUExecutor.run`, and
// (c) as `SearchShard` calls (Eventually and Strong) through the node, one at a time.
import Coordinator
import Dispatch
import Foundation
import Node
import Runtime
import Shard
import Synchronization
import Wire

let queryNodeCommand = BenchCommand(
    name: "querynode",
    summary: "query node: search through the node (in-memory transport) vs a direct Shard.search",
    run: runQueryNodeBenchmark)

private final class QueryNodeBenchResult: Sendable {
    let error = Mutex<(any Error)?>(nil)
}

private func runQueryNodeBenchmark(_ args: [String]) throws {
    if args.contains("--help") {
        print("""
            usage: vecbench querynode [--rows N] [--dim D] [--queries N] [--k K]
              --rows N     rows in the shard (default 50000)
              --dim D      vector dimension (default 128)
              --queries N  searches per variant (default 2000)
              --k K        hits per search (default 10)
            """)
        return
    }
    let flags = try FlagParser(args, valued: ["--rows", "--dim", "--queries", "--k"])
    let rows = try flags.int("--rows", default: 50_000)
    let dim = try flags.int("--dim", default: 128)
    let queries = try flags.int("--queries", default: 2_000)
    let k = try flags.int("--k", default: 10)
    guard (1...5_000_000).contains(rows), (1...4096).contains(dim), (1...1_000_000).contains(queries), (1...1000).contains(k) else {
        throw BenchError("--rows 1…5000000, --dim 1…4096, --queries 1…1000000, --k 1…1000")
    }
    let result = QueryNodeBenchResult()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await measureQueryNode(rows: rows, dim: dim, queries: queries, k: k) } catch {
            result.error.withLock { $0 = error }
        }
        done.signal()
    }
    done.wait()
    if let error = result.error.withLock({ $0 }) { throw error }
}

private func percentiles(_ samples: [Duration]) -> String {
    let s = samples.sorted()
    func us(_ d: Duration) -> Double { Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12 }
    return String(format: "p50 %8.1f µs   p99 %8.1f µs", us(s[s.count / 2]), us(s[min(s.count - 1, s.count * 99 / 100)]))
}

private func measureQueryNode(rows: Int, dim: Int, queries: Int, k: Int) async throws {
    let root = NSTemporaryDirectory() + "vecbench-querynode-\(getpid())"
    try? FileManager.default.removeItem(atPath: root)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let schema = CollectionSchema(fields: [
        FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
        FieldSchema(name: "vec", dataType: .floatVector, dimension: dim),
    ])
    let specs = [IndexSpec(fieldName: "vec", kind: .flat, metric: .l2)]
    let info = CollectionInfo(
        id: CollectionID(1), database: "default", name: "bench", schema: schema, shardsNum: 1, consistencyLevel: .strong,
        properties: [], createdTimestamp: Timestamp(rawValue: 1),
        partitions: [PartitionInfo(id: PartitionID(2), name: "_default", createdTimestamp: Timestamp(rawValue: 1))], indexes: specs)

    let network = InMemoryNetwork()
    let quiet = { @Sendable (_: String) in }
    let logNode = try LogNode(configuration: LogNode.Configuration(dataDirectory: root + "/log"), logger: Logger(role: "lognode", sink: quiet))
    let logAddress = WireAddress(host: "lognode", port: 1)
    let logListener = try await network.listen(on: logAddress, handler: logNode.router())
    let cpu = try CPUExecutor(name: "search", threads: ProcessInfo.processInfo.activeProcessorCount, niceness: 10)
    var config = QueryNode.Configuration(nodeID: NodeID(1), dataDirectory: root)
    config.shard.sealPolicy = SealPolicy(maxRows: rows + 1, maxBytes: 1 << 40, maxAgeMilliseconds: 1 << 40)
    config.shard.growingHNSWThreshold = rows + 1
    let node = try QueryNode(configuration: config, transport: network, cpu: cpu, logger: Logger(role: "querynode", sink: quiet))
    let nodeAddress = WireAddress(host: "querynode", port: 1)
    let nodeListener = try await network.listen(on: nodeAddress, handler: node.router())
    let client = network.client(for: nodeAddress)
    let direct = try Shard.open(directory: root + "/direct", schema: schema, indexes: specs, options: config.shard)

    var rng = SystemRandomNumberGenerator()
    let ref = ShardRef(collection: 1, shard: 0)
    let logClient = network.client(for: logAddress)
    var t = 0
    for start in stride(from: 0, to: rows, by: 5000) {
        let n = min(5000, rows - start)
        let values = (0..<(n * dim)).map { _ in Float.random(in: -1...1, using: &rng) }
        let batch = try RowBatch(schema: schema, columns: [
            Column(name: "id", data: .int64((start..<(start + n)).map(Int64.init))),
            Column(name: "vec", data: .floatVector(dimension: dim, values: values)),
        ])
        let ts = HybridTimestamp.make(physicalMilliseconds: 1_000 + UInt64(t))
        t += 1
        let op = ShardOperation.insert(batch)
        _ = try await logClient.call(AppendToChannel(channel: ref.channel, recordKind: op.logKind, timestamp: ts, payload: op.payload(keyType: .int64)))
        try await cpu.run { () throws(ShardError) in try direct.insert(batch, timestamp: ts) }
    }
    let loadStart = ContinuousClock.now
    let status = try await client.call(LoadShardReplica(collection: info, shard: 0, replica: 0, logNode: "\(logAddress)"))
    print("querynode: \(status.liveRows) rows × \(dim)-d FLAT (growing), k \(k), \(queries) searches per variant; load (replay) took \(ContinuousClock.now - loadStart)")

    let qs = (0..<(64 * dim)).map { _ in Float.random(in: -1...1, using: &rng) }
    func query(_ i: Int) -> [Float] { Array(qs[((i % 64) * dim)..<((i % 64 + 1) * dim)]) }
    let clock = ContinuousClock()
    var onThread: [Duration] = [], viaExecutor: [Duration] = [], eventually: [Duration] = [], strong: [Duration] = []
    for i in 0..<(queries + 50) {
        let q = query(i)
        let t0 = clock.now
        let a = try direct.search(q, field: "vec", k: k)  // this task's thread: the bare cost
        let t1 = clock.now
        _ = try await cpu.run { () throws(ShardError) in try direct.search(q, field: "vec", k: k) }
        let t2 = clock.now
        let b = try await client.call(SearchShard(ref: ref, field: "vec", vectors: q, dimension: dim, k: k, guarantee: .eventually))
        let t3 = clock.now
        _ = try await client.call(SearchShard(ref: ref, field: "vec", vectors: q, dimension: dim, k: k, guarantee: .strong))
        let t4 = clock.now
        guard b.distances == a[0].distances else { throw BenchError("node and direct results differ for query \(i)") }
        if i >= 50 {
            onThread.append(t1 - t0)
            viaExecutor.append(t2 - t1)
            eventually.append(t3 - t2)
            strong.append(t4 - t3)
        }
    }
    print("  direct Shard.search, calling thread     \(percentiles(onThread))")
    print("  direct Shard.search via CPUExecutor.run \(percentiles(viaExecutor))")
    print("  SearchShard through the node, Eventually \(percentiles(eventually))")
    print("  SearchShard through the node, Strong     \(percentiles(strong))")
    direct.close()
    await nodeListener.stop()
    await node.close()
    await logListener.stop()
    await logNode.stop()
    cpu.shutdown()
}
