import Testing

@testable import Coordinator

@Suite struct SessionTableTests {
    let t0 = ContinuousClock.now

    func session(_ id: Int64, node: Int64, role: NodeRole = .queryNode) -> NodeSession {
        NodeSession(sessionID: SessionID(id), nodeID: NodeID(node), role: role, address: "127.0.0.1:\(9000 + node)")
    }

    @Test func nodeThatMissesItsLeaseIsDeclaredDead() throws {
        var table = SessionTable(ttl: .seconds(2))
        _ = try table.register(session(1, node: 1), now: t0)
        _ = try table.register(session(2, node: 2), now: t0)
        // Node 1 renews, node 2 does not.
        try table.renew(SessionID(1), now: t0 + .milliseconds(1500))
        #expect(table.expire(now: t0 + .milliseconds(1999)).isEmpty)
        let dead = table.expire(now: t0 + .seconds(2))
        #expect(dead.map(\.kind) == [.dead] && dead.map(\.session.nodeID) == [NodeID(2)])
        #expect(table.liveSessions().map(\.nodeID) == [NodeID(1)])
        #expect(table.expire(now: t0 + .milliseconds(3499)).isEmpty)
        #expect(table.expire(now: t0 + .milliseconds(3500)).map(\.session.nodeID) == [NodeID(1)])
        #expect(table.liveSessions().isEmpty)
    }

    @Test func renewAfterExpiryFailsAndReRegistrationGetsANewSession() throws {
        var table = SessionTable(ttl: .seconds(2))
        _ = try table.register(session(1, node: 7), now: t0)
        #expect(throws: SessionError.unknownSession(SessionID(1))) { try table.renew(SessionID(1), now: t0 + .seconds(3)) }
        #expect(table.expire(now: t0 + .seconds(3)).map(\.kind) == [.dead])
        let events = try table.register(session(2, node: 7), now: t0 + .seconds(3))
        #expect(events.map(\.kind) == [.joined])
        #expect(table.liveSessions().map(\.sessionID) == [SessionID(2)])
    }

    @Test func restartedNodeReplacesItsLiveSession() throws {
        var table = SessionTable(ttl: .seconds(2))
        _ = try table.register(session(1, node: 3), now: t0)
        let events = try table.register(session(5, node: 3), now: t0 + .milliseconds(100))
        #expect(events.map(\.kind) == [.replaced, .joined])
        #expect(events[0].session.sessionID == SessionID(1))
        #expect(throws: SessionError.self) { try table.renew(SessionID(1), now: t0 + .milliseconds(200)) }
        try table.renew(SessionID(5), now: t0 + .milliseconds(200))
    }

    @Test func eventHistoryPollingAndDeregistration() throws {
        var table = SessionTable(ttl: .seconds(1), historyLimit: 3)
        _ = try table.register(session(1, node: 1, role: .proxy), now: t0)
        _ = try table.register(session(2, node: 2, role: .dataNode), now: t0)
        #expect(table.liveSessions(role: .proxy).map(\.nodeID) == [NodeID(1)])
        #expect(table.deregister(SessionID(1)).map(\.kind) == [.left])
        #expect(table.deregister(SessionID(1)).isEmpty)
        _ = table.expire(now: t0 + .seconds(1))
        #expect(table.lastSequence == 4)
        #expect(table.events(after: 2).map(\.sequence) == [3, 4])
        #expect(table.events(after: 4).isEmpty)
        #expect(table.events(after: 0).map(\.sequence) == [2, 3, 4])  // history keeps the last 3
        #expect(table.events(after: 3).map(\.sequence) == [4])
        #expect(table.events(after: 100).isEmpty)
        #expect(table.events(after: UInt64.max).isEmpty)  // hostile value from the wire: no overflow
    }

    @Test func invalidRegistrationsAreRefused() {
        var table = SessionTable()
        #expect(throws: SessionError.self) { _ = try table.register(session(1, node: 0), now: t0) }
        var bad = session(1, node: 1)
        bad.address = ""
        #expect(throws: SessionError.self) { _ = try table.register(bad, now: t0) }
    }
}
