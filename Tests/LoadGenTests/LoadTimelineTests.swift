import Net
import Synchronization
import Testing
@testable import LoadGen

@Suite struct LoadTimelineTests {
    @Test func bucketsBySecondOfCompletionAndMarksInOrder() {
        let t = LoadTimeline(origin: 10_000_000_000)
        t.recordSuccess(completedAt: 9_000_000_000, latency: 1_000_000)       // before the origin: second 0
        t.recordSuccess(completedAt: 10_999_999_999, latency: 3_000_000)
        t.recordSuccess(completedAt: 13_000_000_000, latency: 2_000_000)
        t.recordFailure(at: 12_500_000_000)
        t.addMark("second", at: 12_000_000_000)
        t.addMark("first", at: 11_000_000_000)
        let b = t.buckets
        #expect(b.map(\.second) == [0, 1, 2, 3])
        #expect(b.map(\.completed) == [2, 0, 0, 1] && b.map(\.failed) == [0, 0, 1, 0])
        #expect(b[0].p50 >= 1_000_000 && b[0].p50 < 1_010_000 && b[0].p99 >= 3_000_000 && b[0].p99 < 3_030_000)
        #expect(b[1].p50 == 0 && b[1].p99 == 0)
        #expect(t.marks == [LoadTimeline.Mark(seconds: 1, label: "first"), LoadTimeline.Mark(seconds: 2, label: "second")])
    }

    @Test func boundedToOneDay() {
        let t = LoadTimeline(origin: 0)
        t.recordSuccess(completedAt: UInt64(LoadTimeline.maxSeconds) * 1_000_000_000, latency: 1)
        t.recordFailure(at: UInt64.max)
        #expect(t.buckets.isEmpty)
    }

    @Test func concurrentRecordingLosesNothing() throws {
        let t = LoadTimeline(origin: 0)
        var threads: [OSThread] = []
        for i in 0..<8 {
            threads.append(try OSThread(name: "tl-\(i)") {
                for j in 0..<1_000 { t.recordSuccess(completedAt: UInt64(j % 3) * 1_000_000_000, latency: UInt64(j) * 1_000) }
                t.addMark("t\(i)")
            })
        }
        for th in threads { th.join() }
        #expect(t.buckets.reduce(0) { $0 + $1.completed } == 8_000)
        #expect(t.marks.count == 8)
    }
}
