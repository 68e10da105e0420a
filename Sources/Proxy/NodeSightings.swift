import Coordinator
import Synchronization

/// The nodes this proxy has seen in the root coordinator's live sessions, so `cluster/describe` can show
/// a node that has since died as down (rather than letting it vanish) and give every node an observed
/// uptime. Forgotten after ``retention`` without a sighting; bounded to ``capacity`` entries.
final class NodeSightings: Sendable {
    struct Key: Hashable {
        var role: NodeRole
        var nodeID: NodeID
    }
    struct Sighting {
        var address: String
        var session: SessionID
        var firstSeen: ContinuousClock.Instant
        var lastSeen: ContinuousClock.Instant
    }

    /// How long a dead node stays listed as down.
    static let retention: Duration = .seconds(600)
    /// At most this many remembered nodes (the oldest sightings are dropped first).
    static let capacity = 4096

    private let seen = Mutex<[Key: Sighting]>([:])

    /// Records the live sessions at `now`; returns every remembered node with whether it is live.
    /// A new session id for a known node (a restart) resets its first sighting.
    func update(live: [NodeSession], now: ContinuousClock.Instant) -> [(key: Key, sighting: Sighting, live: Bool)] {
        seen.withLock { seen in
            var liveKeys = Set<Key>()
            for s in live {
                let key = Key(role: s.role, nodeID: s.nodeID)
                liveKeys.insert(key)
                if var known = seen[key], known.session == s.sessionID {
                    known.lastSeen = now
                    known.address = s.address
                    seen[key] = known
                } else {
                    seen[key] = Sighting(address: s.address, session: s.sessionID, firstSeen: now, lastSeen: now)
                }
            }
            seen = seen.filter { liveKeys.contains($0.key) || now - $0.value.lastSeen < NodeSightings.retention }
            if seen.count > NodeSightings.capacity {
                let keep = seen.sorted { $0.value.lastSeen > $1.value.lastSeen }.prefix(NodeSightings.capacity)
                seen = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
            }
            return seen.map { (key: $0.key, sighting: $0.value, live: liveKeys.contains($0.key)) }
        }
    }
}
