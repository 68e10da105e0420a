import E2EScenario
import Foundation
import LoadGen
import VecCore

/// `vecbench compare`: the seed's table. Ingests the same dataset into a standalone vecnode and into the local
/// cluster (scripts/cluster.sh, gateway in front of the proxies), runs the same closed-loop load on each, and
/// prints standalone vs distributed with the improvement column, as markdown (and JSON on request).
let compareCommand = BenchCommand(
    name: "compare",
    summary: "standalone vs distributed: same data, same load, the seed's table (markdown/JSON), --kill faults",
    run: runCompare)

private let compareUsage = """
    usage: vecbench compare --data DIR [--rows N] [--queries N] [--shards 4] [--replicas 3] [--query-nodes 3]
                            [--proxies 2] [--concurrency 1,8,32,64] [--duration 10s] [--kill ROLE-N@SECONDS …]
                            [--restart-after 3s] [--json FILE] [--markdown FILE] [--plot-dir DIR] [--vecnode PATH]
      Starts `vecnode --role standalone` (free port, temporary data directory), ingests DIR's first N rows over
      HTTP (create, insert, flush, load), runs the closed-loop load at each concurrency, stops it; then starts the
      local cluster with scripts/cluster.sh (its own directory and ports, gateway in front of the proxies),
      ingests the same rows with shardsNum/replicaNumber, runs the same load through the gateway and takes it
      down — always, also on an error or ctrl-C. Prints the seed's table as markdown on stdout.
      --data DIR             pypi-minilm-100k layout: base.f16bin, query.f16bin (gt100.ibin: recall when all rows)
      --rows N               rows ingested (default 100000)     --queries N   query vectors cycled (default 1000)
      --concurrency LIST     closed-loop clients per level (default 1,8,32,64)
      --duration 10s         per level and deployment (default 10s)
      --ef-construction N    HNSW build breadth (default 64; 200 costs ~2x the ingest)   --m N (default 16)
      --ef N  --top-k N      search breadth and hits per search (default 64, 10)
      --batch N              rows per insert request (default 1000)   --timeout 10s per search
      --kill ROLE-N@SECONDS  during the distributed load (seconds from its start; repeatable):
                             scripts/cluster.sh kill ROLE-N, restart it after --restart-after (default 3s);
                             the report shows errors, the latency spike and the recovery per kill
      --json FILE  --markdown FILE   also write the report there
      --plot-dir DIR         standalone.svg and distributed.svg (latency and throughput per second, kills marked)
      --vecnode PATH         the vecnode binary (default: next to vecbench; build both with
                             swift build -c release --product vecnode --product vecbench)
      --cluster-script PATH  scripts/cluster.sh (default: found from the working directory or vecbench's path)
      --progress 1s          progress line interval (0: off; default 1s on a terminal, 5s otherwise)
    """

