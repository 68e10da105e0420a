import Foundation
import Testing

@testable import Coordinator

@Suite struct TimestampOracleTests {
    @Test func formatIsPhysicalShiftedLeft18PlusLogical() {
        let ts = Timestamp(physicalMilliseconds: 1_700_000_000_123, logical: 5)
        #expect(ts.rawValue == (1_700_000_000_123 << 18) | 5)
        #expect(ts.physicalMilliseconds == 1_700_000_000_123 && ts.logical == 5)
    }

    @Test func asksForAMarkBeforeIssuingAndThenIssuesInsideTheWindow() {
        var oracle = TimestampOracle(persistedMark: 0, window: 3_000)
        #expect(oracle.allocate(count: 1, now: 10_000) == .persist(mark: 13_000))
        oracle.markPersisted(13_000)
        guard case .issued(let a) = oracle.allocate(count: 10, now: 10_000) else { Issue.record("not issued"); return }
        #expect(a.first == Timestamp(physicalMilliseconds: 10_000, logical: 0) && a.count == 10)
        guard case .issued(let b) = oracle.allocate(count: 1, now: 10_000) else { Issue.record("not issued"); return }
        #expect(b.first == Timestamp(physicalMilliseconds: 10_000, logical: 10))
        // The clock goes backwards: the counter keeps going.
        guard case .issued(let c) = oracle.allocate(count: 1, now: 9_000) else { Issue.record("not issued"); return }
        #expect(c.first > b.first)
        // Past the window: a new mark first.
        #expect(oracle.allocate(count: 1, now: 13_000) == .persist(mark: 16_000))
    }

    @Test func logicalOverflowMovesToTheNextMillisecond() {
        var oracle = TimestampOracle(persistedMark: 100, window: 50)
        // After a restart at mark 100 the oracle starts at 100, so it first reserves beyond it.
        #expect(oracle.allocate(count: 1, now: 10) == .persist(mark: 150))
        oracle.markPersisted(150)
        guard case .issued(let a) = oracle.allocate(count: TimestampOracle.maxBatch, now: 10) else { Issue.record(); return }
        guard case .issued(let b) = oracle.allocate(count: 1, now: 10) else { Issue.record(); return }
        #expect(a.first.physicalMilliseconds == 100)
        #expect(a.last < b.first)
        #expect(b.first.physicalMilliseconds == a.first.physicalMilliseconds + 1)
    }

    /// Restarts the persistent oracle 200 times with a clock that jumps back and forth (seeded), and checks
    /// every timestamp is above every earlier one.
    @Test func strictlyIncreasingAcrossRestartsWithABackwardClock() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let seed: UInt64 = 7
        var rng = SeededRandom(seed: seed)
        let clock = ManualWallClock(1_700_000_000_000)
        var last = Timestamp(rawValue: 0)
        var issued = 0
        for restart in 0..<200 {
            let store = try MetaStore(directory: dir.path)
            let tso = try TimestampService(store: store, clock: clock, window: 3_000)
            for _ in 0..<Int.random(in: 1...20, using: &rng) {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: clock.advance(-Int64.random(in: 0...10_000, using: &rng))  // backwards
                case 1: clock.advance(Int64.random(in: 0...5_000, using: &rng))
                default: break
                }
                let range = try tso.allocate(count: Int.random(in: 1...1_000, using: &rng))
                #expect(range.first > last, "seed \(seed) restart \(restart): \(range.first) after \(last)")
                last = range.last
                issued += 1
            }
            if restart % 3 == 0 { store.close() }  // clean shutdown sometimes, a crash (drop) otherwise
        }
        #expect(issued > 200)
    }
}

@Suite struct IDAllocatorTests {
    @Test func issuesConsecutiveRangesWithinTheMark() {
        var a = IDAllocator(persistedMark: 0, reservation: 100)
        #expect(a.allocate(count: 10) == .persist(mark: 111))
        a.markPersisted(111)
        #expect(a.allocate(count: 10) == .issued(1..<11))
        #expect(a.allocate(count: 100) == .issued(11..<111))
        #expect(a.allocate(count: 1) == .persist(mark: 212))
    }

    @Test func neverRepeatsAcrossRestarts() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var rng = SeededRandom(seed: 11)
        var seen = Set<Int64>()
        var last: Int64 = 0
        for _ in 0..<50 {
            let store = try MetaStore(directory: dir.path)
            let ids = try IDService(store: store, reservation: 64)
            for _ in 0..<Int.random(in: 1...10, using: &rng) {
                let range = try ids.allocate(count: Int.random(in: 1...100, using: &rng))
                #expect(range.lowerBound > last)
                for id in range { #expect(seen.insert(id).inserted) }
                last = range.upperBound - 1
            }
        }
        #expect(!seen.contains(0))
    }

    @Test func corruptMarkIsReported() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetaStore(directory: dir.path)
        try store.put(IDService.markKey, [1, 2, 3])
        #expect(throws: MetaStoreError.self) { try IDService(store: store) }
    }
}
