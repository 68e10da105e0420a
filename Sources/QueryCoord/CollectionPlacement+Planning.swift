import Coordinator

/// How busy a node is, for spreading shards: rows first (when shard sizes are known), then shard copies,
/// so with unknown or equal sizes placement is round robin.
struct NodeLoad: Comparable, Sendable {
    var rows: Int = 0
    var shards: Int = 0

    static func < (a: NodeLoad, b: NodeLoad) -> Bool { (a.rows, a.shards) < (b.rows, b.shards) }
    static func + (a: NodeLoad, b: NodeLoad) -> NodeLoad { NodeLoad(rows: a.rows + b.rows, shards: a.shards + b.shards) }
    static func - (a: NodeLoad, b: NodeLoad) -> NodeLoad { NodeLoad(rows: a.rows - b.rows, shards: a.shards - b.shards) }
}

/// What placement needs to know about the cluster besides the collection's own record.
struct PlacementContext: Sendable {
    /// Live query nodes, by ascending id (draining ones included: they serve until their copies moved).
    var liveNodes: [NodeID]
    /// Live nodes being drained (`DrainQueryNode`): members of no group, given no copy; a copy they serve
    /// stays as the `previous` holder until its new node has loaded it.
    var draining: Set<NodeID> = []
    /// Load each node carries for other collections.
    var baseLoad: [NodeID: NodeLoad] = [:]
    /// Rows of each shard of this collection as reported by query nodes (0 when unknown).
    var shardRows: [Int] = []
    /// Copies of this collection's shards that nodes have loaded and serve: a move away from such a copy
    /// keeps it serving (`previous`) until the new node has loaded the shard.
    var serving: Set<NodeShard> = []

    /// Live nodes that may hold copies: not draining, by ascending id.
    var eligibleNodes: [NodeID] { liveNodes.filter { !draining.contains($0) } }

    func weight(_ shard: Int) -> NodeLoad {
        NodeLoad(rows: shard < shardRows.count ? max(0, shardRows[shard]) : 0, shards: 1)
    }
}

// The placement rules (issue #5), as pure functions over the record: no I/O, so they are tested directly.
//
// - `replicaNumber` R gives R groups of distinct nodes; fewer live query nodes than R is an error.
// - Every live query node belongs to one group of each loaded collection; group sizes differ by at most one
//   (a node that joins goes to the smallest group; a group two nodes short takes a node from the largest).
// - Within a group every shard is on exactly one node, spread by load (rows when known, else round robin).
// - A dead node leaves its groups; its shards go to the group's other nodes (or to a node the group gains).
// - A draining node leaves its groups like a dead one, but each copy it serves stays `previous` (serving) until
//   the new node has loaded it; it is given no copy. A drain that would leave a collection fewer nodes than its
//   replica number is refused (`checkDrain`).
// - Balance is restored when membership changes: a shard moves from the busiest to the idlest node of its
//   group while that lowers the busier of the two.
extension CollectionPlacement {
    /// The first placement of `collection` as `replicaNumber` replica groups.
    ///
    /// - Throws: `QueryCoordError.notEnoughQueryNodes` with fewer live query nodes than replicas.
    static func place(_ collection: CollectionInfo, replicaNumber: Int, context: PlacementContext)
        throws(QueryCoordError) -> CollectionPlacement
    {
        guard context.eligibleNodes.count >= replicaNumber else {
            throw .notEnoughQueryNodes(replicas: replicaNumber, live: context.eligibleNodes.count)
        }
        let empty = Array(repeating: ShardAssignment(), count: collection.shardsNum)
        var placement = CollectionPlacement(
            collection: collection, replicaNumber: replicaNumber, loaded: false,
            groups: (1...replicaNumber).map { ReplicaGroup(replicaID: $0, nodes: [], shards: empty) })
        placement.reconcile(context, rebalance: true)
        return placement
    }

    /// Changes the number of replicas: new groups take nodes from the existing ones (their shards move within
    /// their old groups first), removed groups (the newest) free their nodes for the others.
    ///
    /// - Throws: `QueryCoordError.notEnoughQueryNodes` with fewer live query nodes than `replicaNumber`.
    mutating func changeReplicaNumber(to replicaNumber: Int, context: PlacementContext) throws(QueryCoordError) {
        guard context.eligibleNodes.count >= replicaNumber else {
            throw .notEnoughQueryNodes(replicas: replicaNumber, live: context.eligibleNodes.count)
        }
        if replicaNumber > groups.count {
            var next = (groups.map(\.replicaID).max() ?? 0) + 1
            let empty = Array(repeating: ShardAssignment(), count: shardsNum)
            while groups.count < replicaNumber {
                groups.append(ReplicaGroup(replicaID: next, nodes: [], shards: empty))
                next += 1
            }
        } else if replicaNumber < groups.count {
            groups.sort { $0.replicaID < $1.replicaID }
            groups.removeLast(groups.count - replicaNumber)
        }
        self.replicaNumber = replicaNumber
        reconcile(context, rebalance: true)
    }

