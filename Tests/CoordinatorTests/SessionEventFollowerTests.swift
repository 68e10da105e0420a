import Coordinator
import Testing

/// The membership-following rules the query and data coordinators share.
@Suite struct SessionEventFollowerTests {
    typealias Step = SessionEventFollower.Step

    func event(_ sequence: UInt64, _ kind: SessionEvent.Kind = .joined) -> SessionEvent {
        SessionEvent(sequence: sequence, kind: kind,
                     session: NodeSession(sessionID: SessionID(Int64(sequence)), nodeID: NodeID(Int64(sequence)),
                                          role: .queryNode, address: "n:1"))
    }

    func batch(_ last: UInt64, _ events: [SessionEvent] = []) -> SessionEventBatch {
        SessionEventBatch(lastSequence: last, events: events)
    }

    @Test func firstPollResyncsThenEventsApplyInOrder() {
        var f = SessionEventFollower(restartGrace: .seconds(3))
        #expect(!f.isKnown)
        var step = f.step(for: batch(2, [event(1), event(2)]), polledCursor: 0)
        #expect(step == .resync)
        let first = f.resynced(through: 2)
        #expect(first && f.isKnown && f.cursor == 2)
        let again = f.resynced(through: 2)
        #expect(!again)  // only the first resync makes the membership known
        let next = batch(4, [event(3), event(4, .dead)])
        step = f.step(for: next, polledCursor: 2)
        #expect(step == .apply(next.events))
        f.advance(to: 4)
        step = f.step(for: batch(4), polledCursor: 4)
        #expect(f.cursor == 4 && step == .apply([]))
    }

    @Test func aBatchPolledWithAnOldCursorIsSkipped() {
        var f = SessionEventFollower(restartGrace: .seconds(3))
        f.resynced(through: 5)
        let step = f.step(for: batch(6, [event(6)]), polledCursor: 3)
        #expect(step == .skip)
    }

    @Test func aGapInTheHistoryResyncs() {
        var f = SessionEventFollower(restartGrace: .seconds(3))
        f.resynced(through: 5)
        let step = f.step(for: batch(9, [event(8), event(9)]), polledCursor: 5)
        #expect(step == .resync)
    }

    @Test func aRootCoordinatorRestartWaitsOutTheGraceThenResyncs() {
        var f = SessionEventFollower(restartGrace: .seconds(3))
        f.resynced(through: 40)
        let restarted = batch(2, [event(1), event(2)])
        let t0 = ContinuousClock.now
        var steps: [Step] = []
        for offset in [0, 1, 3] { steps.append(f.step(for: restarted, polledCursor: 40, now: t0 + .seconds(offset))) }
        #expect(steps == [.waitForRestartGrace(firstNotice: true), .waitForRestartGrace(firstNotice: false), .resync])
        f.resynced(through: 2)
        // A later restart waits again: the grace is per restart.
        let later = f.step(for: batch(1), polledCursor: 2, now: t0 + .seconds(10))
        #expect(f.cursor == 2 && later == .waitForRestartGrace(firstNotice: true))
    }
}
