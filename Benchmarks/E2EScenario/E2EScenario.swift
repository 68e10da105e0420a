import Foundation
import JSON
import VecCore

/// Issue #4's end-to-end scenario against a running vecnode over its HTTP API (Milvus REST v2): create a
/// collection with 4 shards and an HNSW index, insert rows of pypi-minilm-100k, load, search (recall@10 against
/// exact inner-product ground truth), query with a filter, delete by filter and see the delete under Strong
/// consistency. The cluster tests run it on a 10k slice; `vecbench e2e` on all 100k rows.
///
/// Blocking: run it on a dedicated thread (`runDetached`), not on Swift's cooperative pool.
public struct E2EScenario {
    /// What to run.
    public struct Options: Sendable {
        /// The pypi-minilm-100k directory (base.f16bin, query.f16bin, gt100.ibin).
        public var datasetDirectory: String
        /// Rows inserted (the first `rows` of base.f16bin), 1…100,000.
        public var rows = 10_000
        /// Queries searched (the first of query.f16bin), 1…1,000.
        public var queries = 100
        public var shards = 4
        /// Rows per insert request.
        public var batch = 1_000
        public var collection = "pypi_e2e"
        /// HNSW build and search parameters.
        public var m = 16
        public var efConstruction = 200
        public var ef = 128
        public init(datasetDirectory: String) { self.datasetDirectory = datasetDirectory }
    }

    /// What the run measured.
    public struct Report: Sendable, CustomStringConvertible {
        public var rows = 0
        public var queries = 0
        public var recallAt10 = 0.0
        /// Seconds per step, in order.
        public var timings: [(step: String, seconds: Double)] = []
        public var searchP50Milliseconds = 0.0
        public var searchP99Milliseconds = 0.0
        public var filteredRows = 0
        public var deletedRows = 0

        public var description: String {
            var s = "rows \(rows), queries \(queries), recall@10 \(String(format: "%.4f", recallAt10)), "
                + "search p50 \(String(format: "%.1f", searchP50Milliseconds)) ms p99 \(String(format: "%.1f", searchP99Milliseconds)) ms, "
                + "filter matched \(filteredRows), deleted \(deletedRows)\n"
            for t in timings { s += "  \(t.step): \(String(format: "%.2f", t.seconds)) s\n" }
            return s
        }
    }

    public let options: Options
    public let client: MilvusHTTPClient
    private let log: (String) -> Void

    public init(options: Options, client: MilvusHTTPClient, log: @escaping (String) -> Void = { _ in }) {
        self.options = options
        self.client = client
        self.log = log
    }

    /// The dataset slice the run uses: row-major base and query vectors and each query's exact top-10 ids.
    public struct Data: Sendable {
        public let dimension: Int
        public let base: [Float]
        public let queries: [Float]
        public let truth: [[Int64]]
    }

    /// Reads the slice and its ground truth: gt100.ibin's top 10 when all 100,000 rows are used, otherwise
    /// exact inner products over the slice (the vectors are unit length, so this is cosine order).
    public func loadData() throws -> Data {
        let dir = options.datasetDirectory
        guard (1...100_000).contains(options.rows), (1...1_000).contains(options.queries) else {
            throw ScenarioError.dataset("rows must be 1...100000 and queries 1...1000")
        }
        let base: BigANNFile.Matrix<Float>
        let queries: BigANNFile.Matrix<Float>
        do {
            base = try BigANNFile.readVectors(dir + "/base.f16bin", limit: options.rows)
            queries = try BigANNFile.readVectors(dir + "/query.f16bin", limit: options.queries)
        } catch {
            throw ScenarioError.dataset("\(error) (pass the pypi-minilm-100k directory)")
        }
        guard base.rows == options.rows, queries.rows == options.queries else {
            throw ScenarioError.dataset("\(dir) holds \(base.rows) rows and \(queries.rows) queries, fewer than asked")
        }
        let d = base.columns
        var truth: [[Int64]] = []
        if options.rows == 100_000, let gt = try? BigANNFile.readIDs(dir + "/gt100.ibin", limit: options.queries) {
            for q in 0..<options.queries { truth.append((0..<10).map { Int64(gt.values[q * gt.columns + $0]) }) }
        } else {
            base.values.withUnsafeBufferPointer { b in
                queries.values.withUnsafeBufferPointer { qv in
                    for q in 0..<options.queries {
                        var scored: [(Float, Int64)] = []
                        scored.reserveCapacity(options.rows)
                        for i in 0..<options.rows {
                            scored.append((Kernels.dot(qv.baseAddress! + q * d, b.baseAddress! + i * d, d), Int64(i)))
                        }
                        scored.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
                        truth.append(scored.prefix(10).map(\.1))
                    }
                }
            }
        }
        return Data(dimension: d, base: base.values, queries: queries.values, truth: truth)
    }

