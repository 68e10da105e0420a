import Testing
import TestSupport
import VecCore
import IVF

@Suite struct IVFPersistenceTests {
    @Test(arguments: [IVFParameters.Storage.flat, .sq8], Metric.allCases)
    func roundTripGivesIdenticalResults(storage: IVFParameters.Storage, metric: Metric) throws {
        let f = try IVFFixture(count: 900, dimension: 20, metric: metric, storage: storage, seed: 21)
        for id in stride(from: 0, to: 900, by: 7) { try f.index.remove(id: Int64(id)) }
        let back = try IVFIndex.deserialize(f.index.serializedBytes(), name: "segments/1/index-2")
        #expect(back.count == f.index.count && back.slotCount == f.index.slotCount)
        #expect(back.parameters == f.index.parameters && back.metric == metric && back.listCount == f.index.listCount)
        #expect(back.listSizes == f.index.listSizes)
        for r in stride(from: 2, to: 900, by: 41) {
            #expect(try back.search(f.row(r), k: 10, nprobe: 3) == f.index.search(f.row(r), k: 10, nprobe: 3))
        }
        #expect(back.serializedBytes() == f.index.serializedBytes())
    }

    @Test func corruptInputIsATypedError() throws {
        let f = try IVFFixture(count: 200, dimension: 8, metric: .l2, storage: .sq8, seed: 4)
        let bytes = f.index.serializedBytes()
        func rejects(_ b: [UInt8], _ what: String) {
            do {
                _ = try IVFIndex.deserialize(b, name: "x")
                Issue.record("accepted \(what)")
            } catch {
                guard case .corruptFile = error else { Issue.record("\(what): \(error)"); return }
            }
        }
        rejects([], "empty")
        rejects(Array(bytes.prefix(80)), "truncated")
        rejects(Array(bytes.dropLast()), "one byte short")
        for offset in [0, 9, 30, bytes.count / 2, bytes.count - 1] {
            var bad = bytes
            bad[offset] ^= 0x10
            rejects(bad, "flip at \(offset)")
        }
        rejects(bytes + [0], "trailing byte")
    }
}
