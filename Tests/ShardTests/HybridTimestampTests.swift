import Testing

@testable import Shard

@Suite struct HybridTimestampTests {
    @Test func hybridTimestampAndSegmentID() {
        let t = HybridTimestamp.make(physicalMilliseconds: 1_700_000_000_000, logical: 5)
        #expect(HybridTimestamp.physicalMilliseconds(of: t) == 1_700_000_000_000)
        #expect(HybridTimestamp.logical(of: t) == 5)
        #expect(SegmentID(42).description == "000000000000002a")
        #expect(SegmentID(1) < SegmentID(2))
    }
}
