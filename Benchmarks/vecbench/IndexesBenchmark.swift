import Foundation
import HNSW
import VecCore

/// `vecbench indexes`: the "HNSW vs IVF_FLAT" comparison — for each index type, build time, memory per
/// vector, and single-thread QPS at recall@10 0.90 / 0.95 / 0.99 (the cheapest swept `ef` / `nprobe`
/// reaching it), so the types can be chosen per collection. FAISS's IVFFlat / IVFSQ8 / HNSW on the same
/// data: Benchmarks/scripts/faiss_ivf_sweep.py.
let indexesCommand = BenchCommand(
    name: "indexes",
    summary: "compare HNSW, HNSW_SQ8, IVF_FLAT, IVF_SQ8: build time, bytes/vector, QPS at recall 0.90/0.95/0.99",
    run: { args in try runIndexes(args) })

private let indexesUsage = """
usage: vecbench indexes --data DIR [--kinds hnsw,hnsw_sq8,ivf_flat,ivf_sq8] [--limit N] [--metric ip|l2|cosine]
                        [--m 16] [--ef-construction 200] [--nlist 1024] [--ef LIST] [--nprobe LIST] [--k 10]
                        [--threads T] [--runs 1] [--json]
  Builds each index on --threads threads, sweeps ef (graphs) or nprobe (IVF) with single-thread searches
  (one query per call), and reports QPS at the smallest swept value whose recall@10 reaches each target.
"""

private func runIndexes(_ args: [String]) throws {
    if args.contains("--help") { print(indexesUsage); return }
    let f = try FlagParser(args, valued: ["--data", "--kinds", "--limit", "--metric", "--m", "--ef-construction", "--nlist",
                                          "--ef", "--nprobe", "--k", "--threads", "--runs"], switches: ["--json"])
    guard let dir = f.string("--data") else { throw BenchError("--data DIR is required\n\(indexesUsage)") }
    let kinds = try (f.string("--kinds") ?? "hnsw,hnsw_sq8,ivf_flat,ivf_sq8").split(separator: ",").map { try ANNIndexKind(parsing: String($0)) }
    guard !kinds.contains(.flat) else { throw BenchError("--kinds: flat has no recall/QPS trade-off; use `vecbench ann --index flat`") }
    let metric = try Metric(parsing: f.string("--metric") ?? "ip")
    let params = HNSWParameters(connectivity: try f.int("--m", default: 16), efConstruction: try f.int("--ef-construction", default: 200))
    let nlist = try f.int("--nlist", default: 1024)
    let efs = try f.intList("--ef", default: [10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512])
    let nprobes = try f.intList("--nprobe", default: [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256])
    let k = try f.int("--k", default: 10)
    let threads = try f.int("--threads", default: ProcessInfo.processInfo.activeProcessorCount)
    let runs = try f.int("--runs", default: 1)
    let limit = f.string("--limit") == nil ? nil : try f.int("--limit", default: 0)
    let json = f.has("--json")
    guard threads >= 1, runs >= 1, k >= 1 else { throw BenchError("--threads, --runs and --k must be at least 1") }
    let pool = WorkerPool(threads: threads)
    defer { pool.shutdown() }
    let data = try loadANNDataset(dir: dir, limit: limit, metric: metric, k: k, pool: pool)
    let n = data.base.rows, d = data.base.columns
    let queryRows: [[Float]] = (0..<data.queries.rows).map { Array(data.queries.values[($0 * d)..<(($0 + 1) * d)]) }
    let targets = [0.90, 0.95, 0.99]
    if !json {
        print("dataset \(dir): n=\(n) d=\(d) nq=\(queryRows.count) k=\(k) metric=\(metric.rawValue); gt \(data.truthSource)")
        print("HNSW M=\(params.connectivity) efConstruction=\(params.efConstruction); IVF nlist=\(nlist); build on \(threads) threads, search 1 thread")
        print("qps = single-thread queries per thread-CPU second (wall-clock q/s in brackets; the CPU figure is the steady one on a shared machine)")
        print("index      build_s  build_cpu_s  bytes/vec  qps@0.90                     qps@0.95                     qps@0.99                     max recall")
    }
    // HNSW_SQ8 is built from the float graph: build that once and time HNSW_SQ8 as graph build + quantisation.
    var floatGraph: (index: HNSWIndex, seconds: Double, cpuSeconds: Double)?
    for kind in kinds {
        var built: (index: ANNUnderTest, seconds: Double, cpuSeconds: Double)
        if kind == .hnsw || kind == .hnswSQ8 {
            if floatGraph == nil {
                let g = try buildANNIndex(.hnsw, data: data, metric: metric, hnsw: params, nlist: nlist, pool: pool)
                floatGraph = (g.index as! HNSWIndex, g.seconds, g.cpuSeconds)
            }
            let g = floatGraph!
            if kind == .hnsw {
                built = (g.index, g.seconds, g.cpuSeconds)
            } else {
                let t0 = Date(), c0 = processCPUSeconds()
                let q = try HNSWSQ8Index(graph: g.index, refine: try RefineVectors(values: data.base.values, dimension: d))
                built = (q, g.seconds + Date().timeIntervalSince(t0), g.cpuSeconds + processCPUSeconds() - c0)
            }
        } else {
            built = try buildANNIndex(kind, data: data, metric: metric, hnsw: params, nlist: nlist, pool: pool)
        }
        let sweep = kind.sweepParameter == "ef" ? efs.filter { $0 >= k } : nprobes
        for q in queryRows.prefix(50) { _ = try built.index.search(q, k: k, parameter: sweep.first ?? 16) }
        var points: [SweepPoint] = []
        for value in sweep.sorted() {
            let p = try measureSweepPoint(built.index, data: data, queryRows: queryRows, k: k, parameter: value, runs: runs,
                                          batch: false, pool: pool)
            points.append(p)
            if p.recall >= targets.last! { break }
        }
        let perVector = built.index.memoryFootprint / max(n, 1)
        let maxRecall = points.map(\.recall).max() ?? 0
        var cells: [String] = []
        var jsonCells: [String] = []
        for t in targets {
            if let p = points.first(where: { $0.recall >= t }) {
                cells.append(String(format: "%6.0f [%5.0f] (%@=%d)", p.qps1CPU, p.qps1, kind.sweepParameter, p.parameter)
                    .padding(toLength: 28, withPad: " ", startingAt: 0))
                jsonCells.append(#""qps_cpu_at_\#(t)": \#(Int(p.qps1CPU)), "qps_at_\#(t)": \#(Int(p.qps1)), "\#(kind.sweepParameter)_at_\#(t)": \#(p.parameter)"#)
            } else {
                cells.append("—".padding(toLength: 28, withPad: " ", startingAt: 0))
                jsonCells.append(#""qps_at_\#(t)": null"#)
            }
        }
        if json {
            print(#"{"lib": "vecnode-\#(kind.rawValue)", "build_seconds": \#(round3(built.seconds)), "build_cpu_seconds": \#(round3(built.cpuSeconds)), "bytes_per_vector": \#(perVector), "max_recall_at_10": \#(round5(maxRecall)), \#(jsonCells.joined(separator: ", "))}"#)
        } else {
            let name = kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            print("\(name) \(String(format: "%7.2f  %11.1f  %9d", built.seconds, built.cpuSeconds, perVector))  \(cells.joined(separator: " ")) \(String(format: "%.4f", maxRecall))")
        }
    }
}
