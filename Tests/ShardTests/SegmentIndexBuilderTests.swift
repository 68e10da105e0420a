import Foundation
import Testing
import TestSupport
import VecCore

@testable import Shard

/// Deferred index builds: a shard sealing without indexes searches its segments exactly; `SegmentIndexBuilder`
/// builds the index objects of a flushed segment from outside the shard; a reopened shard uses them (and builds
/// nothing in memory), rejects damaged or foreign ones with a typed error and builds instead.
@Suite struct SegmentIndexBuilderTests {
    static let d = 16
    static let rows = 1_200
    static let base = TestData.clustered(count: rows, dimension: d, clusters: 12, seed: 91)
    static let queries = TestData.clustered(count: 8, dimension: d, clusters: 12, seed: 92)
    static let schema = ShardFixtures.schema(dimension: d)

    static func options(deferred: Bool) -> ShardOptions {
        var o = ShardFixtures.options(hnswThreshold: 100)
        o.deferIndexBuilds = deferred
        return o
    }

    /// The shard's log in `dir/local/log`, its objects in `dir/store` (as a data node keeps them apart).
    static func location(_ dir: String) -> ShardLocation {
        ShardLocation(logDirectory: dir + "/local/log", objectDirectory: dir + "/store", scratchLog: false)
    }

    /// A shard in `dir` (objects in `dir/store`) holding `base` in two flushed segments (and nothing growing).
    static func flushedShard(_ dir: String, spec: IndexSpec, deferred: Bool) throws -> Shard {
        let shard = try Shard.open(location: location(dir), schema: schema, indexes: [spec], options: options(deferred: deferred))
        let half = rows / 2
        try shard.insert(try ShardFixtures.batch(schema, ids: (0..<half).map(Int64.init), vectors: Array(base[0..<(half * d)])),
                         timestamp: 1)
        try shard.flush()
        try shard.insert(try ShardFixtures.batch(schema, ids: (half..<rows).map(Int64.init),
                                                 vectors: Array(base[(half * d)...])), timestamp: 2)
        try shard.flush()
        return shard
    }

    static func reopen(_ dir: String, spec: IndexSpec, deferred: Bool = false) throws -> Shard {
        try Shard.open(location: location(dir), schema: schema, indexes: [spec], options: options(deferred: deferred))
    }

    static func search(_ shard: Shard, ef: Int = 64) throws -> [SearchHits] {
        try shard.search(queries, field: "vec", k: 10, ef: ef, nprobe: 4)
    }

    static func recall(_ hits: [SearchHits]) -> Double {
        var total = 0.0
        for (i, h) in hits.enumerated() {
            let q = TestData.row(queries, i, dimension: d)
            let truth = BruteForce.topK(base: base, dimension: d, query: q, k: 10, metric: .l2)
            let found: [Int64] = h.primaryKeys.map { key -> Int64 in if case .int(let v) = key { return v } else { return -1 } }
            total += BruteForce.tieAwareRecall(found: found, truth: truth, base: base, dimension: d, query: q, metric: .l2)
        }
        return total / Double(hits.count)
    }

    static func indexFiles(_ dir: String) -> [String] {
        let e = FileManager.default.enumerator(atPath: dir + "/store")
        var out: [String] = []
        while let p = e?.nextObject() as? String { if p.contains("index-") { out.append(p) } }
        return out.sorted()
    }

