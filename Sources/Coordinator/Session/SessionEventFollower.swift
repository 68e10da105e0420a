/// How a coordinator follows the root coordinator's membership: it polls `WatchSessionEvents` from a cursor
/// and applies the events, but re-reads the whole live set (`ListLiveNodes`) on the first poll, after a gap
/// in the event history (older events were dropped), and — after a grace period for nodes to re-register —
/// when the root coordinator restarted (its sequence went backwards).
///
/// The decisions only; the coordinator makes the calls and applies what they return. A value type owned by
/// the coordinator actor, so the rules are written once (the query and data coordinators share them) and
/// tested without a network.
public struct SessionEventFollower: Sendable {
    /// What one polled batch asks the coordinator to do.
    public enum Step: Equatable, Sendable {
        /// Another poll moved the cursor meanwhile; drop this batch (the next poll continues).
        case skip
        /// The root coordinator restarted; wait out the grace period (`firstNotice`: log it once).
        case waitForRestartGrace(firstNotice: Bool)
        /// Fetch `ListLiveNodes`, apply it as the whole membership, then call `resynced(through:)`.
        case resync
        /// Apply these events in order, then call `advance(to:)`.
        case apply([SessionEvent])
    }

    /// Sequence of the last event applied; poll `WatchSessionEvents(afterSequence: cursor)`.
    public private(set) var cursor: UInt64 = 0
    /// Whether the membership was read at least once (before that, a coordinator must not act on it).
    public var isKnown = false
    /// How long to wait after noticing a root-coordinator restart before re-reading the live set.
    public let restartGrace: Duration
    private var resyncNotBefore: ContinuousClock.Instant?

    public init(restartGrace: Duration) {
        self.restartGrace = restartGrace
    }

    /// Decides what `batch`, fetched with `WatchSessionEvents(afterSequence: polledCursor)`, asks for.
    public mutating func step(for batch: SessionEventBatch, polledCursor: UInt64,
                              now: ContinuousClock.Instant = .now) -> Step {
        guard polledCursor == cursor else { return .skip }
        let restarted = isKnown && batch.lastSequence < cursor
        let gap = batch.events.first.map { $0.sequence > cursor + 1 } ?? false
        guard !isKnown || restarted || gap else { return .apply(batch.events) }
        if restarted {
            let firstNotice = resyncNotBefore == nil
            if firstNotice { resyncNotBefore = now + restartGrace }
            if let notBefore = resyncNotBefore, now < notBefore { return .waitForRestartGrace(firstNotice: firstNotice) }
        }
        return .resync
    }

    /// The events of a batch were applied: continue after `sequence` (the batch's `lastSequence`).
    public mutating func advance(to sequence: UInt64) {
        cursor = sequence
    }

    /// The live set was applied as the whole membership for a batch whose `lastSequence` is `sequence`.
    /// - Returns: whether this made the membership known for the first time.
    @discardableResult
    public mutating func resynced(through sequence: UInt64) -> Bool {
        cursor = sequence
        resyncNotBefore = nil
        defer { isKnown = true }
        return !isKnown
    }
}
