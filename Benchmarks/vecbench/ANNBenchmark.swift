import Foundation
import HNSW
import VecCore

/// `vecbench ann`: build an index (HNSW by default; HNSW_SQ8, IVF_FLAT, IVF_SQ8 or the exact scan with
/// `--index`) on a big-ann dataset and sweep `ef` (graphs) or `nprobe` (IVF), printing the same columns (and
/// `--json` keys, with `nprobe` in place of `ef` for IVF) as ../shared/bench/peers.py so that the two can be
/// compared line by line.
let annCommand = BenchCommand(
    name: "ann",
    summary: "index build time, memory, recall@10 and QPS over an ef / nprobe sweep (peers.py columns)",
    run: { args in try runANN(args) })

private let annUsage = """
usage: vecbench ann --data DIR [--index hnsw|hnsw_sq8|ivf_flat|ivf_sq8|flat] [--limit N] [--metric ip|l2|cosine]
                    [--m 16] [--ef-construction 200] [--ef 10,16,24,32,48,64,96,128,192,256]
                    [--nlist 1024] [--nprobe 1,2,4,8,16,32,64,128] [--k 10] [--threads T] [--runs 3]
                    [--index-cache FILE] [--flat] [--json]
  --index KIND        index type (default hnsw); ivf_* sweep --nprobe, the others --ef
  --nlist N           IVF lists (k-means clusters), default 1024
  --index-cache FILE  (hnsw only) load the index from FILE when it exists (no build timing), else build and save it there
  --flat              also time the exact flat index, one query at a time on one thread (peers.py's bruteforce)
"""

struct ANNDataset {
    let base: BigANNFile.Matrix<Float>
    let queries: BigANNFile.Matrix<Float>
    let truth: [[Int64]]
    let truthSource: String
}

/// Loads base/query/ground truth from `dir`; recomputes exact ground truth with the flat index when
/// `limit` cuts the base or no gt file exists.
func loadANNDataset(dir: String, limit: Int?, metric: Metric, k: Int, pool: WorkerPool) throws -> ANNDataset {
    func find(_ stem: String, _ exts: [String]) -> String? {
        for e in exts where FileManager.default.fileExists(atPath: "\(dir)/\(stem)\(e)") { return "\(dir)/\(stem)\(e)" }
        return nil
    }
    guard let basePath = find("base", [".fbin", ".f16bin"]), let queryPath = find("query", [".fbin", ".f16bin"]) else {
        throw BenchError("no base.fbin/.f16bin and query.fbin/.f16bin in \(dir)")
    }
    let base = try BigANNFile.readVectors(basePath, limit: limit)
    let queries = try BigANNFile.readVectors(queryPath)
    guard base.columns == queries.columns else { throw BenchError("base has dimension \(base.columns), queries \(queries.columns)") }
    let gtPath = find("gt100", [".ibin"])
    let fullBase = limit == nil || base.rows == (try? BigANNFile.readVectors(basePath, limit: 0))?.rows ?? -1
    if let gtPath, fullBase || limit == nil, metric != .l2 {
        let gt = try BigANNFile.readIDs(gtPath)
        guard gt.rows == queries.rows, gt.columns >= k else { throw BenchError("\(gtPath): \(gt.rows)×\(gt.columns) does not cover \(queries.rows) queries × k=\(k)") }
        let truth = (0..<gt.rows).map { r in (0..<k).map { Int64(gt.values[r * gt.columns + $0]) } }
        return ANNDataset(base: base, queries: queries, truth: truth, truthSource: gtPath)
    }
    let flat = try FlatIndex(dimension: base.columns, metric: metric, capacity: base.rows)
    try base.values.withUnsafeBufferPointer { b in
        for r in 0..<base.rows { try flat.add(id: Int64(r), vector: UnsafeBufferPointer(rebasing: b[(r * base.columns)..<((r + 1) * base.columns)])) }
    }
    var truth: [[Int64]] = []
    for qi in 0..<queries.rows {
        let q = Array(queries.values[(qi * queries.columns)..<((qi + 1) * queries.columns)])
        truth.append(try flat.search(q, k: k, pool: pool).map(\.id))
    }
    return ANNDataset(base: base, queries: queries, truth: truth, truthSource: "recomputed exactly (flat index)")
}

