import Testing
@testable import LoadGen

@Suite struct KillImpactTests {
    /// One bucket per second: p99 in ms (nil: nothing completed), failures, and max = 2 × p99.
    static func series(_ p99ms: [Double?], failed: [Int: UInt64] = [:]) -> [LoadTimeline.Bucket] {
        p99ms.enumerated().map { i, p in
            let ns = p.map { UInt64($0 * 1e6) } ?? 0
            return LoadTimeline.Bucket(second: i, completed: p == nil ? 0 : 100, failed: failed[i] ?? 0,
                                       p50: ns / 2, p99: ns, max: ns * 2)
        }
    }

    @Test func spikeAndRecoveryAfterTheLastBadSecond() {
        // Run 0…20 s; baseline p99 10 ms; kill at 8.0, restart at 11.0 (delay 3 → window 8…14).
        // Seconds 8–9 spike (50, 30 ms), 10 fine, 11 spikes again at the rejoin (20 ms > 15), 12 on fine.
        var p: [Double?] = Array(repeating: 10, count: 20)
        p[7] = 12; p[8] = 50; p[9] = 30; p[10] = 11; p[11] = 20
        let k = KillImpact.analyse(process: "querynode-2", buckets: Self.series(p, failed: [8: 2]), runs: [(0, 20)],
                                   killedAt: 8.0, restartedAt: 11.0, restartDelay: 3)
        #expect(k.windowEnd == 14)
        #expect(k.failed == 2 && k.completed == 600)            // seconds 8…13
        #expect(k.baselineP99 == 10_000_000)                    // median of 10,10,10,10,12
        #expect(k.baselineMax == 24_000_000)
        #expect(k.windowP99 == 50_000_000 && k.windowMax == 100_000_000)
        #expect(k.spikeRatio == 5)
        #expect(k.recoverySeconds == 4)                         // second 12 starts 3 good seconds: 12 − 8
        #expect(k.recoveryText == "recovered after 4.0 s")
    }

    @Test func noDisturbanceRecoversAtOnce() {
        let p: [Double?] = [10, 10, 10, 10, 11, 12, 10, 10, 10, 10, 10, 10]
        let k = KillImpact.analyse(process: "querynode-1", buckets: Self.series(p), runs: [(0, 12)],
                                   killedAt: 4.5, restartedAt: 7.5, restartDelay: 3)
        #expect(k.failed == 0 && k.recoverySeconds == 0)
        #expect(k.windowEnd == 10.5)
        #expect(k.windowP99 == 12_000_000)
    }

    @Test func withinToleranceIsNotBad() {
        // 1.5 × 10 ms = 15 ms is still recovered; 15.1 ms is not.
        var p: [Double?] = Array(repeating: 10, count: 15)
        p[6] = 15
        #expect(KillImpact.analyse(process: "q", buckets: Self.series(p), runs: [(0, 15)], killedAt: 6,
                                   restartedAt: 7, restartDelay: 1).recoverySeconds == 0)
        p[6] = 15.1
        #expect(KillImpact.analyse(process: "q", buckets: Self.series(p), runs: [(0, 15)], killedAt: 6,
                                   restartedAt: 7, restartDelay: 1).recoverySeconds == 1)
    }

    @Test func anEmptySecondAndFailuresAreBad() {
        var p: [Double?] = Array(repeating: 10, count: 15)
        p[6] = nil                                               // nothing completed in second 6
        let k = KillImpact.analyse(process: "q", buckets: Self.series(p, failed: [7: 1]), runs: [(0, 15)],
                                   killedAt: 6.2, restartedAt: 7, restartDelay: 1)
        #expect(k.failed == 1)
        #expect(k.recoverySeconds.map { abs($0 - 1.8) < 1e-9 } == true)   // second 8 − 6.2
    }

    @Test func notRecoveredBeforeTheRunEnds() {
        let p: [Double?] = [10, 10, 10, 10, 10, 80, 80, 80, 80, 80]
        let k = KillImpact.analyse(process: "q", buckets: Self.series(p), runs: [(0, 10)], killedAt: 5,
                                   restartedAt: nil, restartDelay: 3)
        #expect(k.recoverySeconds == nil)
        #expect(k.recoveryText == "not recovered before the load ended")
        #expect(k.windowEnd == 8)
    }

    @Test func baselineStaysInsideTheRun() {
        // A previous run's slow seconds (0–3) must not count; this run starts at 3.4, so whole seconds 4…6 form
        // the baseline (at most five, and only seconds fully inside the run).
        let p: [Double?] = [500, 500, 500, 500, 10, 20, 30, 90, 10, 10, 10, 10]
        let k = KillImpact.analyse(process: "q", buckets: Self.series(p), runs: [(0, 3.2), (3.4, 12)], killedAt: 7.0,
                                   restartedAt: 8, restartDelay: 1)
        #expect(k.baselineP99 == 20_000_000)
        #expect(k.recoverySeconds == 1)
    }

    @Test func windowRunsOnIntoTheNextRunJudgedByItsOwnNormal() {
        // Run 1 (0–10 s, p99 10 ms) holds the kill at 8; the restart at 11 falls into run 2 (10–20 s, a higher
        // concurrency whose normal p99 is 40 ms). Its 40 ms seconds are not "bad", its failures are.
        var p: [Double?] = Array(repeating: 10, count: 10) + Array(repeating: 40, count: 10)
        p[8] = 30
        let k = KillImpact.analyse(process: "q", buckets: Self.series(p, failed: [12: 2]), runs: [(0, 10), (10, 20)], killedAt: 8,
                                   restartedAt: 11, restartDelay: 3)
        #expect(k.windowEnd == 14)
        #expect(k.failed == 2 && k.completed == 600)
        #expect(k.baselineP99 == 10_000_000)
        #expect(k.recoverySeconds == 5)                         // last bad second 12 (failures), good from 13
    }

    @Test func killInTheFirstSecondHasNoBaselineButCountsErrors() {
        let p: [Double?] = [10, nil, 10, 10, 10, 10]
        let k = KillImpact.analyse(process: "q", buckets: Self.series(p, failed: [1: 5]), runs: [(0, 6)], killedAt: 0.5,
                                   restartedAt: 1, restartDelay: 1)
        #expect(k.baselineP99 == nil && k.spikeRatio == nil)
        #expect(k.failed == 5)
        #expect(k.recoverySeconds == 1.5)
        #expect(k.line().contains("p99 - (no second before the kill) before"))
    }

    @Test func lineSaysWhatHappened() {
        var p: [Double?] = Array(repeating: 10, count: 20)
        p[8] = 40
        let k = KillImpact.analyse(process: "querynode-2", buckets: Self.series(p), runs: [(0, 20)], killedAt: 8,
                                   restartedAt: 11, restartDelay: 3)
        #expect(k.line(loadStart: 0) == "kill querynode-2 at 8.0 s, restarted at 11.0 s: 0 failed / 600 searches in the window "
                + "(8.0–14.0 s); p99 10.00 ms before → 40.00 ms worst second (4.0×), max 80.00 ms (before 20.00 ms); recovered after 1.0 s")
    }
}
