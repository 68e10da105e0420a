import Coordinator
import Synchronization
import Wire

/// Where each shard of each loaded collection can be read: the replicas' query nodes from the query
/// coordinator's `GetCollectionRoutes`, cached per collection until invalidated (on load, release, drop, or
/// a failed read), plus a count of this proxy's requests in flight per node for replica choice.
final class RouteTable: Sendable {
    /// In-flight requests of this proxy to one query node.
    final class Load: Sendable {
        let inFlight = Atomic<Int>(0)
    }

    /// One replica of a shard.
    struct Candidate: Sendable {
        let nodeID: NodeID
        let address: WireAddress
        let load: Load
    }

    /// A loaded collection's routes: `shards[s]` lists the replicas serving shard `s`.
    struct Entry: Sendable {
        let routes: CollectionRoutes
        let shards: [[Candidate]]
    }

    private struct State {
        var entries: [CollectionID: Entry] = [:]
        var loads: [NodeID: Load] = [:]
    }

    private let state = Mutex(State())
    private let seed = Atomic<UInt64>(0x9E37_79B9_7F4A_7C15)

    func entry(_ id: CollectionID) -> Entry? { state.withLock { $0.entries[id] } }

    func invalidate(_ id: CollectionID) { _ = state.withLock { $0.entries.removeValue(forKey: id) } }

    /// Caches `routes` for a collection with `shardsNum` shards and returns the entry. Shards without a
    /// route (a replica being moved) simply have fewer candidates; unparsable addresses are skipped.
    @discardableResult
    func store(_ routes: CollectionRoutes, shardsNum: Int) -> Entry {
        state.withLock { s in
            var shards = [[Candidate]](repeating: [], count: shardsNum)
            for replica in routes.replicas {
                for r in replica.shards where r.shard >= 0 && r.shard < shardsNum {
                    guard let address = try? WireAddress(parsing: r.address) else { continue }
                    let load: Load
                    if let l = s.loads[r.nodeID] {
                        load = l
                    } else {
                        load = Load()
                        s.loads[r.nodeID] = load
                    }
                    shards[r.shard].append(Candidate(nodeID: r.nodeID, address: address, load: load))
                }
            }
            let entry = Entry(routes: routes, shards: shards)
            s.entries[routes.collectionID] = entry
            return entry
        }
    }

    /// A replica for one request: power of two choices among the candidates not yet `tried` — two picked at
    /// random, the one with fewer requests in flight wins (ties: the first pick). Nil when none is left.
    func choose(_ candidates: [Candidate], excluding tried: Set<NodeID>) -> Candidate? {
        let open = tried.isEmpty ? candidates : candidates.filter { !tried.contains($0.nodeID) }
        let i = Self.pickTwo(loads: open.map { $0.load.inFlight.load(ordering: .relaxed) }, random: nextRandom())
        return i.map { open[$0] }
    }

    /// Power of two choices over `loads` with the random word `random`: the index of the less loaded of two
    /// distinct pseudo-random picks; nil for no candidates.
    static func pickTwo(loads: [Int], random: UInt64) -> Int? {
        switch loads.count {
        case 0: return nil
        case 1: return 0
        default:
            let n = UInt64(loads.count)
            let a = Int(random % n)
            let b = (a + 1 + Int((random >> 32) % (n - 1))) % loads.count
            return loads[b] < loads[a] ? b : a
        }
    }

    private func nextRandom() -> UInt64 {
        ShardHash.mix(seed.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue)
    }
}
