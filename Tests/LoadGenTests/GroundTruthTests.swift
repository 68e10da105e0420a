import Testing
@testable import LoadGen

@Suite struct GroundTruthTests {
    @Test func hitsCountEachTrueIdOnce() throws {
        let gt = try GroundTruth(ids: [1, 2, 3, 4, 10, 20, 30, 40], columns: 4)
        #expect(gt.rows == 2)
        #expect(gt.hits(row: 0, k: 3, found: [3, 9, 1]) == 2)
        #expect(gt.hits(row: 0, k: 3, found: [4, 5, 6]) == 0)        // 4 is beyond the true top-3
        #expect(gt.hits(row: 1, k: 2, found: [10, 10]) == 1)
        #expect(gt.hits(row: 1, k: 4, found: [40, 30, 20, 10, 1]) == 4)
        #expect(throws: LoadError.self) { try GroundTruth(ids: [1, 2, 3], columns: 2) }
    }
}
