import Testing
import TestSupport
import VecCore
@testable import IVF

/// Bulk loads put every list into one huge-page `ListArena`; later appends move lists out, a second bulk load
/// moves them all into a new arena, and none of it changes a result.
@Suite struct ListArenaTests {
    let dimension = 384

    func exactMatch(_ index: IVFIndex, _ flat: FlatIndex, queries: [[Float]]) throws {
        for q in queries {
            let got = try index.search(q, k: 10, nprobe: index.listCount)
            let want = try flat.search(q, k: 10)
            #expect(got.map(\.id) == want.map(\.id))
        }
    }

    @Test func bulkLoadsUseAnArenaAndStayExact() throws {
        // 3,000 × 384 floats = 4.6 MB of entries: above the arena threshold.
        let first = TestData.clustered(count: 3000, dimension: dimension, clusters: 12, seed: 5)
        let params = IVFParameters(nlist: 32, storage: .flat, iterations: 4, samplesPerList: 32, seed: 5)
        let index = try first.withUnsafeBufferPointer { try IVFIndex(dimension: dimension, metric: .l2, parameters: params, training: $0) }
        let flat = try FlatIndex(dimension: dimension, metric: .l2)
        func add(_ rows: [Float], from id: Int) throws {
            let n = rows.count / dimension
            try rows.withUnsafeBufferPointer { try index.add(ids: (id..<(id + n)).map(Int64.init), vectors: $0) }
            for r in 0..<n { try flat.add(id: Int64(id + r), vector: TestData.row(rows, r, dimension: dimension)) }
        }
        let queries = (0..<12).map { TestData.uniform(count: 1, dimension: dimension, seed: UInt64(100 + $0)) }

        try add(first, from: 0)
        #expect(index.lists.allSatisfy { $0.isInArena || $0.count == 0 })
        try exactMatch(index, flat, queries: queries)

        // A small add (below the threshold) moves the lists it grows out of the arena, into their own buffers.
        try add(TestData.clustered(count: 40, dimension: dimension, clusters: 12, seed: 6), from: 3000)
        #expect(index.lists.contains { !$0.isInArena && $0.count > 0 })
        try exactMatch(index, flat, queries: queries)
        for id in stride(from: 0, to: 3040, by: 11) {
            try index.remove(id: Int64(id))
            try flat.remove(id: Int64(id))
        }
        try exactMatch(index, flat, queries: queries)

        // A second bulk load gathers every list, old entries included, into one new arena.
        try add(TestData.clustered(count: 3000, dimension: dimension, clusters: 12, seed: 7), from: 10_000)
        #expect(index.lists.allSatisfy { $0.isInArena || $0.count == 0 })
        try exactMatch(index, flat, queries: queries)

        // A loaded file is laid out in an arena too, with the same results.
        let back = try IVFIndex.deserialize(index.serializedBytes(), name: "segments/1/index-2")
        #expect(back.lists.allSatisfy { $0.isInArena || $0.count == 0 })
        for q in queries { #expect(try back.search(q, k: 10, nprobe: 8) == index.search(q, k: 10, nprobe: 8)) }
    }

    @Test func smallIndexesKeepOwnBuffers() throws {
        let f = try IVFFixture(count: 500, dimension: 16, metric: .ip, storage: .flat, seed: 9)
        #expect(f.index.lists.allSatisfy { !$0.isInArena })
    }
}
