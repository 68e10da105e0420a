import Testing
import VecCore

@Suite struct RecallTests {
    @Test func recallCountsOverlapInTheFirstK() {
        #expect(Recall.atK(2, found: [[1, 2, 3]], truth: [[2, 9, 1]]) == 0.5)
        #expect(Recall.atK(3, found: [[1, 2, 3], [4, 5, 6]], truth: [[3, 2, 1], [7, 8, 9]]) == 0.5)
    }
}
