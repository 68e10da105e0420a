import Foundation
import Testing
import TestSupport
import VecCore

@testable import Shard

/// Search over growing + several sealed segments + deletes equals a brute-force scan of the rows live at the
/// timestamp (FLAT), and HNSW reaches recall@10 ≥ 0.95 (generated data and real MiniLM embeddings).
@Suite struct ShardSearchTests {
    /// A shard with sealed segments, a growing one, deletes and upserts, plus the model of what is live.
    struct Built {
        let shard: Shard
        let dimension: Int
        /// id → (vector, insert ts, superseded ts)
        var versions: [(id: Int64, vector: [Float], insertedAt: UInt64, supersededAt: UInt64)]

        func live(at t: UInt64, allowed: (Int64) -> Bool = { _ in true }) -> [(id: Int64, vector: [Float])] {
            let t = min(t, UInt64.max - 1)
            return versions.filter { $0.insertedAt <= t && $0.supersededAt > t && allowed($0.id) }.map { ($0.id, $0.vector) }
        }
    }

    static func build(base: [Float], dimension: Int, rows: Int, spec: IndexSpec, sealRows: Int, hnswThreshold: Int,
                      seed: UInt64) throws -> Built {
        let schema = ShardFixtures.schema(dimension: dimension)
        let shard = try Shard.open(directory: ShardFixtures.directory("search"), schema: schema, indexes: [spec],
                                   options: ShardFixtures.options(sealRows: sealRows, hnswThreshold: hnswThreshold))
        var built = Built(shard: shard, dimension: dimension, versions: [])
        var rng = SplitMix64(seed: seed)
        var latest: [Int64: Int] = [:]
        var ts: UInt64 = 1
        var next = 0
        let batchSize = 100
        while next < rows {
            ts += 1
            let n = min(batchSize, rows - next)
            // Mostly fresh keys; every third batch also rewrites a few existing keys (duplicates by insert).
            var ids = (0..<n).map { Int64(next + $0) }
            if ts % 3 == 0, next > 0 { for j in 0..<5 { ids[j] = Int64(rng.next() % UInt64(next)) } }
            ids = Array(Set(ids)).sorted()
            var vectors: [Float] = []
            for id in ids {
                let row = Int(id) == next ? next : Int(rng.next() % UInt64(rows))
                vectors += TestData.row(base, row, dimension: dimension)
            }
            try shard.insert(try ShardFixtures.batch(schema, ids: ids, vectors: vectors), timestamp: ts)
            for (i, id) in ids.enumerated() {
                if let old = latest[id] { built.versions[old].supersededAt = ts }
                latest[id] = built.versions.count
                built.versions.append((id, Array(vectors[(i * dimension)..<((i + 1) * dimension)]), ts, .max))
            }
            next += n
            if rng.next() % 4 == 0 {
                ts += 1
                let victims = (0..<20).map { _ in Int64(rng.next() % UInt64(next)) }
                try shard.delete(primaryKeys: victims.map { .int($0) }, timestamp: ts)
                for v in victims { if let old = latest.removeValue(forKey: v) { built.versions[old].supersededAt = ts } }
            }
        }
        return built
    }

