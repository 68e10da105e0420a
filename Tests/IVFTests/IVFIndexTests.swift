import Testing
import TestSupport
import VecCore
import IVF

/// A trained and filled IVF index over clustered data, with ids `0..<count`.
struct IVFFixture {
    let base: [Float]
    let index: IVFIndex
    let dimension: Int

    init(count: Int, dimension: Int, metric: Metric, storage: IVFParameters.Storage, nlist: Int = 16, seed: UInt64) throws {
        base = TestData.clustered(count: count, dimension: dimension, clusters: 12, seed: seed)
        self.dimension = dimension
        let params = IVFParameters(nlist: nlist, storage: storage, iterations: 8, samplesPerList: 64, seed: seed)
        index = try base.withUnsafeBufferPointer { b in
            let i = try IVFIndex(dimension: dimension, metric: metric, parameters: params, training: b)
            try i.add(ids: (0..<count).map(Int64.init), vectors: b)
            return i
        }
    }

    func row(_ r: Int) -> [Float] { TestData.row(base, r, dimension: dimension) }
}

@Suite struct IVFIndexTests {
    /// Probing every list is an exact search: same ids and distances as the flat index.
    @Test(arguments: Metric.allCases)
    func nprobeEqualToNlistIsExact(metric: Metric) throws {
        let f = try IVFFixture(count: 1200, dimension: 24, metric: metric, storage: .flat, seed: 3)
        let flat = try FlatIndex(dimension: 24, metric: metric)
        for r in 0..<1200 { try flat.add(id: Int64(r), vector: f.row(r)) }
        for q in stride(from: 1, to: 1200, by: 53) {
            let query = TestData.uniform(count: 1, dimension: 24, seed: UInt64(q))
            let got = try f.index.search(query, k: 10, nprobe: f.index.listCount)
            let want = try flat.search(query, k: 10)
            #expect(got.map(\.id) == want.map(\.id))
            for (a, b) in zip(got, want) { #expect(abs(a.distance - b.distance) <= 1e-5 * max(1, abs(b.distance))) }
        }
    }

    @Test(arguments: [IVFParameters.Storage.flat, .sq8])
    func recallGrowsWithNprobe(storage: IVFParameters.Storage) throws {
        let d = 32
        let f = try IVFFixture(count: 3000, dimension: d, metric: .l2, storage: storage, nlist: 32, seed: 8)
        func recall(_ nprobe: Int) throws -> Double {
            var total = 0.0
            for q in stride(from: 0, to: 3000, by: 97) {
                let query = f.row(q).map { $0 + 0.01 }
                let truth = BruteForce.topK(base: f.base, dimension: d, query: query, k: 10, metric: .l2)
                let got = try f.index.search(query, k: 10, nprobe: nprobe).map(\.id)
                total += BruteForce.tieAwareRecall(found: got, truth: truth, base: f.base, dimension: d, query: query, metric: .l2)
            }
            return total / Double((3000 + 96) / 97)
        }
        let low = try recall(1), high = try recall(32)
        #expect(high >= low)
        #expect(high >= (storage == .flat ? 0.999 : 0.9), "recall at nprobe = nlist: \(high)")
        #expect(f.index.listSizes.reduce(0, +) == 3000)
    }

    @Test(arguments: [IVFParameters.Storage.flat, .sq8])
    func filtersAndDeletes(storage: IVFParameters.Storage) throws {
        let d = 16
        let f = try IVFFixture(count: 2000, dimension: d, metric: .cosine, storage: storage, seed: 12)
        // Delete every third id; allow only even slots.
        for id in stride(from: 0, to: 2000, by: 3) { try f.index.remove(id: Int64(id)) }
        #expect(f.index.count == 2000 - 667)
        #expect(throws: VecError.unknownID(0)) { try f.index.remove(id: 0) }
        var allow = Bitset(count: f.index.slotCount)
        for s in stride(from: 0, to: 2000, by: 2) { allow.insert(s) }
        for q in stride(from: 1, to: 2000, by: 111) {
            let hits = try f.index.search(f.row(q), k: 10, nprobe: 2, filter: allow)
            #expect(hits.count == 10)
            for h in hits {
                #expect(h.id % 3 != 0, "deleted id \(h.id) returned")
                #expect(h.id % 2 == 0, "filtered-out id \(h.id) returned")
            }
        }
        // A very selective filter (3 allowed) still gets all of them, wherever they live.
        var few = Bitset(count: f.index.slotCount)
        for s in [4, 1000, 1990] { few.insert(s) }
        #expect(Set(try f.index.search(f.row(7), k: 10, nprobe: 1, filter: few).map(\.id)) == [4, 1000, 1990])
        // A deleted id can be added again.
        try f.index.add(ids: [3], vectors: f.row(3).withUnsafeBufferPointer { Array($0) }.withUnsafeBufferPointer { $0 })
        #expect(try f.index.search(f.row(3), k: 1, nprobe: 4).first?.id == 3)
    }

    @Test func rejectsBadInput() throws {
        let f = try IVFFixture(count: 300, dimension: 8, metric: .l2, storage: .flat, seed: 2)
        #expect(throws: VecError.self) { try f.index.search([1, 2, 3], k: 1, nprobe: 1) }
        #expect(throws: VecError.invalidK(0)) { try f.index.search(f.row(0), k: 0, nprobe: 1) }
        #expect(throws: VecError.self) { try f.index.search(f.row(0), k: 1, nprobe: 0) }
        let bad: [Float] = [1, .nan, 0, 0, 0, 0, 0, 0]
        #expect(throws: VecError.nonFiniteComponent(index: 1)) {
            try bad.withUnsafeBufferPointer { try f.index.add(ids: [9999], vectors: $0) }
        }
        #expect(throws: VecError.duplicateID(5)) {
            try f.row(5).withUnsafeBufferPointer { try f.index.add(ids: [5], vectors: $0) }
        }
        #expect(throws: VecError.self) {
            try IVFIndex(dimension: 8, metric: .l2, parameters: IVFParameters(nlist: 0), training: UnsafeBufferPointer(start: nil, count: 0))
        }
    }
}