    @Test func deferredSealSearchesExactlyAndMatchesTheIndexedResult() throws {
        let dir = ShardFixtures.directory("defer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hnsw = IndexSpec(fieldName: "vec", kind: .hnsw(m: 16, efConstruction: 200), metric: .l2)
        let deferred = try Self.flushedShard(dir + "/deferred", spec: hnsw, deferred: true)
        defer { deferred.close() }
        let flat = try Self.flushedShard(dir + "/flat", spec: IndexSpec(fieldName: "vec", kind: .flat, metric: .l2), deferred: false)
        defer { flat.close() }
        let indexed = try Self.flushedShard(dir + "/indexed", spec: hnsw, deferred: false)
        defer { indexed.close() }

        #expect(deferred.statistics.sealedSegments == 2)
        #expect(Self.indexFiles(dir + "/deferred").isEmpty, "a deferred seal writes no index object")
        #expect(!Self.indexFiles(dir + "/indexed").isEmpty)
        let exact = try Self.search(flat)
        #expect(try Self.search(deferred) == exact, "a deferred segment is scanned exactly, as FLAT")
        let highEf = try Self.search(indexed, ef: Self.rows)
        #expect(highEf.map(\.primaryKeys) == exact.map(\.primaryKeys), "HNSW at ef = rows finds the exact answer")

        // Reopened with deferred builds and no index object: still a scan, nothing built.
        deferred.close()
        let again = try Self.reopen(dir + "/deferred", spec: hnsw, deferred: true)
        defer { again.close() }
        #expect(again.statistics.deferredIndexScans == 2)
        #expect(again.statistics.indexesBuiltOnLoad == 0)
        #expect(try Self.search(again) == exact)
    }

    static let kinds: [IndexSpec.Kind] = [.hnsw(m: 16, efConstruction: 100), .hnswSQ8(m: 16, efConstruction: 100), .ivfFlat(nlist: 8)]

    @Test(arguments: kinds)
    func builtIndexObjectsAreLoadedInsteadOfBuilt(kind: IndexSpec.Kind) throws {
        let dir = ShardFixtures.directory("built")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = IndexSpec(fieldName: "vec", kind: kind, metric: .l2)
        try Self.flushedShard(dir, spec: spec, deferred: true).close()
        let store = try LocalObjectStore(root: dir + "/store")
        let view = try #require(try ShardManifestView.read(from: store))
        #expect(view.indexSpecs == [spec])
        #expect(view.segments.map(\.rowCount) == [Self.rows / 2, Self.rows / 2])
        for segment in view.segments {
            #expect(try SegmentIndexBuilder.missingIndexes(of: segment, in: view, store: store) == [spec])
            let result = try SegmentIndexBuilder.build(segment: segment.id, store: store, pool: WorkerPool(threads: 2))
            #expect(result.objects == ["segments/\(segment.id)/built-index-1"] && result.bytes > 0 && result.rows == segment.rowCount)
            #expect(try SegmentIndexBuilder.missingIndexes(of: segment, in: view, store: store).isEmpty)
            // A second build of the same segment has nothing to do.
            #expect(try SegmentIndexBuilder.build(segment: segment.id, store: store).objects.isEmpty)
        }

        let loaded = try Self.reopen(dir, spec: spec)
        defer { loaded.close() }
        let stats = loaded.statistics
        #expect(stats.indexObjectsLoaded == 2 && stats.indexesBuiltOnLoad == 0 && stats.rejectedIndexObjects.isEmpty,
                "\(stats)")
        let fromObjects = Self.recall(try Self.search(loaded))

        // The same shard with the objects removed builds in memory: the recall must be as good.
        let copy = ShardFixtures.directory("built-copy")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: dir, toPath: copy)
        for file in Self.indexFiles(copy) { try FileManager.default.removeItem(atPath: copy + "/store/" + file) }
        let rebuilt = try Self.reopen(copy, spec: spec)
        defer { rebuilt.close() }
        #expect(rebuilt.statistics.indexesBuiltOnLoad == 2 && rebuilt.statistics.indexObjectsLoaded == 0)
        let inMemory = Self.recall(try Self.search(rebuilt))
        #expect(fromObjects >= 0.9, "\(kind.name) recall from index objects \(fromObjects)")
        #expect(abs(fromObjects - inMemory) <= 0.05, "\(kind.name): objects \(fromObjects), in memory \(inMemory)")
    }

    @Test func damagedOrForeignIndexObjectsAreRejectedAndRebuilt() throws {
        let dir = ShardFixtures.directory("reject")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = IndexSpec(fieldName: "vec", kind: .hnsw(m: 8, efConstruction: 64), metric: .l2)
        try Self.flushedShard(dir, spec: spec, deferred: true).close()
        let store = try LocalObjectStore(root: dir + "/store")
        let view = try #require(try ShardManifestView.read(from: store))
        let (first, second) = (view.segments[0].id, view.segments[1].id)
        _ = try SegmentIndexBuilder.build(segment: first, store: store)
        // Segment 2 gets segment 1's object: it decodes but belongs elsewhere.
        let foreign = try store.get(SegmentIndexObject.key(first, fieldPosition: 1))
        try store.put(SegmentIndexObject.key(second, fieldPosition: 1), foreign)

        let shard = try Self.reopen(dir, spec: spec)
        let stats = shard.statistics
        #expect(stats.indexObjectsLoaded == 1 && stats.indexesBuiltOnLoad == 1)
        guard case .mismatch(let key, let reason)? = stats.rejectedIndexObjects.first, stats.rejectedIndexObjects.count == 1 else {
            Issue.record("expected one mismatch, got \(stats.rejectedIndexObjects)")
            return
        }
        #expect(key.contains(second.description) && reason.contains("segment"), "\(reason)")
        #expect(Self.recall(try Self.search(shard)) >= 0.9)
        shard.close()

        // A damaged header behind a valid envelope (byte 46 is inside the spec's own frame): rejected as corrupt.
        var bytes = [UInt8](try store.get(SegmentIndexObject.key(first, fieldPosition: 1)))
        bytes[46] ^= 0x01
        try store.put(SegmentIndexObject.key(first, fieldPosition: 1), Data(bytes))
        // And a flipped byte on disk (the store's envelope checksum catches it) for the other segment.
        _ = try SegmentIndexBuilder.build(segment: second, store: store, rebuild: true)
        let path = dir + "/store/segments/\(second)/built-index-1"
        var raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        raw[raw.count / 2] ^= 0x10
        try Data(raw).write(to: URL(fileURLWithPath: path))

        let again = try Self.reopen(dir, spec: spec)
        defer { again.close() }
        #expect(again.statistics.indexObjectsLoaded == 0 && again.statistics.indexesBuiltOnLoad == 2)
        #expect(again.statistics.rejectedIndexObjects.count == 2)
        for error in again.statistics.rejectedIndexObjects {
            guard case .corrupt = error else { Issue.record("expected corrupt, got \(error)"); continue }
            #expect(error.description.contains("rebuilt"))
        }
        #expect(Self.recall(try Self.search(again)) >= 0.9)
    }

    @Test func compactionRemovesTheMergedSegmentsIndexObjects() throws {
        let dir = ShardFixtures.directory("compact")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = IndexSpec(fieldName: "vec", kind: .hnsw(m: 8, efConstruction: 64), metric: .l2)
        try Self.flushedShard(dir, spec: spec, deferred: true).close()
        let store = try LocalObjectStore(root: dir + "/store")
        for segment in try #require(try ShardManifestView.read(from: store)).segments {
            _ = try SegmentIndexBuilder.build(segment: segment.id, store: store)
        }
        #expect(Self.indexFiles(dir).count == 2)
        let shard = try Self.reopen(dir, spec: spec, deferred: true)
        defer { shard.close() }
        #expect(shard.statistics.indexObjectsLoaded == 2)
        let report = try shard.compact()
        #expect(report.mergedSegments.count == 2 && report.newSegment != nil)
        #expect(Self.indexFiles(dir).isEmpty, "the merged segments' index objects are deleted with them: \(Self.indexFiles(dir))")
        let view = try #require(try ShardManifestView.read(from: store))
        #expect(view.segments.map(\.rowCount) == [Self.rows])
        #expect(try SegmentIndexBuilder.missingIndexes(of: view.segments[0], in: view, store: store) == [spec],
                "a deferred compaction leaves the merged segment to the index nodes")
    }

    @Test func indexObjectHeaderChecksEverythingItNames() throws {
        let spec = IndexSpec(fieldName: "vec", kind: .hnsw(m: 8, efConstruction: 64), metric: .l2)
        let object = SegmentIndexObject(segment: SegmentID(7), rowCount: 10, fieldPosition: 1, fingerprint: 42, spec: spec,
                                        index: [1, 2, 3])
        let bytes = object.encode()
        let key = SegmentIndexObject.key(SegmentID(7), fieldPosition: 1)
        func decode(_ b: [UInt8], segment: UInt64 = 7, rows: Int = 10, field: Int = 1, spec s: IndexSpec = spec,
                    fingerprint: UInt32 = 42) throws(SegmentIndexError) -> SegmentIndexObject {
            try SegmentIndexObject(decoding: b, key: key, segment: SegmentID(segment), rowCount: rows, fieldPosition: field,
                                   spec: s, fingerprint: fingerprint)
        }
        #expect(try decode(bytes).index == [1, 2, 3])
        let other = IndexSpec(fieldName: "vec", kind: .hnsw(m: 16, efConstruction: 64), metric: .l2)
        let wrongs: [(segment: UInt64, rows: Int, field: Int, spec: IndexSpec, fingerprint: UInt32)] = [
            (8, 10, 1, spec, 42), (7, 11, 1, spec, 42), (7, 10, 2, spec, 42), (7, 10, 1, other, 42), (7, 10, 1, spec, 43),
        ]
        for w in wrongs {
            do throws(SegmentIndexError) {
                _ = try decode(bytes, segment: w.segment, rows: w.rows, field: w.field, spec: w.spec, fingerprint: w.fingerprint)
                Issue.record("accepted a mismatch: \(w)")
            } catch {
                guard case .mismatch = error else { Issue.record("\(error)"); continue }
            }
        }
        for cut in [0, 8, 20, bytes.count - 1] {
            #expect(throws: SegmentIndexError.self) { try decode(Array(bytes.prefix(cut))) }
        }
        #expect(throws: SegmentIndexError.self) { try decode(bytes + [0]) }
        let store = try LocalObjectStore(root: ShardFixtures.directory("nomanifest"))
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        #expect(throws: SegmentIndexError.noManifest(store.root)) { try SegmentIndexBuilder.build(segment: SegmentID(1), store: store) }
        #expect(try ShardManifestView.read(from: store) == nil)
    }
}