private func runANN(_ args: [String]) throws {
    if args.contains("--help") { print(annUsage); return }
    let f = try FlagParser(args, valued: ["--data", "--limit", "--metric", "--m", "--ef-construction", "--ef", "--k",
                                          "--threads", "--runs", "--index-cache", "--index", "--nlist", "--nprobe"],
                       switches: ["--json", "--flat"])
    guard let dir = f.string("--data") else { throw BenchError("--data DIR is required\n\(annUsage)") }
    let metric = try Metric(parsing: f.string("--metric") ?? "ip")
    let m = try f.int("--m", default: 16)
    let efc = try f.int("--ef-construction", default: 200)
    let efs = try f.intList("--ef", default: [10, 16, 24, 32, 48, 64, 96, 128, 192, 256])
    let k = try f.int("--k", default: 10)
    let threads = try f.int("--threads", default: ProcessInfo.processInfo.activeProcessorCount)
    let runs = try f.int("--runs", default: 3)
    let limit = f.string("--limit") == nil ? nil : try f.int("--limit", default: 0)
    let json = f.has("--json")
    let kind = try ANNIndexKind(parsing: f.string("--index") ?? "hnsw")
    let nlist = try f.int("--nlist", default: 1024)
    let nprobes = try f.intList("--nprobe", default: ANNIndexKind.ivfFlat.defaultSweep)
    guard threads >= 1, runs >= 1, k >= 1 else { throw BenchError("--threads, --runs and --k must be at least 1") }
    let pool = WorkerPool(threads: threads)
    defer { pool.shutdown() }

    let data = try loadANNDataset(dir: dir, limit: limit, metric: metric, k: k, pool: pool)
    let n = data.base.rows, d = data.base.columns, nq = data.queries.rows
    if !json {
        print("dataset \(dir): n=\(n) d=\(d) nq=\(nq) k=\(k) metric=\(metric.rawValue); gt \(data.truthSource)")
    }

    if kind == .flat {
        try timeFlat(data: data, metric: metric, k: k, runs: runs, json: json)
        return
    }
    let params = HNSWParameters(connectivity: m, efConstruction: efc)
    if kind != .hnsw {
        try runOtherKind(kind, data: data, metric: metric, params: params, nlist: nlist,
                         sweep: kind.sweepParameter == "ef" ? efs : nprobes, k: k, runs: runs, threads: threads,
                         pool: pool, json: json)
        if f.has("--flat") { try timeFlat(data: data, metric: metric, k: k, runs: runs, json: json) }
        return
    }
    let index = try buildOrLoad(data: data, metric: metric, params: params, threads: threads, pool: pool,
                                cache: f.string("--index-cache"), json: json)
    if !json { print("ef      recall@10   qps_1t    qps_1t_cpu  qps_batch") }

    let queryRows: [[Float]] = (0..<nq).map { Array(data.queries.values[($0 * d)..<(($0 + 1) * d)]) }
    // Warm-up.
    for q in queryRows.prefix(50) { _ = try index.search(q, k: k, ef: efs.max() ?? 64) }
    for ef in efs where ef >= k {
        let r = try measureSweepPoint(index, data: data, queryRows: queryRows, k: k, parameter: ef, runs: runs,
                                      batch: true, pool: pool)
        if json {
            print(#"{"lib": "vecnode", "ef": \#(ef), "recall_at_10": \#(round5(r.recall)), "qps_1t": \#(Int(r.qps1)), "qps_1t_cpu": \#(Int(r.qps1CPU)), "qps_batch": \#(Int(r.qpsBatch))}"#)
        } else {
            print(String(format: "%-7d %-11.4f %-9.0f %-11.0f %-9.0f", ef, r.recall, r.qps1, r.qps1CPU, r.qpsBatch))
        }
    }
    if f.has("--flat") { try timeFlat(data: data, metric: metric, k: k, runs: runs, json: json) }
}

/// `ann` for the index kinds other than HNSW: build (timed), then sweep `ef` or `nprobe`.
private func runOtherKind(_ kind: ANNIndexKind, data: ANNDataset, metric: Metric, params: HNSWParameters, nlist: Int,
                          sweep: [Int], k: Int, runs: Int, threads: Int, pool: WorkerPool, json: Bool) throws {
    let n = data.base.rows, d = data.base.columns
    let built = try buildANNIndex(kind, data: data, metric: metric, hnsw: params, nlist: nlist, pool: pool)
    let bytes = built.index.memoryFootprint
    let p = kind.sweepParameter
    if json {
        print(#"{"lib": "vecnode-\#(kind.rawValue)", "mode": "mt", "build_seconds": \#(round3(built.seconds)), "build_cpu_seconds": \#(round3(built.cpuSeconds)), "threads": \#(threads), "index_bytes": \#(bytes)}"#)
    } else {
        let extra = kind == .ivfFlat || kind == .ivfSQ8 ? " nlist=\(nlist)" : " M=\(params.connectivity) efConstruction=\(params.efConstruction)"
        print("build \(kind.rawValue)\(extra): \(String(format: "%.2f", built.seconds)) s (\(String(format: "%.1f", built.cpuSeconds)) s CPU) on \(threads) threads, index \(bytes / 1_048_576) MiB (\(bytes / max(n, 1)) B/vector)")
        print("\(p.padding(toLength: 7, withPad: " ", startingAt: 0)) recall@10   qps_1t    qps_1t_cpu  qps_batch")
    }
    let queryRows: [[Float]] = (0..<data.queries.rows).map { Array(data.queries.values[($0 * d)..<(($0 + 1) * d)]) }
    for q in queryRows.prefix(50) { _ = try built.index.search(q, k: k, parameter: sweep.max() ?? 16) }
    for value in sweep where p == "nprobe" || value >= k {
        let r = try measureSweepPoint(built.index, data: data, queryRows: queryRows, k: k, parameter: value, runs: runs,
                                      batch: true, pool: pool)
        if json {
            print(#"{"lib": "vecnode-\#(kind.rawValue)", "\#(p)": \#(value), "recall_at_10": \#(round5(r.recall)), "qps_1t": \#(Int(r.qps1)), "qps_1t_cpu": \#(Int(r.qps1CPU)), "qps_batch": \#(Int(r.qpsBatch))}"#)
        } else {
            print(String(format: "%-7d %-11.4f %-9.0f %-11.0f %-9.0f", value, r.recall, r.qps1, r.qps1CPU, r.qpsBatch))
        }
    }
}

/// Times exact search with the flat index, one query per call on one thread, over the first 200 queries
/// (as peers.py's `bruteforce`, which runs numpy's `base @ q` with one BLAS thread).
func timeFlat(data: ANNDataset, metric: Metric, k: Int, runs: Int, json: Bool) throws {
    let d = data.base.columns
    let flat = try FlatIndex(dimension: d, metric: metric, capacity: data.base.rows)
    try data.base.values.withUnsafeBufferPointer { b in
        for r in 0..<data.base.rows { try flat.add(id: Int64(r), vector: UnsafeBufferPointer(rebasing: b[(r * d)..<((r + 1) * d)])) }
    }
    let nq = min(200, data.queries.rows)
    var best = Double.infinity, bestCPU = Double.infinity
    var found: [[Int64]] = []
    for run in 0..<runs {
        let t = Date(), c = threadCPUSeconds()
        for qi in 0..<nq {
            let hits = try flat.search(Array(data.queries.values[(qi * d)..<((qi + 1) * d)]), k: k)
            if run == 0 { found.append(hits.map(\.id)) }
        }
        best = min(best, Date().timeIntervalSince(t))
        bestCPU = min(bestCPU, threadCPUSeconds() - c)
    }
    let recall = Recall.atK(k, found: found, truth: Array(data.truth.prefix(nq)))
    if json {
        print(#"{"lib": "vecnode-flat", "ef": 0, "recall_at_10": \#(round5(recall)), "qps_1t": \#(Int(Double(nq) / best)), "qps_1t_cpu": \#(Int(Double(nq) / bestCPU))}"#)
    } else {
        print(String(format: "flat    %-11.4f %-9.1f %-11.1f (exact scan, 1 thread, %d queries)", recall, Double(nq) / best, Double(nq) / bestCPU, nq))
    }
}

/// Builds the HNSW index over the dataset on `pool` (printing the build line), or loads it from `cache`.
func buildOrLoad(data: ANNDataset, metric: Metric, params: HNSWParameters, threads: Int, pool: WorkerPool,
                 cache: String?, json: Bool) throws -> HNSWIndex {
    let n = data.base.rows, d = data.base.columns
    if let cache, FileManager.default.fileExists(atPath: cache) {
        let index = try HNSWIndex.load(from: cache)
        guard index.dimension == d, index.slotCount == n, index.parameters == params, index.metric == metric else {
            throw BenchError("\(cache) holds another index (dimension, size, metric or parameters differ); delete it")
        }
        if !json { print("index loaded from \(cache), \(index.memoryFootprint / 1_048_576) MiB") }
        return index
    }
    let index = try HNSWIndex(dimension: d, metric: metric, parameters: params, capacity: n)
    let t0 = Date()
    let cpu0 = processCPUSeconds()
    try data.base.values.withUnsafeBufferPointer { b in
        try index.add(ids: (0..<Int64(n)).map { $0 }, vectors: b, pool: pool)
    }
    let buildSeconds = Date().timeIntervalSince(t0)
    let buildCPU = processCPUSeconds() - cpu0
    let bytes = index.memoryFootprint
    if json {
        print(#"{"lib": "vecnode", "mode": "mt", "build_seconds": \#(round3(buildSeconds)), "build_cpu_seconds": \#(round3(buildCPU)), "threads": \#(threads), "index_bytes": \#(bytes)}"#)
    } else {
        print("build: \(String(format: "%.2f", buildSeconds)) s (\(String(format: "%.1f", buildCPU)) s CPU) on \(threads) threads, \(String(format: "%.1f", Double(n) / buildSeconds)) vec/s, index \(bytes / 1_048_576) MiB")
    }
    if let cache { try index.save(to: cache) }
    return index
}

func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
func round5(_ x: Double) -> Double { (x * 100_000).rounded() / 100_000 }