private func runCompare(_ args: [String]) throws {
    if args.contains("--help") || args.contains("-h") { print(compareUsage); return }
    let o = try CompareOptions.parse(args)
    let started = Date()
    let progress = ProgressLine()
    func note(_ s: String) {
        progress.note("[\(String(format: "%6.1f", Date().timeIntervalSince(started))) s] \(s)")
    }

    // Everything that can be checked is checked before any server starts.
    let vecnode = try locateVecnode(o.vecnodePath)
    let script = try ClusterScript.locate(o.clusterScript)
    for path in [o.jsonPath, o.markdownPath].compactMap({ $0 }) {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: parent) else { throw BenchError("\(path): directory \(parent) is not writable") }
    }
    if let dir = o.plotDirectory {
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw BenchError("--plot-dir \(dir): \(error.localizedDescription)")
        }
    }
    let dataset = try CompareDataset(o)
    note("dataset \(o.dataDirectory): \(dataset.rows) rows × \(dataset.dimension), \(dataset.queryCount) queries"
         + (dataset.groundTruth == nil ? " (no recall: ground truth covers all rows only)" : ", recall against gt100.ibin"))

    let work = FileManager.default.temporaryDirectory.appendingPathComponent("vecbench-compare-\(getpid())-\(Int(started.timeIntervalSince1970))").path
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    let teardown = Teardown()
    var succeeded = false
    defer {
        teardown.runAll()
        if succeeded && !teardown.interrupted { try? FileManager.default.removeItem(atPath: work) } else { note("logs and data kept in \(work)") }
    }

    var config = LoadConfiguration()
    config.mode = .closedLoop
    config.duration = o.duration
    config.requestTimeout = o.timeout
    config.progressInterval = o.progressInterval ?? progress.defaultInterval

    // 1. Standalone.
    note("standalone: starting \(vecnode) --role standalone")
    let server = try StandaloneServer(vecnode: vecnode, dataDirectory: work + "/standalone", logPath: work + "/standalone.log")
    let stopServer = teardown.add("standalone") { server.stop() }
    note("standalone: healthy on \(server.address); ingesting")
    let standaloneIngest = try ingest(port: server.port, replicas: nil, options: o, dataset: dataset, progress: progress,
                                      label: "standalone", note: note)
    let standaloneLoad = try runLoad(address: server.address, options: o, dataset: dataset, config: config, progress: progress,
                                     label: "standalone", kills: nil)
    teardown.run(stopServer)
    note("standalone: stopped")
    FileHandle.standardError.write(Data(standaloneLoad.report.text.utf8))
    try writePlot(standaloneLoad, name: "standalone", options: o, note: note)

    // 2. Distributed.
    let gatewayPort = try LocalPorts.ephemeral()
    let base = try LocalPorts.clusterBase(queryNodes: o.queryNodes, proxies: o.proxies)
    let cluster = ClusterScript(script: script, directory: work + "/cluster", vecnode: vecnode)
    let takeDown = teardown.add("cluster") {
        do { try cluster.down() } catch { FileHandle.standardError.write(Data("vecbench compare: \(error)\n".utf8)) }
    }
    note("distributed: scripts/cluster.sh up (\(o.queryNodes) query nodes, \(o.proxies) proxies, gateway 127.0.0.1:\(gatewayPort), base port \(base))")
    try cluster.up(queryNodes: o.queryNodes, proxies: o.proxies, gateway: "127.0.0.1:\(gatewayPort)", basePort: base)
    let gateway = "127.0.0.1:\(gatewayPort)"
    let recorded = cluster.recordedProcesses()
    for k in o.kills where !recorded.contains(k.process) {
        throw BenchError("--kill \(k): scripts/cluster.sh started no process '\(k.process)' (it started \(recorded.joined(separator: ", ")))")
    }
    note("distributed: gateway healthy on \(gateway); ingesting with \(o.shards) shards × \(o.replicas) replicas")
    let distributedIngest = try ingest(port: gatewayPort, replicas: o.replicas, options: o, dataset: dataset, progress: progress,
                                       label: "distributed", note: note)
    let distributedLoad = try runLoad(address: gateway, options: o, dataset: dataset, config: config, progress: progress,
                                      label: "distributed", kills: o.kills.isEmpty ? nil : cluster)
    teardown.run(takeDown)
    note("distributed: cluster down")
    FileHandle.standardError.write(Data(distributedLoad.report.text.utf8))
    try writePlot(distributedLoad, name: "distributed", options: o, note: note)

    let report = ComparisonReport(
        dataset: URL(fileURLWithPath: o.dataDirectory).lastPathComponent, rows: dataset.rows, queries: dataset.queryCount,
        topK: o.topK, ef: o.ef, durationSeconds: o.duration,
        standalone: .init(name: "standalone", setup: "`vecnode --role standalone` (all roles in one process, 1 query node), "
                          + "\(o.shards) shards, 1 replica, HNSW M \(o.m) efConstruction \(o.efConstruction)",
                          ingestSeconds: standaloneIngest, runs: standaloneLoad.outcome.runs, kills: [],
                          loadStart: standaloneLoad.outcome.loadStart),
        distributed: .init(name: "distributed", setup: "`scripts/cluster.sh` (\(ClusterScript.topology(of: recorded))), "
                           + "\(o.shards) shards × \(o.replicas) replicas, same index",
                           ingestSeconds: distributedIngest, runs: distributedLoad.outcome.runs, kills: distributedLoad.report.kills,
                           loadStart: distributedLoad.outcome.loadStart))
    let markdown = report.markdown
    print(markdown, terminator: "")
    if let path = o.markdownPath { try write(Data(markdown.utf8), to: path, flag: "--markdown") }
    if let path = o.jsonPath { try write(Data(report.json() + [10]), to: path, flag: "--json") }
    note("done in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    let failedKills = distributedLoad.outcome.killEvents.filter { $0.error != nil }
    guard failedKills.isEmpty else {
        throw BenchError("--kill: " + failedKills.map { "\($0.process): \($0.error!)" }.joined(separator: "; "))
    }
    succeeded = true
}

