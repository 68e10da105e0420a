import Foundation
import JSON
import LoadGen
import VecCore

/// `vecbench load`: drives a running server over HTTP (Milvus REST v2 vector searches or the seed's text
/// `/search`) closed- or open-loop, and reports throughput, latency percentiles, errors by kind and recall.
let loadCommand = BenchCommand(
    name: "load",
    summary: "HTTP load generator against a running server: closed/open loop, p50…p99.9, errors, recall, SVG",
    run: runLoadBenchmark)

private let loadUsage = """
    usage: vecbench load --url URL --collection C (--queries FILE.fbin|.f16bin | --text-queries FILE.txt|.tsv)
                         [--top-k 10] [--ef 64] [--concurrency 1,8,64,256] [--duration 30s | --requests N]
                         [--open-loop RPS] [--insert-rate R] [--gt FILE.ibin] [--json] [--plot out.svg]
                         [--cluster-dir DIR --kill ROLE-N@SECONDS … [--restart-after 3s]]
      Vector queries go to POST /v2/vectordb/entities/search (Milvus REST v2), text queries to the seed's
      POST /search. One run per --concurrency value, each with N keep-alive connections on their own threads.
      closed loop (default): each client sends its next search when the previous reply arrives.
      --open-loop RPS       searches due at a fixed rate over the N connections; latency counts from the
                            scheduled send time, so a stalling server cannot hide its tail (coordinated omission).
      --duration 30s        run length per concurrency (s, ms, m suffixes; default 30s); --requests N instead
                            stops after N searches (both: whichever comes first).
      --gt FILE.ibin        ground truth (row i = query i): reports recall@k from the ids in the replies.
      --insert-rate R       concurrent inserts of R rows/s (entities/insert, vectors from the query file);
                            --insert-batch B rows per request (default R/10), --insert-id-start N (default 1e9),
                            --auto-id (send no id), --vector-field vector, --id-field id,
                            --insert-fields '{"bucket":0}' (constant fields for every row).
      --query-limit N       use only the first N queries.  --timeout 10s per request.  --token T (Bearer).
      --progress 1s         stderr progress line interval (0 disables; default 1s on a terminal, where the line
                            is overwritten, 5s otherwise).  --json prints the report as JSON.
      --plot out.svg        p50/p99 latency and throughput per second over the whole invocation, runs and kills marked.
      --kill ROLE-N@SECONDS SIGKILL that process of the cluster.sh cluster in --cluster-dir DIR at that second of the
                            load (from the start of the first run; repeatable) and restart it after --restart-after
                            (default 3s); reports failed searches, the latency spike and the recovery per kill.
                            --cluster-script PATH (default scripts/cluster.sh, found from here or vecbench's path).
    """

