import Foundation
import Node
import Shard
import Testing
import TestSupport
import Wire

/// What a search through the node costs over the same `Shard.search` called directly: request encode,
/// in-memory frame, actor lookup, hop onto the CPU executor, reply encode and decode.
@Suite(.serialized)
struct QueryNodeSearchCostTests {
    typealias H = QueryNodeHarness

    @Test func aSearchThroughTheNodeCostsLittleOverADirectShardSearch() async throws {
        let h = try await H()
        let ref = ShardRef(collection: 100, shard: 0)
        let d = H.dimension
        let rows = 20_000
        let vectors = TestData.uniform(count: rows, dimension: d, seed: 21)
        let direct = try Shard.open(directory: h.root + "/direct", schema: H.schema, indexes: H.collection().indexes,
                                    options: { var o = ShardOptions(); o.workerThreads = 1; return o }())
        for (i, start) in stride(from: 0, to: rows, by: 1000).enumerated() {
            let batch = try H.batch(ids: (start..<(start + 1000)).map(Int64.init), vectors: Array(vectors[(start * d)..<((start + 1000) * d)]))
            let ts = HybridTimestamp.make(physicalMilliseconds: 1_000 + UInt64(i))
            try await h.append(.insert(batch), to: ref, timestamp: ts)
            try await H.cpu.run { () throws(ShardError) in try direct.insert(batch, timestamp: ts) }
        }
        _ = try await h.load(ref)
        let queries = TestData.uniform(count: 64, dimension: d, seed: 22)
        let clock = ContinuousClock()
        var directTimes: [Duration] = []
        var nodeTimes: [Duration] = []
        for round in 0..<300 {
            let q = TestData.row(queries, round % 64, dimension: d)
            let t0 = clock.now
            let hits = try await H.cpu.run { () throws(ShardError) in try direct.search(q, field: "vec", k: 10, outputFields: ["tag"]) }
            let t1 = clock.now
            let reply = try await h.client.call(SearchShard(ref: ref, field: "vec", vectors: q, dimension: d, k: 10,
                                                            outputFields: ["tag"], guarantee: .eventually))
            let t2 = clock.now
            #expect(H.ints(try H.decode(reply.rows)) == hits[0].primaryKeys.map { if case .int(let v) = $0 { v } else { -1 } })
            if round >= 20 {  // warm-up excluded
                directTimes.append(t1 - t0)
                nodeTimes.append(t2 - t1)
            }
        }
        directTimes.sort()
        nodeTimes.sort()
        let p50Direct = directTimes[directTimes.count / 2], p50Node = nodeTimes[nodeTimes.count / 2]
        func µs(_ x: Duration) -> Int64 { x.components.seconds * 1_000_000 + x.components.attoseconds / 1_000_000_000_000 }
        print("search of \(rows) × \(d)-d FLAT, k 10, p50 of \(nodeTimes.count): direct Shard.search (via cpu.run) \(µs(p50Direct)) µs, "
            + "through the node (in-memory transport) \(µs(p50Node)) µs, overhead \(µs(p50Node - p50Direct)) µs")
        // Generous for a debug build on shared cores; a regression (catch-up waits, extra copies of the
        // shard) costs far more.
        #expect(p50Node - p50Direct < .milliseconds(2))
        direct.close()
        await h.shutdown()
    }
}
