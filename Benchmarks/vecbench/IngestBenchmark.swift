import Foundation
import Shard
import VecCore

/// `vecbench ingest`: Shard ingest — insert rate with every batch fsynced in the log before it is
/// acknowledged, then the time to flush (seal the growing segment, build its HNSW graph, write the segment
/// objects and the manifest) and to reopen the shard (load segments and graphs, replay the log).
let ingestCommand = BenchCommand(
    name: "ingest", summary: "Shard ingest: fsync'd insert rows/s, flush (seal + HNSW + write) and reopen time",
    run: runIngestBenchmark)

private let ingestUsage = """
    usage: vecbench ingest --data DIR [--limit 100000] [--batch 1000] [--writers 1] [--m 16] [--ef-construction 100]
                           [--growing-hnsw-threshold N] [--threads T] [--dir DIR]
      --data    directory with base.f16bin (or base.fbin), e.g. ../shared/datasets/pypi-minilm-100k
      --limit   rows to ingest
      --batch   rows per insert (one log record each)
      --writers concurrent inserting threads (their records share fsyncs: group commit)
      --growing-hnsw-threshold  rows at which the growing segment starts its HNSW graph (default: never while
                ingesting, so the graph is built by the flush)
      --threads worker threads for index builds (default: all cores)
      --dir     shard directory on the disk to measure (default: a fresh one under $TMPDIR, removed after)

    """

private func runIngestBenchmark(_ args: [String]) throws {
    let flags = try FlagParser(
        args, valued: ["--data", "--limit", "--batch", "--writers", "--m", "--ef-construction", "--growing-hnsw-threshold", "--threads", "--dir"],
        switches: ["--help", "-h"])
    if flags.has("--help") || flags.has("-h") {
        print(ingestUsage, terminator: "")
        return
    }
    guard let data = flags.string("--data") else { throw BenchError("--data DIR is required\n" + ingestUsage) }
    let limit = try flags.int("--limit", default: 100_000)
    let batchRows = try flags.int("--batch", default: 1_000)
    let m = try flags.int("--m", default: 16)
    let efConstruction = try flags.int("--ef-construction", default: 100)
    let threads = try flags.int("--threads", default: ProcessInfo.processInfo.activeProcessorCount)
    let writers = try flags.int("--writers", default: 1)
    guard writers > 0 else { throw BenchError("--writers must be positive") }
    guard limit > 0, batchRows > 0, threads > 0 else { throw BenchError("--limit, --batch and --threads must be positive") }
    let growingThreshold = try flags.int("--growing-hnsw-threshold", default: limit + 1)
    let basePath = FileManager.default.fileExists(atPath: data + "/base.f16bin") ? data + "/base.f16bin" : data + "/base.fbin"
    let base = try BigANNFile.readVectors(basePath, limit: limit)
    let n = base.rows
    let d = base.columns

    let schema = CollectionSchema(fields: [
        FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
        FieldSchema(name: "vec", dataType: .floatVector, dimension: d),
    ])
    let indexes = [IndexSpec(fieldName: "vec", kind: .hnsw(m: m, efConstruction: efConstruction), metric: .cosine)]
    var options = ShardOptions()
    options.sealPolicy = SealPolicy(maxRows: Int.max, maxBytes: Int.max, maxAgeMilliseconds: .max)
    options.growingHNSWThreshold = max(1, growingThreshold)
    options.workerThreads = threads
    let userDir = flags.string("--dir")
    let dir = userDir ?? NSTemporaryDirectory() + "/vecbench-ingest-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    defer { if userDir == nil { try? FileManager.default.removeItem(atPath: dir) } }

    // Batches are built before timing: the client's work is not the shard's.
    var batches: [RowBatch] = []
    var start = 0
    while start < n {
        let end = min(n, start + batchRows)
        batches.append(try RowBatch(schema: schema, columns: [
            Column(name: "id", data: .int64((start..<end).map { Int64($0) })),
            Column(name: "vec", data: .floatVector(dimension: d, values: Array(base.values[(start * d)..<(end * d)]))),
        ]))
        start = end
    }
    print("Shard ingest: \(n) rows x \(d) dims from \(basePath), batches of \(batchRows), HNSW M=\(m) efC=\(efConstruction), "
        + "\(threads) threads, directory \(dir)")

    var shard = try Shard.open(directory: dir, schema: schema, indexes: indexes, options: options)
    var t0 = DispatchTime.now().uptimeNanoseconds
    let recorder = IngestRecorder()
    let s = shard
    let all = batches
    DispatchQueue.concurrentPerform(iterations: writers) { w in
        for i in stride(from: w, to: all.count, by: writers) {
            while true {
                let b0 = DispatchTime.now().uptimeNanoseconds
                do {
                    try s.insert(all[i], timestamp: recorder.nextTimestamp())
                    recorder.record(Double(DispatchTime.now().uptimeNanoseconds - b0) / 1e6)
                    break
                } catch ShardError.timestampRegression {
                    continue  // another writer was admitted with a later timestamp first
                } catch {
                    recorder.fail("\(error)")
                    return
                }
            }
        }
    }
    if let failure = recorder.failure { throw BenchError("insert failed: \(failure)") }
    let insertSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    var latencies = recorder.latencies
    latencies.sort()
    let p50 = latencies[latencies.count / 2]
    let p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
    let logStats = shard.logStatistics
    print(String(format: "insert:  %.0f rows/s, %.1f MB/s (%d batches from %d writer(s) in %d fsyncs, p50 %.2f ms, p99 %.2f ms per batch)",
                 Double(n) / insertSeconds, Double(n * d * 4) / insertSeconds / 1e6, batches.count, writers,
                 logStats.groupCommits, p50, p99))

    t0 = DispatchTime.now().uptimeNanoseconds
    try shard.flush()
    let flushSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    print(String(format: "flush:   %.2f s (seal, build HNSW over %d rows, write segment + index objects, manifest, log truncation)",
                 flushSeconds, n))
    shard.close()

    t0 = DispatchTime.now().uptimeNanoseconds
    shard = try Shard.open(directory: dir, schema: schema, indexes: indexes, options: options)
    let reopenSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    let stats = shard.statistics
    print(String(format: "reopen:  %.2f s (%d sealed segment(s), %d rows)", reopenSeconds, stats.sealedSegments, stats.sealedRows))

    // Sanity: each of a few base vectors finds itself.
    var found = 0
    let probes = min(100, n)
    for i in 0..<probes {
        let row = (i * 7919) % n
        let hits = try shard.search(Array(base.values[(row * d)..<((row + 1) * d)]), field: "vec", k: 1, ef: 64)
        if hits[0].primaryKeys.first == .int(Int64(row)) { found += 1 }
    }
    print("check:   \(found)/\(probes) base vectors find themselves after reopen")
    shard.close()
}

/// Latencies, timestamps and the first failure of the concurrent inserting threads.
private final class IngestRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var timestamp: UInt64 = 0
    private(set) var latencies: [Double] = []
    private(set) var failure: String?

    func nextTimestamp() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        timestamp += 1
        return HybridTimestamp.make(physicalMilliseconds: timestamp)
    }

    func record(_ ms: Double) {
        lock.lock()
        latencies.append(ms)
        lock.unlock()
    }

    func fail(_ message: String) {
        lock.lock()
        if failure == nil { failure = message }
        lock.unlock()
    }
}