private func runLoadBenchmark(_ args: [String]) throws {
    if args.contains("--help") || args.contains("-h") { print(loadUsage); return }
    let flags = try FlagParser(args, valued: [
        "--url", "--collection", "--queries", "--text-queries", "--top-k", "--ef", "--concurrency", "--duration", "--requests",
        "--open-loop", "--insert-rate", "--insert-batch", "--insert-id-start", "--vector-field", "--id-field", "--gt", "--plot",
        "--query-limit", "--timeout", "--token", "--progress", "--insert-fields", "--cluster-dir", "--restart-after",
        "--cluster-script",
    ], switches: ["--json", "--auto-id"], repeatable: ["--kill"])
    guard let url = flags.string("--url") else { throw BenchError("--url is required (e.g. http://127.0.0.1:19530)") }
    guard let collection = flags.string("--collection"), !collection.isEmpty else { throw BenchError("--collection is required") }
    let vectorPath = flags.string("--queries"), textPath = flags.string("--text-queries")
    guard (vectorPath == nil) != (textPath == nil) else { throw BenchError("give exactly one of --queries and --text-queries") }
    let topK = try flags.int("--top-k", default: 10)
    let ef = try flags.int("--ef", default: 64)
    let queryLimit = try flags.int("--query-limit", default: Int.max)
    guard queryLimit >= 1 else { throw BenchError("--query-limit must be ≥ 1") }
    let openRate = try flags.string("--open-loop").map { try positiveDouble($0, "--open-loop") }
    let concurrencies = try flags.intList("--concurrency", default: openRate == nil ? [1, 8, 64, 256] : [64])
    guard !concurrencies.isEmpty else { throw BenchError("--concurrency needs at least one value") }

    var config = LoadConfiguration()
    config.mode = openRate.map { .openLoop(rate: $0) } ?? .closedLoop
    let requests = try flags.string("--requests").map { v -> Int in
        guard let n = Int(v), n >= 1 else { throw BenchError("--requests expects a positive integer, got '\(v)'") }
        return n
    }
    config.requests = requests
    config.duration = try flags.string("--duration").map { try parseDuration($0, "--duration") } ?? (requests == nil ? 30 : nil)
    config.requestTimeout = try flags.string("--timeout").map { try parseDuration($0, "--timeout") } ?? 10
    let progress = ProgressLine()
    config.progressInterval = try flags.string("--progress").map { try parseDuration($0, "--progress", allowZero: true) } ?? progress.defaultInterval
    config.insertRate = try flags.string("--insert-rate").map { try positiveDouble($0, "--insert-rate") }
    if let b = flags.string("--insert-batch") {
        guard let n = Int(b) else { throw BenchError("--insert-batch expects an integer, got '\(b)'") }
        config.insertBatch = n
    }

    let target = try LoadTarget(url: url, bearerToken: flags.string("--token"))
    let workload: SearchWorkload
    var insert: InsertWorkload?
    if let path = vectorPath {
        let m = try BigANNFile.readVectors(path, limit: queryLimit)
        guard m.rows > 0 else { throw BenchError("\(path): no query vectors") }
        workload = try SearchWorkload.milvusVectors(target: target, collection: collection, vectors: m.values, dimension: m.columns,
                                                    topK: topK, ef: ef, idField: flags.string("--id-field") ?? "id")
        if config.insertRate != nil {
            let firstID = try flags.string("--insert-id-start").map { v -> Int64 in
                guard let n = Int64(v) else { throw BenchError("--insert-id-start expects an integer, got '\(v)'") }
                return n
            } ?? 1_000_000_000
            var extra = JSONObject()
            if let text = flags.string("--insert-fields") {
                guard let v = try? JSONValue.parse(text), let o = v.objectValue else {
                    throw BenchError("--insert-fields expects a JSON object, e.g. '{\"bucket\": 0}', got '\(text)'")
                }
                extra = o
            }
            insert = try InsertWorkload(target: target, collection: collection, vectors: m.values, dimension: m.columns,
                                        vectorField: flags.string("--vector-field") ?? "vector", idField: flags.string("--id-field") ?? "id",
                                        firstID: firstID, autoID: flags.has("--auto-id"), extraFields: extra)
        }
    } else {
        let texts = try readQueryTexts(textPath!, limit: queryLimit)
        workload = try SearchWorkload.seedTexts(target: target, collection: collection, texts: texts, topK: topK)
    }
    var groundTruth: GroundTruth?
    if let gtPath = flags.string("--gt") {
        let m = try BigANNFile.readIDs(gtPath, limit: workload.count)
        groundTruth = try GroundTruth(ids: m.values, columns: m.columns)
    }

    let kills = try flags.all("--kill").map { try KillSpec.parse($0) }
    let restartAfter = try flags.string("--restart-after").map { try parseDuration($0, "--restart-after", allowZero: true) } ?? 3
    var cluster: ClusterScript?
    if let dir = flags.string("--cluster-dir") {
        cluster = ClusterScript(script: try ClusterScript.locate(flags.string("--cluster-script")), directory: dir, vecnode: nil)
    }
    if !kills.isEmpty {
        guard let cluster else { throw BenchError("--kill needs --cluster-dir DIR (the directory of a running scripts/cluster.sh cluster)") }
        let known = cluster.recordedProcesses()
        guard !known.isEmpty else { throw BenchError("--cluster-dir \(cluster.directory): no cluster recorded there (expected args/ from scripts/cluster.sh up)") }
        guard let planned = config.duration else { throw BenchError("--kill needs --duration (kill times are seconds into the load)") }
        let total = planned * Double(concurrencies.count)
        for k in kills {
            guard known.contains(k.process) else {
                throw BenchError("--kill \(k): no process '\(k.process)' in \(cluster.directory) (it has \(known.joined(separator: ", ")))")
            }
            guard k.seconds < total else {
                throw BenchError("--kill \(k): the load lasts \(String(format: "%g", total)) s (\(concurrencies.count) runs × \(String(format: "%g", planned)) s); kill earlier")
            }
        }
    } else if flags.string("--restart-after") != nil {
        throw BenchError("--restart-after applies to --kill only")
    }

    let runner = try LoadRunner(target: target, workload: workload, groundTruth: groundTruth, insert: insert)
    let scheduler = kills.isEmpty ? nil : cluster.map { KillScheduler(kills: kills, restartAfter: restartAfter, cluster: $0, timeline: runner.timeline) }
    let outcome = try LoadPhase(runner: runner, config: config, concurrencies: concurrencies, progress: progress, kills: scheduler).run()
    var report = LoadReport(target: url, collection: collection, api: workload.api, queries: workload.count, topK: topK,
                            ef: workload.api == .milvus ? ef : nil, runs: outcome.runs)
    report.loadStart = outcome.loadStart
    report.kills = KillScheduler.analyse(outcome.killEvents, runs: outcome.runs, timeline: runner.timeline, restartAfter: restartAfter)
    if flags.has("--json") {
        FileHandle.standardOutput.write(Data(report.json() + [10]))
    } else {
        print(report.text, terminator: "")
    }
    if let plotPath = flags.string("--plot") {
        let svg = LoadPlot(title: "vecbench load — \(url) \(collection)").svg(buckets: runner.timeline.buckets, marks: runner.timeline.marks)
        do {
            try Data(svg.utf8).write(to: URL(fileURLWithPath: plotPath))
        } catch {
            throw BenchError("cannot write --plot \(plotPath): \(error.localizedDescription)")
        }
        FileHandle.standardError.write(Data("plot written to \(plotPath)\n".utf8))
    }
    let failedKills = outcome.killEvents.filter { $0.error != nil }
    guard failedKills.isEmpty else {
        throw BenchError("--kill: " + failedKills.map { "\($0.process): \($0.error!)" }.joined(separator: "; "))
    }
}

