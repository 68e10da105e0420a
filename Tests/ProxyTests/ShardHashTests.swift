@testable import Proxy
import Shard
import Testing

@Suite struct ShardHashTests {
    /// Pinned values (computed independently from the documented definition): the hash decides where data
    /// lives, so any change must fail here.
    @Test func intKeysArePinned() {
        let expected: [(Int64, [Int])] = [
            (0, [0, 0, 0, 0]), (1, [1, 1, 5, 5]), (2, [0, 2, 2, 10]), (42, [0, 2, 2, 2]), (-1, [1, 3, 3, 11]),
        ]
        for (key, shards) in expected {
            #expect([2, 4, 8, 16].map { ShardHash.shard(of: .int(key), shardsNum: $0) } == shards, "key \(key)")
        }
    }

    @Test func stringKeysArePinned() {
        let expected: [(String, [Int])] = [
            ("", [0, 0, 0, 0]), ("a", [0, 0, 0, 0]), ("hello", [0, 0, 4, 12]), ("vecnode", [1, 1, 5, 5]), ("ключ", [0, 2, 6, 14]),
        ]
        for (key, shards) in expected {
            #expect([2, 4, 8, 16].map { ShardHash.shard(of: .string(key), shardsNum: $0) } == shards, "key \(key)")
        }
    }

    @Test func oneShardTakesEverything() {
        for k in [Int64.min, -7, 0, 5, .max] { #expect(ShardHash.shard(of: .int(k), shardsNum: 1) == 0) }
        #expect(ShardHash.shard(of: .string("x"), shardsNum: 1) == 0)
    }

    /// Sequential auto-ids and string keys spread evenly (each shard within 10 % of the mean).
    @Test func sequentialKeysSpreadEvenly() {
        for n in [2, 4, 8, 16] {
            var ints = [Int](repeating: 0, count: n)
            var strings = [Int](repeating: 0, count: n)
            for i in 0..<16_000 {
                ints[ShardHash.shard(of: .int(449_000_000_000_000_000 + Int64(i)), shardsNum: n)] += 1
                strings[ShardHash.shard(of: .string("doc-\(i)"), shardsNum: n)] += 1
            }
            let mean = 16_000 / n
            #expect(ints.allSatisfy { abs($0 - mean) < mean / 10 }, "\(n) shards: \(ints)")
            #expect(strings.allSatisfy { abs($0 - mean) < mean / 10 }, "\(n) shards: \(strings)")
        }
    }
}
