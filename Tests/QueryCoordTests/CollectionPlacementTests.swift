import Coordinator
import Shard
import TestSupport
import Testing
import Wire

@testable import QueryCoord

/// The placement rules, without sockets.
@Suite struct CollectionPlacementTests {
    static func info(shards: Int, id: Int64 = 7) -> CollectionInfo {
        CollectionInfo(
            id: CollectionID(id), database: "default", name: "c\(id)", schema: sampleSchema(), shardsNum: shards,
            consistencyLevel: .bounded, properties: [], createdTimestamp: Timestamp(rawValue: 1), partitions: [])
    }

    static func nodes(_ ids: Int64...) -> [NodeID] { ids.map { NodeID($0) } }

    /// Every group's shards are all on members, each shard once; groups are disjoint; `counts` per node of
    /// a group differ by at most one.
    static func checkInvariants(_ p: CollectionPlacement, sourceLocation: SourceLocation = #_sourceLocation) {
        var seen = Set<NodeID>()
        for g in p.groups {
            #expect(seen.isDisjoint(with: g.nodes), sourceLocation: sourceLocation)
            seen.formUnion(g.nodes)
            #expect(g.shards.count == p.shardsNum, sourceLocation: sourceLocation)
            for a in g.shards {
                #expect(a.node.map { g.nodes.contains($0) } ?? false, "\(a) in \(g)", sourceLocation: sourceLocation)
            }
            let counts = g.nodes.map { n in g.shards.filter { $0.node == n }.count }
            #expect((counts.max() ?? 0) - (counts.min() ?? 0) <= 1, "unbalanced \(g)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [1, 2, 3])
    func replicasOnThreeNodes(replicas: Int) throws {
        let p = try CollectionPlacement.place(
            Self.info(shards: 4), replicaNumber: replicas, context: PlacementContext(liveNodes: Self.nodes(1, 2, 3)))
        #expect(p.groups.count == replicas && p.groups.map(\.replicaID) == Array(1...replicas))
        Self.checkInvariants(p)
        // Every live node is used, group sizes differ by at most one.
        #expect(Set(p.groups.flatMap(\.nodes)) == Set(Self.nodes(1, 2, 3)))
        let sizes = p.groups.map(\.nodes.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
        #expect(p.groups.allSatisfy { $0.shards.allSatisfy { $0.previous == nil } })
    }

    @Test func tooFewNodesIsAnErrorNamingBothNumbers() {
        #expect(throws: QueryCoordError.notEnoughQueryNodes(replicas: 3, live: 2)) {
            try CollectionPlacement.place(Self.info(shards: 2), replicaNumber: 3, context: PlacementContext(liveNodes: Self.nodes(1, 2)))
        }
        let text = QueryCoordError.notEnoughQueryNodes(replicas: 3, live: 2).description
        #expect(text.contains("3") && text.contains("2"))
    }

    @Test func shardsSpreadByRowsWhenKnown() throws {
        var context = PlacementContext(liveNodes: Self.nodes(1, 2))
        context.shardRows = [1_000, 10, 10, 10]
        let p = try CollectionPlacement.place(Self.info(shards: 4), replicaNumber: 1, context: context)
        let big = p.groups[0].shards[0].node!
        #expect(p.groups[0].shards.filter { $0.node == big }.count == 1, "the big shard's node takes nothing else: \(p)")
    }

    @Test func otherCollectionsLoadCounts() throws {
        var context = PlacementContext(liveNodes: Self.nodes(1, 2, 3))
        context.baseLoad = [NodeID(1): NodeLoad(rows: 0, shards: 4), NodeID(2): NodeLoad(rows: 0, shards: 4)]
        let p = try CollectionPlacement.place(Self.info(shards: 1), replicaNumber: 1, context: context)
        #expect(p.groups[0].shards[0].node == NodeID(3))
    }

    @Test func deadNodeShardsMoveWithinTheGroup() throws {
        var p = try CollectionPlacement.place(
            Self.info(shards: 6), replicaNumber: 1, context: PlacementContext(liveNodes: Self.nodes(1, 2, 3)))
        let changed = p.reconcile(PlacementContext(liveNodes: Self.nodes(1, 3)), rebalance: false)
        #expect(changed)
        #expect(p.groups[0].nodes == Self.nodes(1, 3))
        Self.checkInvariants(p)
        #expect(p.groups[0].shards.filter { $0.node == NodeID(1) }.count == 3)
        // Nothing to do the second time: reconcile is a fixpoint.
        let again = p.reconcile(PlacementContext(liveNodes: Self.nodes(1, 3)), rebalance: false)
        #expect(!again)
    }

    @Test func emptiedGroupTakesANodeFromTheLargest() throws {
        // 3 nodes, 2 replicas: sizes 2 and 1. The lone node dies: the other group gives up a node.
        var p = try CollectionPlacement.place(
            Self.info(shards: 4), replicaNumber: 2, context: PlacementContext(liveNodes: Self.nodes(1, 2, 3)))
        let lone = p.groups.first { $0.nodes.count == 1 }!.nodes[0]
        var live = Self.nodes(1, 2, 3)
        live.removeAll { $0 == lone }
        // Every current copy serves, so the node leaving its group keeps serving there until replaced.
        var serving = Set<NodeShard>()
        for g in p.groups { for (s, a) in g.shards.enumerated() { serving.insert(NodeShard(node: a.node!, shard: s)) } }
        p.reconcile(PlacementContext(liveNodes: live, serving: serving), rebalance: false)
        #expect(p.groups.allSatisfy { $0.nodes.count == 1 })
        Self.checkInvariants(p)
        let moved = p.groups.flatMap(\.shards).filter { $0.previous != nil }
        #expect(!moved.isEmpty && moved.allSatisfy { live.contains($0.previous!) })
    }

    @Test func lostSoleNodeLeavesShardsUnplacedUntilANodeJoins() throws {
        var p = try CollectionPlacement.place(
            Self.info(shards: 2), replicaNumber: 2, context: PlacementContext(liveNodes: Self.nodes(1, 2)))
        p.reconcile(PlacementContext(liveNodes: Self.nodes(1)), rebalance: false)
        let empty = p.groups.first { $0.nodes.isEmpty }!
        #expect(empty.shards.allSatisfy { $0.node == nil })
        p.reconcile(PlacementContext(liveNodes: Self.nodes(1, 4)), rebalance: false)
        Self.checkInvariants(p)
        #expect(p.groups.first { $0.replicaID == empty.replicaID }!.nodes == Self.nodes(4))
    }

    @Test func joiningNodeGetsWorkAndMovesKeepTheOldCopyServing() throws {
        var p = try CollectionPlacement.place(
            Self.info(shards: 4), replicaNumber: 1, context: PlacementContext(liveNodes: Self.nodes(1, 2)))
        var serving = Set<NodeShard>()
        for (s, a) in p.groups[0].shards.enumerated() { serving.insert(NodeShard(node: a.node!, shard: s)) }
        p.reconcile(PlacementContext(liveNodes: Self.nodes(1, 2, 3), serving: serving), rebalance: false)
        Self.checkInvariants(p)
        let moved = p.groups[0].shards.filter { $0.node == NodeID(3) }
        #expect(moved.count == 1 && moved.allSatisfy { $0.previous != nil })
        #expect(p.desiredHosts.count == 5, "4 copies plus the one still serving during the move")
    }

    @Test func changingTheReplicaNumber() throws {
        let live = PlacementContext(liveNodes: Self.nodes(1, 2, 3))
        var p = try CollectionPlacement.place(Self.info(shards: 3), replicaNumber: 1, context: live)
        try p.changeReplicaNumber(to: 3, context: live)
        #expect(p.groups.map(\.replicaID) == [1, 2, 3] && p.groups.allSatisfy { $0.nodes.count == 1 })
        Self.checkInvariants(p)
        try p.changeReplicaNumber(to: 2, context: live)
        #expect(p.groups.map(\.replicaID) == [1, 2] && p.replicaNumber == 2)
        #expect(Set(p.groups.flatMap(\.nodes)) == Set(Self.nodes(1, 2, 3)))
        Self.checkInvariants(p)
        #expect(throws: QueryCoordError.notEnoughQueryNodes(replicas: 4, live: 3)) { try p.changeReplicaNumber(to: 4, context: live) }
    }

    @Test func recordRoundTripsAndDamageIsDetected() throws {
        var p = try CollectionPlacement.place(
            Self.info(shards: 3), replicaNumber: 2, context: PlacementContext(liveNodes: Self.nodes(1, 2, 3)))
        p.groups[0].shards[1].previous = NodeID(9)
        p.loaded = true
        let bytes = p.encoded()
        #expect(try CollectionPlacement(decoding: bytes) == p)
        #expect(CollectionPlacement.key(CollectionID(42)) == "querycoord/collection/00000000000000000042")
        // Truncations and flipped bytes never crash; they decode to an error or to a record that still
        // satisfies the invariants.
        var rng = SplitMix64(seed: 0x5EED)
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: WireDecodingError.self) { try CollectionPlacement(decoding: Array(bytes[..<cut])) }
        }
        for _ in 0..<500 {
            var damaged = bytes
            damaged[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            if let decoded = try? CollectionPlacement(decoding: damaged) {
                #expect(decoded.groups.count == decoded.replicaNumber)
            }
        }
        // A node in two groups is refused.
        var twice = p
        twice.groups[1].nodes.append(twice.groups[0].nodes[0])
        #expect(throws: WireDecodingError.self) { try CollectionPlacement(decoding: twice.encoded()) }
    }
}
