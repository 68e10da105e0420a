import Net
import Testing
@testable import LoadGen

@Suite struct OpenLoopScheduleTests {
    @Test func sendTimesFollowTheRateWithoutDrift() {
        let s = OpenLoopSchedule(start: 1_000, rate: 3)     // 333.33… ms apart: rounding must not accumulate
        #expect(s.sendTime(0) == 1_000)
        #expect(s.sendTime(1) == 1_000 + 333_333_333)
        #expect(s.sendTime(3) == 1_000 + 1_000_000_000)
        #expect(s.sendTime(3_000_000) == 1_000 + 1_000_000_000_000_000)
        for i in 1..<1_000 { #expect(s.sendTime(i) > s.sendTime(i - 1)) }
        #expect(s.requests(within: 10) == 30)
        #expect(OpenLoopSchedule(start: 0, rate: 0.5).requests(within: 3) == 2)
    }

    @Test func sleepUntilWaitsForTheDeadline() {
        let due = monotonicNanoseconds() + 20_000_000
        OpenLoopSchedule.sleep(until: due)
        #expect(monotonicNanoseconds() >= due)
        let t0 = monotonicNanoseconds()
        OpenLoopSchedule.sleep(until: t0 - 1_000_000)       // already past: returns at once
        #expect(monotonicNanoseconds() - t0 < 10_000_000)
    }
}