/// `30s`, `500ms`, `2m`, or plain seconds (`1.5`).
private func parseDuration(_ text: String, _ flag: String, allowZero: Bool = false) throws -> Double {
    do { return try OptionText.duration(text, flag: flag, allowZero: allowZero) } catch { throw BenchError(error.description) }
}

private func positiveDouble(_ text: String, _ flag: String) throws -> Double {
    guard let v = Double(text), v.isFinite, v > 0 else { throw BenchError("\(flag) expects a positive number, got '\(text)'") }
    return v
}

/// One query per line; in a `.tsv` file (`id<TAB>text`, as the datasets ship) the text after the first tab.
/// Blank lines are skipped. Files over 256 MB are refused rather than read into memory.
private func readQueryTexts(_ path: String, limit: Int) throws -> [String] {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    guard let size = attributes?[.size] as? Int else { throw BenchError("\(path): cannot read the file") }
    guard size <= 256 << 20 else { throw BenchError("\(path): \(size) bytes is more than the 256 MB a query file may have") }
    guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("\(path): cannot read the file") }
    guard let text = String(data: data, encoding: .utf8) else { throw BenchError("\(path): not UTF-8 text") }
    let tsv = path.hasSuffix(".tsv")
    var out: [String] = []
    for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
        guard out.count < limit else { break }
        var t = line
        if tsv {
            guard let tab = line.firstIndex(of: "\t") else { throw BenchError("\(path): line \(out.count + 1) has no tab (expected id<TAB>text)") }
            t = line[line.index(after: tab)...]
        }
        let trimmed = t.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty { out.append(trimmed) }
    }
    guard !out.isEmpty else { throw BenchError("\(path): no query texts") }
    return out
}