    /// Brings the placement in line with the live nodes: drops dead nodes, gives free live nodes to groups,
    /// evens out group sizes, places shards that have no node, and — when membership changed or `rebalance`
    /// — moves shards until each group is balanced.
    ///
    /// - Returns: whether the record changed (the caller persists it and dispatches loads).
    @discardableResult
    mutating func reconcile(_ context: PlacementContext, rebalance: Bool) -> Bool {
        let before = self
        let live = Set(context.liveNodes)
        let eligible = Set(context.eligibleNodes)
        var membershipChanged = false

        // 1. Dead and draining nodes leave their groups; their shards are orphaned (or fall back to a live
        //    previous holder that is still a member, which simply cancels the move). A draining node that
        //    serves a shard keeps serving it as the previous holder until the shard's new node has loaded it.
        for g in groups.indices {
            let count = groups[g].nodes.count
            groups[g].nodes.removeAll { !eligible.contains($0) }
            if groups[g].nodes.count != count { membershipChanged = true }
            let members = Set(groups[g].nodes)
            for s in groups[g].shards.indices {
                var a = groups[g].shards[s]
                if let p = a.previous, !live.contains(p) { a.previous = nil }
                if let n = a.node, !eligible.contains(n) {
                    a.node = nil
                    if let p = a.previous, members.contains(p) {
                        a.node = p
                        a.previous = nil
                    } else if live.contains(n), context.serving.contains(NodeShard(node: n, shard: s)) {
                        a.previous = n
                    }
                }
                groups[g].shards[s] = a
            }
        }

        // 2. Free eligible nodes join the smallest group (idlest nodes first).
        let used = Set(groups.flatMap(\.nodes))
        let free = context.eligibleNodes.filter { !used.contains($0) }
            .sorted { (context.baseLoad[$0] ?? NodeLoad(), $0) < (context.baseLoad[$1] ?? NodeLoad(), $1) }
        for node in free {
            let g = groups.indices.min { (groups[$0].nodes.count, $0) < (groups[$1].nodes.count, $1) }!
            groups[g].nodes.append(node)
            membershipChanged = true
        }

        // 3. Even out group sizes: a group two nodes short takes the least busy node of the largest group.
        while let big = groups.indices.max(by: { (groups[$0].nodes.count, $1) < (groups[$1].nodes.count, $0) }),
            let small = groups.indices.min(by: { (groups[$0].nodes.count, $0) < (groups[$1].nodes.count, $1) }),
            groups[big].nodes.count - groups[small].nodes.count >= 2
        {
            let loads = nodeLoads(context)
            let node = groups[big].nodes.min { (loads[$0] ?? NodeLoad(), $0) < (loads[$1] ?? NodeLoad(), $1) }!
            groups[big].nodes.removeAll { $0 == node }
            for s in groups[big].shards.indices where groups[big].shards[s].node == node {
                let serving = context.serving.contains(NodeShard(node: node, shard: s))
                groups[big].shards[s] = ShardAssignment(node: nil, previous: serving ? node : groups[big].shards[s].previous)
            }
            groups[small].nodes.append(node)
            membershipChanged = true
        }

        // 4. Place orphaned shards on the least loaded node of their group, biggest shards first.
        for g in groups.indices where !groups[g].nodes.isEmpty {
            let orphans = groups[g].shards.indices.filter { groups[g].shards[$0].node == nil }
                .sorted { (context.weight($1), $0) < (context.weight($0), $1) }
            for s in orphans {
                let loads = nodeLoads(context)
                let target = groups[g].nodes.min { (loads[$0] ?? NodeLoad(), $0) < (loads[$1] ?? NodeLoad(), $1) }!
                groups[g].shards[s].node = target
                if groups[g].shards[s].previous == target { groups[g].shards[s].previous = nil }
            }
        }

        // 5. Balance.
        if rebalance || membershipChanged {
            for g in groups.indices { balance(group: g, context) }
        }
        return self != before
    }

    /// Refuses to drain `node` when that would leave this collection fewer live, non-draining query nodes than
    /// its replica number (R groups need R distinct nodes; with at least R nodes left, step 3 of `reconcile`
    /// gives every group one). `context.draining` holds the nodes already draining.
    ///
    /// - Throws: `QueryCoordError.drainRefused` naming the collection, R and the nodes that would be left.
    func checkDrain(_ node: NodeID, context: PlacementContext) throws(QueryCoordError) {
        let remaining = context.eligibleNodes.filter { $0 != node }.count
        guard remaining >= replicaNumber else {
            throw .drainRefused(node: node, collection: id, replicas: replicaNumber, remaining: remaining)
        }
    }

    /// Moves shards from the busiest to the idlest node of group `g` while a move lowers the busier of the
    /// two. Shards already moving are left alone. Terminates: each move strictly lowers the pair's maximum,
    /// and the number of moves is bounded.
    private mutating func balance(group g: Int, _ context: PlacementContext) {
        guard groups[g].nodes.count >= 2 else { return }
        for _ in 0..<(shardsNum * groups[g].nodes.count) {
            let loads = nodeLoads(context)
            let load = { (n: NodeID) in loads[n] ?? NodeLoad() }
            let nodes = groups[g].nodes
            let busiest = nodes.max { (load($0), $1) < (load($1), $0) }!
            let idlest = nodes.min { (load($0), $0) < (load($1), $1) }!
            guard busiest != idlest else { return }
            var best: (shard: Int, peak: NodeLoad)?
            for s in groups[g].shards.indices {
                let a = groups[g].shards[s]
                guard a.node == busiest, a.previous == nil else { continue }
                let w = context.weight(s)
                let peak = max(load(busiest) - w, load(idlest) + w)
                if peak < load(busiest), best == nil || peak < best!.peak { best = (s, peak) }
            }
            guard let (s, _) = best else { return }
            let serving = context.serving.contains(NodeShard(node: busiest, shard: s))
            groups[g].shards[s] = ShardAssignment(node: idlest, previous: serving ? busiest : nil)
        }
    }

    /// Every node's load: its base load plus this collection's shards assigned to it.
    func nodeLoads(_ context: PlacementContext) -> [NodeID: NodeLoad] {
        var loads = context.baseLoad
        for g in groups {
            for (s, a) in g.shards.enumerated() {
                if let n = a.node { loads[n, default: NodeLoad()] = loads[n, default: NodeLoad()] + context.weight(s) }
            }
        }
        return loads
    }
}
