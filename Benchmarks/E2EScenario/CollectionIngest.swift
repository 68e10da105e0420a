import Foundation
import JSON

/// Creates a collection of dataset rows over the HTTP API (Milvus REST v2) and makes it searchable: create
/// (id Int64 primary key, `bucket` Int64 = id mod 100, `vec` FloatVector with an HNSW COSINE index), insert in
/// batches, flush (retried while replicas catch up), load and wait for `LoadStateLoaded`. Shared by issue #4's
/// scenario (`E2EScenario`, `vecbench e2e`) and `vecbench compare`, which ingests the same rows into a
/// standalone server and into the cluster.
///
/// Blocking: run it on a dedicated thread, not on Swift's cooperative pool.
public struct CollectionIngest {
    /// What to create and how.
    public struct Options: Sendable {
        public var collection = "pypi_e2e"
        /// `params.shardsNum`.
        public var shards = 4
        /// `params.replicaNumber` at create and `replicaNumber` at load (nil: the server's default, one).
        public var replicas: Int? = nil
        /// Rows per insert request.
        public var batch = 1_000
        /// HNSW build parameters.
        public var m = 16
        public var efConstruction = 200
        /// Seconds to keep retrying flush, and to wait for the load.
        public var settleTimeout: Double = 600
        public init() {}
    }

    public let options: Options
    public let client: MilvusHTTPClient
    private let log: (String) -> Void

    public init(options: Options, client: MilvusHTTPClient, log: @escaping (String) -> Void = { _ in }) {
        self.options = options
        self.client = client
        self.log = log
    }

    /// Drops any collection of the same name and creates it empty. A cluster that has just started (or whose
    /// nodes are re-registering after a missed lease on a loaded machine) may refuse the create for a moment
    /// ("no log node is live"): drop + create is idempotent, so it is retried for up to a minute.
    public func create(dimension d: Int) throws {
        guard (1...64).contains(options.shards) else { throw ScenarioError.check("shards must be 1...64, got \(options.shards)") }
        let deadline = Date().addingTimeInterval(min(60, options.settleTimeout))
        while true {
            do {
                try createOnce(dimension: d)
                return
            } catch {
                guard Date() < deadline else { throw error }
                log("create: \(error); retrying")
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    private func createOnce(dimension d: Int) throws {
        let c = options.collection
        _ = try? client.post("collections/drop", #"{"collectionName":"\#(c)"}"#)
        let replicas = options.replicas.map { #","replicaNumber":\#($0)"# } ?? ""
        try client.post("collections/create", """
            {"collectionName":"\(c)","schema":{"autoId":false,"enableDynamicField":false,"fields":[
            {"fieldName":"id","dataType":"Int64","isPrimary":true},
            {"fieldName":"bucket","dataType":"Int64"},
            {"fieldName":"vec","dataType":"FloatVector","elementTypeParams":{"dim":\(d)}}]},
            "indexParams":[{"fieldName":"vec","indexName":"vec","metricType":"COSINE","indexType":"HNSW",
            "params":{"M":\(options.m),"efConstruction":\(options.efConstruction)}}],
            "params":{"shardsNum":\(options.shards),"consistencyLevel":"Bounded"\(replicas)}}
            """)
    }

    /// Inserts rows `0..<rows` of `base` (row-major, `dimension` floats per row) with id = row number.
    /// `progress` is called after each acknowledged batch with the rows so far.
    public func insert(base: [Float], dimension d: Int, rows: Int, progress: (Int) -> Void = { _ in }) throws {
        let c = options.collection
        guard rows >= 0, rows * d <= base.count, options.batch >= 1 else {
            throw ScenarioError.check("insert of \(rows) rows: the data holds \(base.count / max(d, 1)), batch \(options.batch)")
        }
        var start = 0
        while start < rows {
            let end = min(rows, start + options.batch)
            var body = #"{"collectionName":"\#(c)","data":["#
            body.reserveCapacity((end - start) * d * 12)
            for i in start..<end {
                if i > start { body += "," }
                body += #"{"id":\#(i),"bucket":\#(i % 100),"vec":["#
                for j in 0..<d {
                    if j > 0 { body += "," }
                    body += base[i * d + j].description
                }
                body += "]}"
            }
            body += "]}"
            let r = try client.post("entities/insert", body)
            guard r["insertCount"]?.int64Value == Int64(end - start) else {
                throw ScenarioError.check("insert of rows \(start)..<\(end) answered \(r)")
            }
            start = end
            progress(start)
        }
    }

    /// Seals what was inserted. A replica still applying the inserts may time out catching up (the query node's
    /// catch-up limit is short on a loaded machine); flush is idempotent, so it is retried until `settleTimeout`.
    public func flush() throws {
        let deadline = Date().addingTimeInterval(options.settleTimeout)
        while true {
            do {
                try client.post("collections/flush", #"{"collectionName":"\#(options.collection)"}"#)
                return
            } catch {
                guard Date() < deadline else { throw error }
                log("flush: \(error); retrying")
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    /// Loads the collection (with `replicas` replicas) and waits until it reports `LoadStateLoaded`.
    public func load() throws {
        let c = options.collection
        let replicas = options.replicas.map { #","replicaNumber":\#($0)"# } ?? ""
        try client.post("collections/load", #"{"collectionName":"\#(c)"\#(replicas)}"#)
        let deadline = Date().addingTimeInterval(options.settleTimeout)
        while true {
            let s = try client.post("collections/get_load_state", #"{"collectionName":"\#(c)"}"#)
            if s["loadState"]?.stringValue == "LoadStateLoaded" { return }
            guard Date() < deadline else { throw ScenarioError.check("not loaded after \(Int(options.settleTimeout)) s: \(s)") }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}
