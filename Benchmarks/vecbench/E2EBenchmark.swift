import E2EScenario
import Foundation

/// `vecbench e2e`: issue #4's scenario against a running vecnode (standalone or a cluster's proxy) over HTTP.
let e2eCommand = BenchCommand(
    name: "e2e",
    summary: "the #4 scenario (4 shards, insert, HNSW, load, recall@10, filter, delete under Strong) over HTTP",
    run: runE2E)

private func runE2E(_ args: [String]) throws {
    if args.contains("--help") {
        print("""
            usage: vecbench e2e --data DIR [--url HOST:PORT] [--rows N] [--queries N] [--shards N] [--batch N]
                                [--ef N] [--collection NAME]
              --data DIR     the pypi-minilm-100k directory (base.f16bin, query.f16bin, gt100.ibin)
              --url          the HTTP API of the running server (default 127.0.0.1:19530)
              --rows         rows to insert (default 100000: all; recall is then against gt100.ibin)
              --queries      queries to search (default 1000)
            Start the server first, e.g. `vecnode --role standalone` or scripts/cluster.sh up.
            """)
        return
    }
    let flags = try FlagParser(args, valued: ["--data", "--url", "--rows", "--queries", "--shards", "--batch", "--ef",
                                              "--collection"])
    guard let data = flags.string("--data") else { throw BenchError("--data DIR is required (pypi-minilm-100k)") }
    let url = flags.string("--url") ?? "127.0.0.1:19530"
    guard let colon = url.lastIndex(of: ":"), let port = UInt16(url[url.index(after: colon)...]) else {
        throw BenchError("--url expects HOST:PORT, got '\(url)'")
    }
    var options = E2EScenario.Options(datasetDirectory: data)
    options.rows = try flags.int("--rows", default: 100_000)
    options.queries = try flags.int("--queries", default: 1_000)
    options.shards = try flags.int("--shards", default: 4)
    options.batch = try flags.int("--batch", default: 1_000)
    options.ef = try flags.int("--ef", default: 128)
    options.collection = flags.string("--collection") ?? "pypi_e2e"
    let client = try MilvusHTTPClient(host: String(url[..<colon]), port: port, timeout: 600)
    let started = Date()
    let scenario = E2EScenario(options: options, client: client) { step in
        FileHandle.standardError.write(Data("[\(String(format: "%7.1f", Date().timeIntervalSince(started))) s] \(step)\n".utf8))
    }
    let dataset = try scenario.loadData()
    let report = try scenario.run(dataset)
    print("vecbench e2e against \(url): \(report)", terminator: "")
    print("total \(String(format: "%.1f", Date().timeIntervalSince(started))) s (including dataset load and ground truth)")
}
