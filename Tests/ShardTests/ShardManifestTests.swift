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
}