/// The rows, queries and (when every row of the file is ingested) ground truth of a compare run.
private struct CompareDataset {
    let rows: Int
    let dimension: Int
    let base: [Float]
    let queries: [Float]
    let queryCount: Int
    let groundTruth: GroundTruth?

    init(_ o: CompareOptions) throws {
        let dir = o.dataDirectory
        let b: BigANNFile.Matrix<Float>, q: BigANNFile.Matrix<Float>
        do {
            b = try BigANNFile.readVectors(dir + "/base.f16bin", limit: o.rows)
            q = try BigANNFile.readVectors(dir + "/query.f16bin", limit: o.queries)
        } catch {
            throw BenchError("--data \(dir): \(error) (expected base.f16bin and query.f16bin)")
        }
        guard b.rows == o.rows else { throw BenchError("--rows \(o.rows): \(dir)/base.f16bin holds only \(b.rows) rows") }
        guard q.rows >= 1, q.columns == b.columns else { throw BenchError("\(dir)/query.f16bin: no queries of dimension \(b.columns)") }
        rows = b.rows
        dimension = b.columns
        base = b.values
        queries = q.values
        queryCount = q.rows
        // gt100.ibin is exact for the whole base file only.
        if CompareDataset.rowsInFile(dir + "/base.f16bin") == b.rows, let gt = try? BigANNFile.readIDs(dir + "/gt100.ibin", limit: q.rows), gt.rows == q.rows {
            groundTruth = try? GroundTruth(ids: gt.values, columns: gt.columns)
        } else {
            groundTruth = nil
        }
    }

    /// The row count in a big-ann file's header (nil: unreadable).
    static func rowsInFile(_ path: String) -> Int? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        guard let head = try? h.read(upToCount: 4), head.count == 4 else { return nil }
        return Int(head.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian)
    }
}

/// Creates, fills, flushes and loads the collection; returns the seconds it took.
private func ingest(port: UInt16, replicas: Int?, options o: CompareOptions, dataset: CompareDataset,
                    progress: ProgressLine, label: String, note: @escaping (String) -> Void) throws -> Double {
    let client = try MilvusHTTPClient(host: "127.0.0.1", port: port, timeout: 600)
    defer { client.close() }
    var io = CollectionIngest.Options()
    io.collection = "compare"
    io.shards = o.shards
    io.replicas = replicas
    io.batch = o.batch
    io.m = o.m
    io.efConstruction = o.efConstruction
    let ingest = CollectionIngest(options: io, client: client) { note("\(label): \($0)") }
    let interval = o.progressInterval ?? progress.defaultInterval
    let start = Date()
    var steps: [String] = []
    func step(_ name: String, _ body: () throws -> Void) throws {
        let t = Date()
        try body()
        steps.append("\(name) \(String(format: "%.1f", Date().timeIntervalSince(t))) s")
    }
    try step("create") { try ingest.create(dimension: dataset.dimension) }
    var lastUpdate = Date.distantPast
    try step("insert") {
        try ingest.insert(base: dataset.base, dimension: dataset.dimension, rows: dataset.rows) { done in
            guard interval > 0, Date().timeIntervalSince(lastUpdate) >= interval || done == dataset.rows else { return }
            lastUpdate = Date()
            let secs = Date().timeIntervalSince(start)
            progress.update("[\(label) ingest] \(done)/\(dataset.rows) rows  \(String(format: "%.1f", secs)) s  "
                            + "\(String(format: "%.0f", Double(done) / max(secs, 0.001))) rows/s")
        }
        progress.finish()
    }
    try step("flush") { try ingest.flush() }
    try step("load") { try ingest.load() }
    let total = Date().timeIntervalSince(start)
    note("\(label): ingested \(dataset.rows) rows in \(String(format: "%.1f", total)) s (\(steps.joined(separator: ", ")))")
    return total
}

