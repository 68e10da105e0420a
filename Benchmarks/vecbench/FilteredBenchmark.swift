import Foundation
import HNSW
import VecCore

/// `vecbench filtered`: filtered HNSW search at a range of selectivities, forcing the graph walk and the exact
/// scan of allowed slots in turn, to measure where one overtakes the other (which calibrates
/// `HNSWIndex.exactScanCostFactor`). Allow-lists are random subsets of the base with a fixed seed;
/// recall is against the exact filtered answer.
let filteredCommand = BenchCommand(
    name: "filtered",
    summary: "filtered HNSW search: graph walk vs exact scan of allowed ids, by selectivity",
    run: { args in try runFiltered(args) })

private let filteredUsage = """
usage: vecbench filtered --data DIR [--limit N] [--selectivity 0.5,0.2,0.1,0.05,0.02,0.01,0.005,0.001]
                         [--ef 64] [--k 10] [--queries 200] [--threads T] [--index-cache FILE]
"""

private func runFiltered(_ args: [String]) throws {
    if args.contains("--help") { print(filteredUsage); return }
    let f = try FlagParser(args, valued: ["--data", "--limit", "--selectivity", "--ef", "--k", "--queries", "--threads", "--index-cache"])
    guard let dir = f.string("--data") else { throw BenchError("--data DIR is required\n\(filteredUsage)") }
    let sels = (f.string("--selectivity") ?? "0.5,0.2,0.1,0.05,0.02,0.01,0.005,0.001").split(separator: ",").compactMap { Double($0) }
    let ef = try f.int("--ef", default: 64), k = try f.int("--k", default: 10)
    let nq = try f.int("--queries", default: 200)
    let threads = try f.int("--threads", default: ProcessInfo.processInfo.activeProcessorCount)
    let limit = f.string("--limit") == nil ? nil : try f.int("--limit", default: 0)
    let pool = WorkerPool(threads: threads)
    defer { pool.shutdown() }
    let data = try loadANNDataset(dir: dir, limit: limit, metric: .ip, k: k, pool: pool)
    let index = try buildOrLoad(data: data, metric: .ip, params: HNSWParameters(), threads: threads, pool: pool,
                                cache: f.string("--index-cache"), json: false)
    let n = data.base.rows, d = data.base.columns
    let flat = try FlatIndex(dimension: d, metric: .ip, capacity: n)
    try data.base.values.withUnsafeBufferPointer { b in
        for r in 0..<n { try flat.add(id: Int64(r), vector: UnsafeBufferPointer(rebasing: b[(r * d)..<((r + 1) * d)])) }
    }
    print("selectivity  allowed  graph_recall  graph_qps  scan_recall  scan_qps   (ef=\(ef), k=\(k), 1 thread, \(nq) queries)")
    for s in sels {
        var bits = Bitset(count: n)
        var state: UInt64 = 0x1234_5678 &+ UInt64(s * 1e9)
        let want = max(k, Int(Double(n) * s))
        while bits.popcount < want {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bits.insert(Int((state >> 33) % UInt64(n)))
        }
        let queries = (0..<min(nq, data.queries.rows)).map { Array(data.queries.values[($0 * d)..<(($0 + 1) * d)]) }
        let truth = try queries.map { try flat.search($0, k: k, filter: bits).map(\.id) }
        var row: [String] = [String(format: "%-12.4f %-8d", s, bits.popcount)]
        for factor in [0.0, Double.infinity] {
            index.exactScanCostFactor = factor
            var found: [[Int64]] = []
            let t = threadCPUSeconds()
            for q in queries { found.append(try index.search(q, k: k, ef: ef, filter: bits).map(\.id)) }
            let secs = threadCPUSeconds() - t
            row.append(String(format: "%-13.4f %-10.0f", Recall.atK(k, found: found, truth: truth), Double(queries.count) / secs))
        }
        index.exactScanCostFactor = 1
        row.append(index.prefersExactScan(allowed: bits.popcount, live: index.count, ef: ef) ? "default: scan" : "default: graph")
        print(row.joined(separator: " "))
    }
}
