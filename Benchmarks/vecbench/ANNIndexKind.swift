import Foundation
import HNSW
import IVF
import VecCore

/// The index types `vecbench ann --index` and `vecbench indexes` compare, behind one small adapter so the
/// sweep code is shared. The adapter's dynamic dispatch is per query, never per distance.
enum ANNIndexKind: String, CaseIterable {
    case hnsw, hnswSQ8 = "hnsw_sq8", ivfFlat = "ivf_flat", ivfSQ8 = "ivf_sq8", flat

    init(parsing s: String) throws {
        guard let k = ANNIndexKind(rawValue: s.lowercased()) else {
            throw BenchError("unknown --index \(s); use \(ANNIndexKind.allCases.map(\.rawValue).joined(separator: "|"))")
        }
        self = k
    }

    /// The name of the search parameter swept (`ef` for graphs, `nprobe` for IVF).
    var sweepParameter: String { self == .ivfFlat || self == .ivfSQ8 ? "nprobe" : "ef" }
    var defaultSweep: [Int] {
        sweepParameter == "ef" ? [10, 16, 24, 32, 48, 64, 96, 128, 192, 256] : [1, 2, 4, 8, 16, 32, 64, 128]
    }
}

/// A built index under test.
protocol ANNUnderTest: AnyObject {
    var memoryFootprint: Int { get }
    func search(_ q: [Float], k: Int, parameter: Int) throws -> [SearchHit]
    func searchBatch(_ queries: [Float], k: Int, parameter: Int, pool: WorkerPool) throws -> [[SearchHit]]
}

extension HNSWIndex: ANNUnderTest {
    func search(_ q: [Float], k: Int, parameter: Int) throws -> [SearchHit] { try search(q, k: k, ef: parameter) }
    func searchBatch(_ queries: [Float], k: Int, parameter: Int, pool: WorkerPool) throws -> [[SearchHit]] {
        try search(batch: queries, k: k, ef: parameter, pool: pool)
    }
}

extension IVFIndex: ANNUnderTest {
    func search(_ q: [Float], k: Int, parameter: Int) throws -> [SearchHit] { try search(q, k: k, nprobe: parameter) }
    func searchBatch(_ queries: [Float], k: Int, parameter: Int, pool: WorkerPool) throws -> [[SearchHit]] {
        try search(batch: queries, k: k, nprobe: parameter, pool: pool)
    }
}

extension HNSWSQ8Index: ANNUnderTest {
    func search(_ q: [Float], k: Int, parameter: Int) throws -> [SearchHit] { try search(q, k: k, ef: parameter) }
    func searchBatch(_ queries: [Float], k: Int, parameter: Int, pool: WorkerPool) throws -> [[SearchHit]] {
        let d = dimension, n = queries.count / d
        let out = BatchHits(count: n)
        var failure: (any Error)?
        queries.withUnsafeBufferPointer { qb in
            pool.parallelFor(n, chunk: 8) { range, _ in
                for i in range {
                    do { out.set(i, try self.search(UnsafeBufferPointer(rebasing: qb[(i * d)..<((i + 1) * d)]), k: k, ef: parameter)) }
                    catch { out.fail(error) }
                }
            }
        }
        failure = out.failure
        if let failure { throw failure }
        return out.hits
    }
}

/// Per-query results written by pool workers (each slot by one worker).
final class BatchHits: @unchecked Sendable {
    private(set) var hits: [[SearchHit]]
    private(set) var failure: (any Error)?
    private let lock = NSLock()
    init(count: Int) { hits = Array(repeating: [], count: count) }
    func set(_ i: Int, _ h: [SearchHit]) { hits.withUnsafeMutableBufferPointer { $0[i] = h } }
    func fail(_ e: any Error) { lock.lock(); failure = e; lock.unlock() }
}

/// Builds `kind` over the dataset on `pool`; returns the index and its wall-clock and CPU build seconds.
func buildANNIndex(_ kind: ANNIndexKind, data: ANNDataset, metric: Metric, hnsw: HNSWParameters, nlist: Int,
                   pool: WorkerPool) throws -> (index: ANNUnderTest, seconds: Double, cpuSeconds: Double) {
    let n = data.base.rows, d = data.base.columns
    let t0 = Date(), c0 = processCPUSeconds()
    let index: ANNUnderTest
    switch kind {
    case .hnsw, .hnswSQ8:
        let g = try HNSWIndex(dimension: d, metric: metric, parameters: hnsw, capacity: n)
        try data.base.values.withUnsafeBufferPointer { b in try g.add(ids: (0..<Int64(n)).map { $0 }, vectors: b, pool: pool) }
        index = kind == .hnsw ? g : try HNSWSQ8Index(graph: g, refine: try RefineVectors(values: data.base.values, dimension: d))
    case .ivfFlat, .ivfSQ8:
        let params = IVFParameters(nlist: nlist, storage: kind == .ivfFlat ? .flat : .sq8)
        index = try data.base.values.withUnsafeBufferPointer { b in
            let i = try IVFIndex(dimension: d, metric: metric, parameters: params, training: b, pool: pool)
            try i.add(ids: (0..<Int64(n)).map { $0 }, vectors: b, pool: pool)
            return i
        }
    case .flat:
        throw BenchError("the flat index has no build step; use `vecbench ann --index flat`")
    }
    return (index, Date().timeIntervalSince(t0), processCPUSeconds() - c0)
}

/// One sweep point: recall and single-thread / batch QPS at one search parameter.
struct SweepPoint {
    let parameter: Int
    let recall: Double
    let qps1: Double
    let qps1CPU: Double
    let qpsBatch: Double
}

/// Searches every query at `parameter`: single thread one query per call (best of `runs` per 100-query
/// chunk, as peers.py), then the whole batch on `pool` (best of `runs`).
func measureSweepPoint(_ index: ANNUnderTest, data: ANNDataset, queryRows: [[Float]], k: Int, parameter: Int,
                       runs: Int, batch: Bool, pool: WorkerPool) throws -> SweepPoint {
    let nq = queryRows.count
    let chunk = 100
    var best = [Double](repeating: .infinity, count: (nq + chunk - 1) / chunk)
    var bestCPU = best
    var found: [[Int64]] = []
    for run in 0..<runs {
        for c in 0..<best.count {
            let t = DispatchTime.now().uptimeNanoseconds
            let cpu = threadCPUSeconds()
            for qi in (c * chunk)..<min(nq, (c + 1) * chunk) {
                let hits = try index.search(queryRows[qi], k: k, parameter: parameter)
                if run == 0 { found.append(hits.map(\.id)) }
            }
            best[c] = min(best[c], Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
            bestCPU[c] = min(bestCPU[c], threadCPUSeconds() - cpu)
        }
    }
    var bestBatch = 0.0
    if batch {
        for _ in 0..<runs {
            let t = Date()
            _ = try index.searchBatch(data.queries.values, k: k, parameter: parameter, pool: pool)
            bestBatch = max(bestBatch, Double(nq) / Date().timeIntervalSince(t))
        }
    }
    return SweepPoint(parameter: parameter, recall: Recall.atK(k, found: found, truth: data.truth),
                      qps1: Double(nq) / best.reduce(0, +), qps1CPU: Double(nq) / bestCPU.reduce(0, +), qpsBatch: bestBatch)
}
