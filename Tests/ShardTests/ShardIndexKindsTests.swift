import Foundation
import Testing
import TestSupport
import VecCore

@testable import Shard

/// A shard on each of the index kinds added with IVF and SQ8 (IVF_FLAT, IVF_SQ8, HNSW_SQ8): sealed segments
/// build and persist them, searches see deletes and filters, a reopened shard loads the index objects and
/// answers the same, and their specs encode and decode.
@Suite struct ShardIndexKindsTests {
    static let kinds: [IndexSpec.Kind] = [.ivfFlat(nlist: 16), .ivfSQ8(nlist: 16), .hnswSQ8(m: 16, efConstruction: 100)]

    @Test(arguments: kinds)
    func shardSearchesSealedSegmentsOfEachKind(kind: IndexSpec.Kind) throws {
        let d = 24, rows = 2_000
        let base = TestData.clustered(count: rows, dimension: d, clusters: 20, seed: 41)
        let spec = IndexSpec(fieldName: "vec", kind: kind, metric: .l2)
        let built = try ShardSearchTests.build(base: base, dimension: d, rows: rows, spec: spec, sealRows: 600,
                                               hnswThreshold: 100, seed: 42)
        #expect(built.shard.statistics.sealedSegments >= 2)
        #expect(!built.shard.statistics.growingUsesHNSW, "the new kinds are built at seal, growing segments scan")
        // nprobe = nlist (16) scans every list: IVF_FLAT is then exact, over live rows, with and without a filter.
        let queries = (0..<6).map { TestData.row(TestData.clustered(count: 6, dimension: d, clusters: 20, seed: 43), $0, dimension: d) }
        if case .ivfFlat = kind {
            try ShardSearchTests.checkExact(built, metric: .l2, at: HybridTimestamp.latest, filter: nil, allowed: { _ in true },
                                            queries: queries, k: 10)
            try ShardSearchTests.checkExact(built, metric: .l2, at: HybridTimestamp.latest, filter: "cat in [1, 3] and id > 100",
                                            allowed: { [1, 3].contains($0 % 10) && $0 > 100 }, queries: queries, k: 10)
        }
        let live = Set(built.live(at: .max).map(\.id))
        for q in queries {
            let hits = try built.shard.search(q, field: "vec", k: 10, ef: 64, nprobe: 16, filter: "cat == 3")[0]
            #expect(hits.primaryKeys.count == 10)
            for key in hits.primaryKeys {
                guard case .int(let id) = key else { Issue.record("non-integer key"); continue }
                #expect(id % 10 == 3 && live.contains(id), "id \(id) is filtered out or deleted")
            }
        }
        let flatQueries = queries.flatMap { $0 }
        let recall = try ShardSearchTests.recall(built, queries: flatQueries, k: 10, ef: 64, metric: .l2)
        #expect(recall >= 0.9, "\(kind.name) recall@10 \(recall)")

        // Reopen: the sealed segments load their index objects and answer the same.
        try built.shard.flush()
        let before = try built.shard.search(flatQueries, field: "vec", k: 10, ef: 64, nprobe: 4)
        built.shard.close()
        let again = try Shard.open(directory: built.shard.directory, schema: ShardFixtures.schema(dimension: d), indexes: [spec],
                                   options: ShardFixtures.options(sealRows: 600, hnswThreshold: 100))
        defer { again.close() }
        let after = try again.search(flatQueries, field: "vec", k: 10, ef: 64, nprobe: 4)
        #expect(after.map(\.primaryKeys) == before.map(\.primaryKeys))
        #expect(throws: ShardError.self) { try again.search(queries[0], field: "vec", k: 10, nprobe: 0) }
    }

    @Test func specsOfTheNewKindsRoundTripAndValidate() throws {
        for kind in Self.kinds + [.flat, .hnsw(m: 8, efConstruction: 64)] {
            let spec = IndexSpec(fieldName: "v", kind: kind, metric: .cosine)
            #expect(try IndexSpec(decoding: spec.encode()) == spec)
        }
        #expect(IndexSpec.Kind.ivfFlat(nlist: 4).name == "IVF_FLAT")
        #expect(IndexSpec.Kind.ivfSQ8(nlist: 4).name == "IVF_SQ8")
        #expect(IndexSpec.Kind.hnswSQ8(m: 4, efConstruction: 8).name == "HNSW_SQ8")
        #expect(throws: SchemaError.self) { try IndexSpec(fieldName: "v", kind: .ivfFlat(nlist: 0), metric: .l2).validate() }
        #expect(throws: SchemaError.self) { try IndexSpec(fieldName: "v", kind: .ivfSQ8(nlist: 70_000), metric: .l2).validate() }
        #expect(throws: SchemaError.self) { try IndexSpec(fieldName: "v", kind: .hnswSQ8(m: 1, efConstruction: 8), metric: .l2).validate() }
    }
}
