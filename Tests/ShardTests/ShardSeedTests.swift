import Foundation
import Testing

@testable import Shard

/// Shards fed from a channel: a scratch log beside objects elsewhere, the channel checkpoint in the manifest
/// (also for automatic seals), and seeding a scratch store from a shared one.
@Suite struct ShardSeedTests {
    static let schema = ShardFixtures.schema(dimension: 4)
    static let flat = [IndexSpec(fieldName: "vec", kind: .flat, metric: .l2)]

    static func batch(_ ids: Range<Int64>) throws -> RowBatch {
        try ShardFixtures.batch(schema, ids: Array(ids), vectors: ids.flatMap { id in (0..<4).map { Float(id) + Float($0) * 0.1 } })
    }

    static func location(_ dir: String, objects: String) -> ShardLocation {
        ShardLocation(logDirectory: dir + "/log", objectDirectory: objects, scratchLog: true)
    }

    @Test func channelCheckpointsFollowAppliedRecordsIntoEveryFlushAndBackOnOpen() throws {
        let dir = ShardFixtures.directory("seed-cp")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shared = dir + "/shared"
        var shard = try Shard.open(location: Self.location(dir + "/a", objects: shared), schema: Self.schema, indexes: Self.flat,
                                   options: ShardFixtures.options(sealRows: 30))
        #expect(shard.statistics.channelCheckpoint == nil)
        try shard.apply(.insert(try Self.batch(0..<10)), timestamp: 1, channelPosition: LogPosition(4))
        try shard.apply(.delete([.int(3), .int(999)]), timestamp: 2, channelPosition: LogPosition(5))
        try shard.apply(.delete([.int(999)]), timestamp: 3, channelPosition: LogPosition(6))  // no live key: still counted
        #expect(shard.statistics.hasUnflushedChanges)
        try shard.flush()
        #expect(shard.statistics.channelCheckpoint == LogPosition(7) && !shard.statistics.hasUnflushedChanges)
        // An automatic seal (30 rows) inside a write commits the record's position with its rows.
        try shard.apply(.insert(try Self.batch(100..<130)), timestamp: 4, channelPosition: LogPosition(9))
        #expect(shard.statistics.channelCheckpoint == LogPosition(10) && shard.statistics.sealedSegments == 2)
        shard.close()

        // Reopened over the same objects with a fresh scratch log: the rows are there, nothing replayed.
        try FileManager.default.removeItem(atPath: dir + "/a")
        shard = try Shard.open(location: Self.location(dir + "/b", objects: shared), schema: Self.schema, indexes: Self.flat)
        #expect(shard.statistics.liveRows == 39 && shard.statistics.channelCheckpoint == LogPosition(10))
        // A non-empty scratch log is refused.
        try shard.insert(try Self.batch(200..<201), timestamp: 5)
        shard.close()
        #expect(throws: ShardError.self) {
            _ = try Shard.open(location: Self.location(dir + "/b", objects: shared), schema: Self.schema, indexes: Self.flat)
        }
    }

    @Test func seedingLinksTheManifestsSegmentsAndRefusesMissingOnes() throws {
        let dir = ShardFixtures.directory("seed-link")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shared = dir + "/shared"
        #expect(try ShardSeed.seed(from: shared, to: dir + "/none") == nil, "nothing flushed: nothing to seed")
        let writer = try Shard.open(location: Self.location(dir + "/w", objects: shared), schema: Self.schema, indexes: Self.flat)
        try writer.apply(.insert(try Self.batch(0..<8)), timestamp: 1, channelPosition: LogPosition(0))
        try writer.flush()
        try writer.apply(.insert(try Self.batch(8..<12)), timestamp: 2, channelPosition: LogPosition(1))
        try writer.flush()
        writer.close()

        let scratch = dir + "/replica"
        let report = try #require(try ShardSeed.seed(from: shared, to: scratch + "/objects"))
        #expect(report.channelCheckpoint == LogPosition(2) && report.segments == 2 && report.files == 2 && report.copied == 0)
        let replica = try Shard.open(location: Self.location(scratch, objects: scratch + "/objects"), schema: Self.schema, indexes: Self.flat)
        #expect(replica.statistics.liveRows == 12)
        // The replica's own flush writes its scratch store only (atomic puts replace links, never write through).
        try replica.insert(try Self.batch(50..<51), timestamp: 3)
        try replica.flush()
        replica.close()
        let sharedAgain = try #require(try ShardSeed.seed(from: shared, to: dir + "/check/objects"))
        #expect(sharedAgain.segments == 2)

        // A manifest naming a segment the store lacks is corrupt, not silently partial.
        let segments = try FileManager.default.contentsOfDirectory(atPath: shared + "/segments").sorted()
        try FileManager.default.removeItem(atPath: shared + "/segments/" + segments[0])
        #expect(throws: ShardError.self) { _ = try ShardSeed.seed(from: shared, to: dir + "/broken/objects") }
    }
}
