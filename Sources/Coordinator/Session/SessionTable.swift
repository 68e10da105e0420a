/// Node sessions with leases, as a value-type state machine driven by the caller's clock: no timers, no
/// threads. The owner calls `expire(now:)` periodically (every `ttl / 4` or at `nextExpiry`), and forwards
/// the returned events to the coordinators.
///
/// Rules: a node registers with its `NodeID`, role and address and gets a new `SessionID` with a lease of
/// `ttl`; `renew` extends the lease to `now + ttl`; a session whose lease passed is removed by `expire` with
/// a `dead` event ("node X dead"). A node that registers again while its old session is still live (it
/// restarted faster than the lease) replaces it: `replaced` for the old session, then `joined`. Renewing an
/// expired or replaced session fails with `unknownSession`, telling the node to register again.
///
/// Instants are `ContinuousClock.Instant`s so tests can pass `start + .seconds(3)` without sleeping.
public struct SessionTable: Sendable {
    /// Lease duration: a node that does not renew within it is declared dead. Default 2 s.
    public let ttl: Duration
    /// How many past events `events(after:)` can return.
    public let historyLimit: Int

    private struct Lease: Sendable {
        var session: NodeSession
        var expiresAt: ContinuousClock.Instant
    }

    private var leases: [SessionID: Lease] = [:]
    private var byNode: [NodeID: SessionID] = [:]
    private var history: [SessionEvent] = []
    private var nextSequence: UInt64 = 1

    public init(ttl: Duration = .seconds(2), historyLimit: Int = 4096) {
        precondition(ttl > .zero && historyLimit >= 1, "ttl and historyLimit must be positive")
        self.ttl = ttl
        self.historyLimit = historyLimit
    }

    /// Registers `session` (whose `sessionID` the owner allocated, unique forever) with a lease from `now`.
    ///
    /// - Returns: the events it caused (`replaced` for an older live session of the same node, then `joined`).
    /// - Throws: `SessionError.invalidRegistration`.
    public mutating func register(_ session: NodeSession, now: ContinuousClock.Instant) throws(SessionError) -> [SessionEvent] {
        guard session.nodeID.rawValue > 0 else { throw .invalidRegistration("node id must be positive, got \(session.nodeID.rawValue)") }
        guard !session.address.isEmpty, session.address.utf8.count <= NodeSession.maxAddressBytes else {
            throw .invalidRegistration("address must be 1…\(NodeSession.maxAddressBytes) bytes")
        }
        precondition(leases[session.sessionID] == nil, "session ids must be unique")
        var events: [SessionEvent] = []
        if let old = byNode[session.nodeID], let lease = leases.removeValue(forKey: old) {
            events.append(record(.replaced, lease.session))
        }
        leases[session.sessionID] = Lease(session: session, expiresAt: now + ttl)
        byNode[session.nodeID] = session.sessionID
        events.append(record(.joined, session))
        return events
    }

    /// Extends the lease of `id` to `now + ttl`. A lease that has already passed is not revived: the
    /// session is expired on the spot (its `dead` event is returned by the next `expire`).
    ///
    /// - Throws: `SessionError.unknownSession`.
    public mutating func renew(_ id: SessionID, now: ContinuousClock.Instant) throws(SessionError) {
        guard var lease = leases[id], lease.expiresAt > now else { throw .unknownSession(id) }
        lease.expiresAt = now + ttl
        leases[id] = lease
    }

    /// Ends `id` cleanly (a node shutting down); returns the `left` event, or none if it was not live.
    public mutating func deregister(_ id: SessionID) -> [SessionEvent] {
        guard let lease = leases.removeValue(forKey: id) else { return [] }
        byNode.removeValue(forKey: lease.session.nodeID)
        return [record(.left, lease.session)]
    }

    /// Removes every session whose lease ended at or before `now`; returns their `dead` events, oldest
    /// lease first.
    public mutating func expire(now: ContinuousClock.Instant) -> [SessionEvent] {
        let dead = leases.values.filter { $0.expiresAt <= now }
            .sorted { ($0.expiresAt, $0.session.sessionID) < ($1.expiresAt, $1.session.sessionID) }
        var events: [SessionEvent] = []
        for lease in dead {
            leases.removeValue(forKey: lease.session.sessionID)
            byNode.removeValue(forKey: lease.session.nodeID)
            events.append(record(.dead, lease.session))
        }
        return events
    }

    /// The earliest lease end, for scheduling the next `expire`; nil with no sessions.
    public var nextExpiry: ContinuousClock.Instant? { leases.values.map(\.expiresAt).min() }

    /// Live sessions, optionally of one role, ordered by node id.
    public func liveSessions(role: NodeRole? = nil) -> [NodeSession] {
        leases.values.map(\.session).filter { role == nil || $0.role == role }.sorted { $0.nodeID < $1.nodeID }
    }

    /// The live session with `id`, if any.
    public func session(_ id: SessionID) -> NodeSession? { leases[id]?.session }

    /// Events with a sequence number above `sequence`, oldest first (at most the last `historyLimit`).
    /// A caller that sees a gap (first returned sequence > `sequence + 1`) missed events and should
    /// resynchronise with `liveSessions`.
    public func events(after sequence: UInt64) -> [SessionEvent] {
        guard let first = history.first else { return [] }
        // `sequence` comes from the network: first.sequence ≥ 1, so `sequence - first.sequence + 1` cannot overflow.
        let start = sequence < first.sequence ? 0 : Int(min(UInt64(history.count), sequence - first.sequence + 1))
        return Array(history[start...])
    }

    /// Sequence number of the latest event (0 before any).
    public var lastSequence: UInt64 { nextSequence - 1 }

    private mutating func record(_ kind: SessionEvent.Kind, _ session: NodeSession) -> SessionEvent {
        let event = SessionEvent(sequence: nextSequence, kind: kind, session: session)
        nextSequence += 1
        history.append(event)
        if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
        return event
    }
}