    static func checkExact(_ built: Built, metric: Metric, at t: UInt64, filter: String?, allowed: @escaping (Int64) -> Bool,
                           queries: [[Float]], k: Int) throws {
        let live = built.live(at: t, allowed: allowed)
        let base = live.flatMap(\.vector)
        #expect(live.count >= 50, "the model must have live rows at \(t)")
        for q in queries {
            let truth = BruteForce.topK(base: base, dimension: built.dimension, query: q, k: k, metric: metric)
            let hits = try built.shard.search(q, field: "vec", k: k, filter: filter, timestamp: t)[0]
            #expect(hits.primaryKeys.count == truth.count && truth.count == k)
            for (i, (row, distance)) in truth.enumerated() where i < hits.distances.count {
                #expect(abs(Double(hits.distances[i]) - distance) <= 1e-3 * max(1, abs(distance)),
                        "rank \(i): \(hits.distances[i]) vs \(distance)")
                if hits.primaryKeys[i] != .int(live[row].id) {
                    // Only a near-tie may swap places.
                    let tie = i + 1 < truth.count && abs(truth[i + 1].distance - distance) < 1e-4
                        || i > 0 && abs(truth[i - 1].distance - distance) < 1e-4
                    #expect(tie, "rank \(i): got \(hits.primaryKeys[i]), expected \(live[row].id)")
                }
            }
        }
    }

    @Test(arguments: [IndexSpec.Metric.l2, .innerProduct, .cosine])
    func flatSearchEqualsBruteForceOverLiveRows(_ specMetric: IndexSpec.Metric) throws {
        let d = 16
        let rows = 1_300
        let base = TestData.uniform(count: rows, dimension: d, seed: 11)
        let built = try Self.build(base: base, dimension: d, rows: rows, spec: IndexSpec(fieldName: "vec", kind: .flat, metric: specMetric),
                                   sealRows: 300, hnswThreshold: 1_000_000, seed: 12)
        defer { built.shard.close() }
        #expect(built.shard.statistics.sealedSegments >= 3)
        #expect(built.shard.statistics.growingRows > 0)
        let metric = VectorFieldIndex.metric(of: IndexSpec(fieldName: "vec", kind: .flat, metric: specMetric))
        let queries = (0..<8).map { TestData.row(TestData.uniform(count: 8, dimension: d, seed: 13), $0, dimension: d) }
        let lastTs = built.versions.map(\.insertedAt).max()!
        for t in [HybridTimestamp.latest, lastTs / 2, lastTs / 3 * 2] {
            try Self.checkExact(built, metric: metric, at: t, filter: nil, allowed: { _ in true }, queries: queries, k: 10)
            try Self.checkExact(built, metric: metric, at: t, filter: "cat in [1, 3, 5] and id > 100",
                                allowed: { [1, 3, 5].contains($0 % 10) && $0 > 100 }, queries: queries, k: 10)
        }
    }

    static func recall(_ built: Built, queries: [Float], k: Int, ef: Int, metric: Metric) throws -> Double {
        let live = built.live(at: .max)
        #expect(live.count > built.versions.count / 2)
        let base = live.flatMap(\.vector)
        let d = built.dimension
        let nq = queries.count / d
        let results = try built.shard.search(queries, field: "vec", k: k, ef: ef)
        var total = 0.0
        for qi in 0..<nq {
            let q = TestData.row(queries, qi, dimension: d)
            let truth = BruteForce.topK(base: base, dimension: d, query: q, k: k, metric: metric)
            let position = Dictionary(uniqueKeysWithValues: live.enumerated().map { ($0.element.id, Int64($0.offset)) })
            let found = results[qi].primaryKeys.compactMap { key -> Int64? in
                if case .int(let id) = key { return position[id] } else { return nil }
            }
            total += BruteForce.tieAwareRecall(found: found, truth: truth, base: base, dimension: d, query: q, metric: metric)
        }
        return total / Double(nq)
    }

    @Test func hnswRecallOnGeneratedData() throws {
        let d = 32
        let rows = 4_000
        let base = TestData.clustered(count: rows, dimension: d, clusters: 20, seed: 21)
        let built = try Self.build(base: base, dimension: d, rows: rows,
                                   spec: IndexSpec(fieldName: "vec", kind: .hnsw(m: 16, efConstruction: 100), metric: .l2),
                                   sealRows: 1_500, hnswThreshold: 500, seed: 22)
        defer { built.shard.close() }
        #expect(built.shard.statistics.growingUsesHNSW)
        #expect(built.shard.statistics.sealedSegments >= 2)
        let queries = TestData.clustered(count: 50, dimension: d, clusters: 20, seed: 23)
        let r = try Self.recall(built, queries: queries, k: 10, ef: 64, metric: .l2)
        #expect(r >= 0.95, "recall@10 \(r)")
    }

    @Test func hnswRecallOnMiniLMSlice() throws {
        guard let dir = SharedDatasets.minilm100k else {
            print("skipping: pypi-minilm-100k not found next to the repository")
            return
        }
        let rows = 6_000
        let base = try BigANNFile.readVectors(dir + "/base.f16bin", limit: rows)
        let queries = try BigANNFile.readVectors(dir + "/query.f16bin", limit: 40)
        let built = try Self.build(base: base.values, dimension: base.columns, rows: rows,
                                   spec: IndexSpec(fieldName: "vec", kind: .hnsw(m: 16, efConstruction: 100), metric: .cosine),
                                   sealRows: 2_500, hnswThreshold: 500, seed: 31)
        defer { built.shard.close() }
        let r = try Self.recall(built, queries: queries.values, k: 10, ef: 100, metric: .cosine)
        #expect(r >= 0.95, "recall@10 \(r)")
    }
}

extension ShardSearchTests {
    /// Allow-lists map rows to HNSW slots correctly: each row's own vector, with a filter selecting only it,
    /// finds it; a deleted row is never returned, even with a filter that selects only it.
    @Test func hnswAllowListsMapRowsToSlots() throws {
        let d = 16
        let rows = 2_000
        let base = TestData.uniform(count: rows, dimension: d, seed: 41)
        let built = try Self.build(base: base, dimension: d, rows: rows,
                                   spec: IndexSpec(fieldName: "vec", kind: .hnsw(m: 12, efConstruction: 60), metric: .l2),
                                   sealRows: 700, hnswThreshold: 200, seed: 42)
        defer { built.shard.close() }
        let live = Dictionary(built.live(at: .max).map { ($0.id, $0.vector) }, uniquingKeysWith: { a, _ in a })
        let deleted = Set(built.versions.map(\.id)).subtracting(live.keys)
        #expect(!deleted.isEmpty)
        for id in live.keys.sorted().filter({ $0 % 37 == 0 }) {
            let hits = try built.shard.search(live[id]!, field: "vec", k: 1, filter: "id == \(id)")[0]
            #expect(hits.primaryKeys == [.int(id)] && hits.distances == [0], "row \(id)")
        }
        for id in deleted.sorted().prefix(20) {
            let old = built.versions.last { $0.id == id }!.vector
            let hits = try built.shard.search(old, field: "vec", k: 1, filter: "id == \(id)")[0]
            #expect(hits.primaryKeys.isEmpty, "deleted row \(id) returned")
        }
    }
}
