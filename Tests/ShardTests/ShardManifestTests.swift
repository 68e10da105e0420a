import Testing

@testable import Shard

@Suite struct ShardManifestTests {
    static let schema = ShardFixtures.schema(dimension: 4)
    static let flat = [IndexSpec(fieldName: "vec", kind: .flat, metric: .l2)]

    @Test func manifestRoundTripsAndRejectsGarbage() throws {
        let m = ShardManifest(
            checkpoint: LogPosition(7), lastTimestamp: 99, nextSegmentID: SegmentID(5), schema: Self.schema, specs: Self.flat,
            segments: [.init(id: SegmentID(2), rowCount: 10, superseded: [(1, 50), (9, 60)]),
                       .init(id: SegmentID(4), rowCount: 3, superseded: [])])
        let bytes = m.encode()
        #expect(try ShardManifest(decoding: bytes) == m)
        for cut in [0, 8, 20, bytes.count / 2, bytes.count - 1] {
            #expect(throws: ShardError.self) { _ = try ShardManifest(decoding: Array(bytes.prefix(cut))) }
        }
        #expect(throws: ShardError.self) { _ = try ShardManifest(decoding: bytes + [0]) }
    }

    @Test func version2CarriesTheChannelCheckpointAndVersion1StillDecodes() throws {
        var m = ShardManifest(
            checkpoint: LogPosition(3), lastTimestamp: 12, nextSegmentID: SegmentID(2), channelCheckpoint: LogPosition(41),
            schema: Self.schema, specs: Self.flat, segments: [.init(id: SegmentID(1), rowCount: 2, superseded: [])])
        #expect(try ShardManifest(decoding: m.encode()).channelCheckpoint == LogPosition(41))
        m.channelCheckpoint = nil
        let v2 = m.encode()
        #expect(try ShardManifest(decoding: v2) == m)
        // Version 1 = the same layout without the 9 channel-checkpoint bytes after the next segment id.
        var v1 = Array(v2[0..<8]) + [1, 0] + Array(v2[10..<40])
        v1 += Array(v2[49...])
        let old = try ShardManifest(decoding: v1)
        #expect(old.channelCheckpoint == nil && old.segments == m.segments && old.checkpoint == m.checkpoint)
        var badFlag = v2
        badFlag[40] = 2
        #expect(throws: ShardError.self) { _ = try ShardManifest(decoding: badFlag) }
    }
}