/// One deployment's load: the runs, its report (with kills) and the timeline for the plot.
private struct DeploymentLoad {
    var outcome: LoadPhase.Outcome
    var report: LoadReport
    var timeline: LoadTimeline
}

private func runLoad(address: String, options o: CompareOptions, dataset: CompareDataset, config: LoadConfiguration,
                     progress: ProgressLine, label: String, kills cluster: ClusterScript?) throws -> DeploymentLoad {
    let url = "http://\(address)"
    let target = try LoadTarget(url: url)
    let workload = try SearchWorkload.milvusVectors(target: target, collection: "compare", vectors: dataset.queries,
                                                    dimension: dataset.dimension, topK: o.topK, ef: o.ef)
    let runner = try LoadRunner(target: target, workload: workload, groundTruth: dataset.groundTruth)
    let scheduler = cluster.map { KillScheduler(kills: o.kills, restartAfter: o.restartAfter, cluster: $0, timeline: runner.timeline) }
    let phase = LoadPhase(runner: runner, config: config, concurrencies: o.concurrency, progress: progress, prefix: "\(label) ",
                          kills: scheduler)
    let outcome = try phase.run()
    var report = LoadReport(target: url, collection: "compare", api: workload.api, queries: workload.count, topK: o.topK, ef: o.ef,
                            runs: outcome.runs)
    report.loadStart = outcome.loadStart
    report.kills = KillScheduler.analyse(outcome.killEvents, runs: outcome.runs, timeline: runner.timeline, restartAfter: o.restartAfter)
    for e in outcome.killEvents { if let err = e.error { progress.note("\(label): --kill \(e.process) failed: \(err)") } }
    return DeploymentLoad(outcome: outcome, report: report, timeline: runner.timeline)
}

private func writePlot(_ load: DeploymentLoad, name: String, options o: CompareOptions, note: (String) -> Void) throws {
    guard let dir = o.plotDirectory else { return }
    let path = dir + "/\(name).svg"
    let svg = LoadPlot(title: "vecbench compare — \(name)").svg(buckets: load.timeline.buckets, marks: load.timeline.marks)
    try write(Data(svg.utf8), to: path, flag: "--plot-dir")
    note("plot written to \(path)")
}

private func write(_ data: Data, to path: String, flag: String) throws {
    do { try data.write(to: URL(fileURLWithPath: path)) } catch {
        throw BenchError("cannot write \(flag) \(path): \(error.localizedDescription)")
    }
}

/// `--vecnode PATH`, else `vecnode` next to the running vecbench executable.
private func locateVecnode(_ explicit: String?) throws -> String {
    let path = explicit ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vecnode").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw BenchError("\(explicit == nil ? "no vecnode next to vecbench at" : "--vecnode") \(path): not an executable "
                         + "(build it with swift build -c release --product vecnode, or pass --vecnode PATH)")
    }
    return URL(fileURLWithPath: path).standardizedFileURL.path
}
