import Node
import Shard
import Testing
import Wire

/// Query node messages decode what they encode, and refuse out-of-range values.
@Suite struct QueryNodeMessagesTests {
    static func roundTrip(_ m: SearchShard) throws -> SearchShard {
        var w = WireWriter()
        m.encode(into: &w)
        var r = WireReader(w.bytes)
        let back = try SearchShard(from: &r)
        try r.finish()
        return back
    }

    @Test func searchShardRoundTripsEveryField() throws {
        let m = SearchShard(ref: ShardRef(collection: 7, shard: 3), field: "vec", vectors: [1, 2, 3, 4, 5, 6], dimension: 3,
                            k: 10, ef: 64, nprobe: 32, filter: "a > {x}", parameters: ["x": .int(4)], outputFields: ["a", "b"],
                            guarantee: .session(timestamp: 99))
        #expect(try Self.roundTrip(m) == m)
        var defaults = m
        defaults.ef = nil
        defaults.nprobe = nil
        defaults.guarantee = .bounded(milliseconds: 1000)
        #expect(try Self.roundTrip(defaults) == defaults)
    }

    @Test func searchShardRefusesBadShapes() throws {
        var m = SearchShard(ref: ShardRef(collection: 1, shard: 0), field: "v", vectors: [1, 2, 3], dimension: 2, k: 1,
                            guarantee: .strong)
        #expect(throws: WireDecodingError.self) { _ = try Self.roundTrip(m) }  // 3 floats, dimension 2
        m.dimension = 3
        m.nprobe = 70_000
        #expect(throws: WireDecodingError.self) { _ = try Self.roundTrip(m) }
    }
}