    /// Runs every step; throws at the first failure or unmet check (recall < `minimumRecall`).
    public func run(_ data: Data, minimumRecall: Double = 0.95) throws -> Report {
        var report = Report()
        report.rows = options.rows
        report.queries = options.queries
        let d = data.dimension
        let c = options.collection
        func step(_ name: String, _ body: () throws -> Void) throws {
            let start = Date()
            log("\(name)…")
            try body()
            report.timings.append((name, Date().timeIntervalSince(start)))
        }

        var ingestOptions = CollectionIngest.Options()
        ingestOptions.collection = c
        ingestOptions.shards = options.shards
        ingestOptions.batch = options.batch
        ingestOptions.m = options.m
        ingestOptions.efConstruction = options.efConstruction
        let ingest = CollectionIngest(options: ingestOptions, client: client, log: log)
        try step("create collection") { try ingest.create(dimension: d) }
        try step("insert \(options.rows) rows") { try ingest.insert(base: data.base, dimension: d, rows: options.rows) }
        try step("flush") { try ingest.flush() }
        try step("load") { try ingest.load() }
        let count = try countRows(filter: "")
        guard count == Int64(options.rows) else { throw ScenarioError.check("count(*) is \(count) after inserting \(options.rows)") }

        var latencies: [Double] = []
        var recall = 0.0
        try step("search \(options.queries) queries (Strong, top 10)") {
            for q in 0..<options.queries {
                let start = Date()
                let ids = try search(Array(data.queries[(q * d)..<((q + 1) * d)]), limit: 10)
                latencies.append(Date().timeIntervalSince(start) * 1000)
                recall += Double(Set(ids).intersection(data.truth[q]).count) / 10
            }
        }
        report.recallAt10 = recall / Double(options.queries)
        latencies.sort()
        report.searchP50Milliseconds = latencies[latencies.count / 2]
        report.searchP99Milliseconds = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
        guard report.recallAt10 >= minimumRecall else {
            throw ScenarioError.check("recall@10 \(report.recallAt10) < \(minimumRecall)")
        }

        let expected = (0..<options.rows).filter { $0 % 100 == 7 }.count
        try step("filtered query (bucket == 7)") {
            let rows = try client.post("entities/query", """
                {"collectionName":"\(c)","filter":"bucket == 7","outputFields":["id","bucket"],"limit":16384,
                "consistencyLevel":"Strong"}
                """)
            let list = rows.arrayValue ?? []
            report.filteredRows = list.count
            guard list.count == expected, list.allSatisfy({ $0["bucket"]?.int64Value == 7 }) else {
                throw ScenarioError.check("filter bucket == 7 returned \(list.count) rows, expected \(expected)")
            }
        }
        try step("delete (bucket == 7) and check under Strong") {
            let r = try client.post("entities/delete", #"{"collectionName":"\#(c)","filter":"bucket == 7"}"#)
            report.deletedRows = Int(r["deleteCount"]?.int64Value ?? -1)
            guard report.deletedRows == expected else { throw ScenarioError.check("deleted \(report.deletedRows), expected \(expected)") }
            let left = try countRows(filter: "bucket == 7")
            guard left == 0 else { throw ScenarioError.check("\(left) deleted rows still visible under Strong") }
            if options.rows > 7 {
                let ids = try search(Array(data.base[(7 * d)..<(8 * d)]), limit: 5)
                guard !ids.contains(7) else { throw ScenarioError.check("search under Strong still finds deleted row 7") }
            }
        }
        return report
    }

    /// After a restart: the collection is back with every acknowledged row (`rows` minus the deleted bucket),
    /// deletes included, and searchable.
    public func verifyAfterRestart(_ data: Data) throws {
        let c = options.collection
        let dim = data.dimension
        let deadline = Date().addingTimeInterval(120)
        var lastError: any Error = ScenarioError.check("not checked")
        while Date() < deadline {
            do {
                let s = try client.post("collections/get_load_state", #"{"collectionName":"\#(c)"}"#)
                guard s["loadState"]?.stringValue == "LoadStateLoaded" else { throw ScenarioError.check("load state \(s)") }
                let expected = Int64(options.rows - (0..<options.rows).filter { $0 % 100 == 7 }.count)
                let count = try countRows(filter: "")
                guard count == expected else { throw ScenarioError.check("count(*) \(count) after restart, expected \(expected)") }
                let ids = try search(Array(data.base[(3 * dim)..<(4 * dim)]), limit: 1)
                guard ids == [3] else { throw ScenarioError.check("row 3 does not find itself after restart: \(ids)") }
                return
            } catch {
                lastError = error
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        throw lastError
    }

    private func countRows(filter: String) throws -> Int64 {
        let v = try client.post("entities/query", """
            {"collectionName":"\(options.collection)","filter":"\(filter)","outputFields":["count(*)"],"consistencyLevel":"Strong"}
            """)
        guard let n = v.arrayValue?.first?["count(*)"]?.int64Value else { throw ScenarioError.check("count(*) answered \(v)") }
        return n
    }

    private func search(_ vector: [Float], limit: Int) throws -> [Int64] {
        var body = #"{"collectionName":"\#(options.collection)","data":[["#
        body += vector.map(\.description).joined(separator: ",")
        body += #"]],"annsField":"vec","limit":\#(limit),"outputFields":["id"],"consistencyLevel":"Strong","searchParams":{"params":{"ef":\#(options.ef)}}}"#
        let v = try client.post("entities/search", body)
        return (v.arrayValue ?? []).compactMap { $0["id"]?.int64Value }
    }

    /// Runs `body` on a new thread and awaits its result, so blocking HTTP calls never occupy the cooperative
    /// pool.
    public static func runDetached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
