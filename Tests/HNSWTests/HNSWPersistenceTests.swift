import Foundation
import Testing
import TestSupport
import VecCore
import HNSW

@Suite struct HNSWPersistenceTests {
    func tempPath() -> String { NSTemporaryDirectory() + "hnsw-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).idx" }

    @Test(arguments: Metric.allCases)
    func saveLoadRoundTripGivesIdenticalResults(metric: Metric) throws {
        let f = try Fixture(count: 1500, dimension: 20, metric: metric, seed: 14)
        for id in stride(from: 0, to: 1500, by: 10) { try f.index.remove(id: Int64(id)) }
        let path = tempPath()
        defer { unlink(path) }
        try f.index.save(to: path)
        let loaded = try HNSWIndex.load(from: path)
        #expect(loaded.count == f.index.count && loaded.slotCount == f.index.slotCount)
        #expect(loaded.parameters == f.index.parameters && loaded.metric == metric)
        for r in stride(from: 3, to: 1500, by: 37) {
            let q = TestData.row(f.base, r, dimension: 20)
            #expect(try loaded.search(q, k: 10, ef: 50) == f.index.search(q, k: 10, ef: 50))
        }
        // The loaded index keeps working: inserts and deletes.
        try loaded.add(id: 99_999, vector: TestData.row(f.base, 5, dimension: 20))
        try loaded.remove(id: 1)
        #expect(loaded.count == f.index.count)
    }

    @Test func bytesRoundTripAndRejectDamage() throws {
        let f = try Fixture(count: 400, dimension: 12, metric: .cosine, seed: 19)
        let bytes = f.index.serializedBytes()
        let back = try HNSWIndex.deserialize(bytes, name: "segment-7/index")
        let q = TestData.row(f.base, 9, dimension: 12)
        #expect(try back.search(q, k: 5, ef: 20) == f.index.search(q, k: 5, ef: 20))
        var bad = bytes
        bad[bad.count / 2] ^= 0x40
        #expect(throws: VecError.self) { try HNSWIndex.deserialize(bad, name: "x") }
        #expect(throws: VecError.self) { try HNSWIndex.deserialize(Array(bytes.prefix(10)), name: "x") }
    }

    @Test func emptyIndexRoundTrips() throws {
        let path = tempPath()
        defer { unlink(path) }
        try HNSWIndex(dimension: 3, metric: .l2).save(to: path)
        #expect(try HNSWIndex.load(from: path).count == 0)
    }

    @Test func truncatedCorruptAndForeignFilesAreRefused() throws {
        let f = try Fixture(count: 300, dimension: 8, metric: .l2, seed: 2)
        let path = tempPath()
        defer { unlink(path) }
        try f.index.save(to: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        // Every truncation point class: empty, inside the header, inside the body, one byte short.
        for cut in [0, 7, 30, 63, 64, 100, good.count / 2, good.count - 4, good.count - 1] {
            try good.prefix(cut).write(to: URL(fileURLWithPath: path))
            #expect(throws: VecError.self, "truncated at \(cut)") { try HNSWIndex.load(from: path) }
        }
        // Single-byte flips across the whole file are caught (checksums), never a crash or a wrong index.
        var rng = SplitMix64(seed: 10)
        for _ in 0..<60 {
            var bad = good
            let at = Int.random(in: 0..<bad.count, using: &rng)
            bad[at] ^= UInt8.random(in: 1...255, using: &rng)
            try bad.write(to: URL(fileURLWithPath: path))
            #expect(throws: VecError.self, "flip at \(at)") { try HNSWIndex.load(from: path) }
        }
        // Wrong version with a valid header checksum is reported as a version problem.
        var v2 = good
        v2[8] = 2
        try v2.write(to: URL(fileURLWithPath: path))
        do {
            _ = try HNSWIndex.load(from: path)
            Issue.record("version 2 accepted")
        } catch {
            #expect("\(error)".contains("version"))
        }
        try Data("not an index at all, just text that is long enough to have a header..........".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: VecError.self) { try HNSWIndex.load(from: path) }
        #expect(throws: VecError.self) { try HNSWIndex.load(from: "/nonexistent/dir/x.idx") }
    }
}
