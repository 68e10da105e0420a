import Coordinator
import Testing
import Wire

@testable import QueryCoord

/// The drain rules of `CollectionPlacement+Planning.swift`, without sockets: a draining node leaves its groups,
/// each copy it serves stays `previous` until the new node has loaded it, it gets no new copy, and a drain that
/// would leave fewer nodes than replicas is refused.
@Suite struct CollectionPlacementDrainTests {
    typealias T = CollectionPlacementTests

    /// Every copy of the placement, as served by its assigned node.
    static func serving(_ p: CollectionPlacement) -> Set<NodeShard> {
        var hosts = Set<NodeShard>()
        for g in p.groups { for (s, a) in g.shards.enumerated() { if let n = a.node { hosts.insert(NodeShard(node: n, shard: s)) } } }
        return hosts
    }

    /// Completes every move as the query coordinator does once the new node serves (`settle`).
    static func completeMoves(_ p: inout CollectionPlacement) {
        for g in p.groups.indices { for s in p.groups[g].shards.indices { p.groups[g].shards[s].previous = nil } }
    }

    /// Drains one node of a placed collection and checks the drain rules at each step.
    static func drain(_ victim: NodeID, replicas: Int, nodes: [NodeID], shards: Int = 6,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let info = T.info(shards: shards)
        var p = try CollectionPlacement.place(info, replicaNumber: replicas, context: PlacementContext(liveNodes: nodes))
        let before = p
        let context = PlacementContext(liveNodes: nodes, draining: [victim], serving: serving(p))
        try p.checkDrain(victim, context: PlacementContext(liveNodes: nodes))
        let changed = p.reconcile(context, rebalance: false)
        #expect(changed, sourceLocation: sourceLocation)
        T.checkInvariants(p, sourceLocation: sourceLocation)
        #expect(p.groups.count == replicas, sourceLocation: sourceLocation)
        #expect(!p.groups.flatMap(\.nodes).contains(victim), "the draining node left its group: \(p)", sourceLocation: sourceLocation)
        #expect(p.groups.allSatisfy { !$0.nodes.isEmpty }, sourceLocation: sourceLocation)
        for (g, group) in p.groups.enumerated() {
            for (s, a) in group.shards.enumerated() {
                #expect(a.node != victim, sourceLocation: sourceLocation)
                let old = before.groups[g].shards[s].node
                if old == victim {
                    // Moved without a gap: the draining node serves until the new one has loaded the shard.
                    #expect(a.previous == victim, "shard \(s) of replica \(group.replicaID): \(a)", sourceLocation: sourceLocation)
                }
            }
        }
        // Reconcile is a fixpoint while the moves are in flight, and once they are done nothing wants the node.
        let changedAgain = p.reconcile(context, rebalance: false)
        #expect(!changedAgain, sourceLocation: sourceLocation)
        completeMoves(&p)
        #expect(!p.desiredHosts.contains { $0.node == victim }, sourceLocation: sourceLocation)
        let changedAfterMoves = p.reconcile(PlacementContext(liveNodes: nodes, draining: [victim], serving: serving(p)), rebalance: false)
        #expect(!changedAfterMoves, sourceLocation: sourceLocation)
        T.checkInvariants(p, sourceLocation: sourceLocation)
    }

    @Test(arguments: [2, 3, 4])
    func oneReplicaDrainsToTheOtherNodes(nodeCount: Int) throws {
        let nodes = (1...Int64(nodeCount)).map { NodeID($0) }
        for victim in nodes { try Self.drain(victim, replicas: 1, nodes: nodes) }
    }

    @Test(arguments: [3, 4])
    func twoReplicasDrainWithinTheirGroups(nodeCount: Int) throws {
        let nodes = (1...Int64(nodeCount)).map { NodeID($0) }
        for victim in nodes { try Self.drain(victim, replicas: 2, nodes: nodes) }
    }

    @Test func aLoneNodesGroupTakesANodeFromTheLargestGroup() throws {
        // 3 nodes, 2 replicas: groups of 2 and 1. Draining the lone node moves one node of the other group over.
        let nodes = T.nodes(1, 2, 3)
        var p = try CollectionPlacement.place(T.info(shards: 4), replicaNumber: 2, context: PlacementContext(liveNodes: nodes))
        let lone = p.groups.first { $0.nodes.count == 1 }!
        let victim = lone.nodes[0]
        p.reconcile(PlacementContext(liveNodes: nodes, draining: [victim], serving: Self.serving(p)), rebalance: false)
        T.checkInvariants(p)
        #expect(p.groups.allSatisfy { $0.nodes.count == 1 })
        let group = p.groups.first { $0.replicaID == lone.replicaID }!
        #expect(group.nodes != [victim] && group.shards.allSatisfy { $0.previous == victim })
    }

    @Test func refusedWhenReplicaGroupsWouldShareOrLoseNodes() throws {
        // R = 2 on 2 nodes: a drain would leave 1 node for 2 groups.
        let two = try CollectionPlacement.place(T.info(shards: 2, id: 5), replicaNumber: 2,
                                                context: PlacementContext(liveNodes: T.nodes(1, 2)))
        #expect(throws: QueryCoordError.drainRefused(node: NodeID(1), collection: CollectionID(5), replicas: 2, remaining: 1)) {
            try two.checkDrain(NodeID(1), context: PlacementContext(liveNodes: T.nodes(1, 2)))
        }
        // R = 1 on 1 node: the collection would have no node.
        let one = try CollectionPlacement.place(T.info(shards: 2), replicaNumber: 1, context: PlacementContext(liveNodes: T.nodes(1)))
        #expect(throws: QueryCoordError.drainRefused(node: NodeID(1), collection: CollectionID(7), replicas: 1, remaining: 0)) {
            try one.checkDrain(NodeID(1), context: PlacementContext(liveNodes: T.nodes(1)))
        }
        // R = 2 on 3 nodes with one already draining: a second drain is refused, the first was not.
        let three = try CollectionPlacement.place(T.info(shards: 2), replicaNumber: 2, context: PlacementContext(liveNodes: T.nodes(1, 2, 3)))
        try three.checkDrain(NodeID(3), context: PlacementContext(liveNodes: T.nodes(1, 2, 3)))
        #expect(throws: QueryCoordError.drainRefused(node: NodeID(2), collection: CollectionID(7), replicas: 2, remaining: 1)) {
            try three.checkDrain(NodeID(2), context: PlacementContext(liveNodes: T.nodes(1, 2, 3), draining: [NodeID(3)]))
        }
        let text = QueryCoordError.drainRefused(node: NodeID(2), collection: CollectionID(7), replicas: 2, remaining: 1).description
        #expect(text.contains("query node 2") && text.contains("collection 7") && text.contains("2 distinct query nodes")
                && text.contains("only 1"))
    }

    @Test func aDrainingNodeIsGivenNoNewCopies() throws {
        let context = PlacementContext(liveNodes: T.nodes(1, 2, 3), draining: [NodeID(2)])
        let p = try CollectionPlacement.place(T.info(shards: 6), replicaNumber: 2, context: context)
        #expect(!p.desiredHosts.contains { $0.node == NodeID(2) } && !p.groups.flatMap(\.nodes).contains(NodeID(2)))
        T.checkInvariants(p)
        // Fewer eligible nodes than replicas is the usual refusal, counting only nodes that are not draining.
        #expect(throws: QueryCoordError.notEnoughQueryNodes(replicas: 3, live: 2)) {
            try CollectionPlacement.place(T.info(shards: 2), replicaNumber: 3, context: context)
        }
    }

    @Test func aMoveOntoTheDrainingNodeIsCancelled() throws {
        // Shard 0 was moving from node 1 (serving) to node 2 (not loaded yet) when node 2 starts draining.
        var p = try CollectionPlacement.place(T.info(shards: 2), replicaNumber: 1, context: PlacementContext(liveNodes: T.nodes(1, 2)))
        p.groups[0].shards[0] = ShardAssignment(node: NodeID(2), previous: NodeID(1))
        p.groups[0].shards[1] = ShardAssignment(node: NodeID(1), previous: nil)
        p.reconcile(PlacementContext(liveNodes: T.nodes(1, 2), draining: [NodeID(2)],
                                     serving: [NodeShard(node: NodeID(1), shard: 0), NodeShard(node: NodeID(1), shard: 1)]),
                    rebalance: false)
        #expect(p.groups[0].nodes == T.nodes(1))
        #expect(p.groups[0].shards.allSatisfy { $0 == ShardAssignment(node: NodeID(1), previous: nil) })
    }

    @Test func drainMarkRoundTripsAndDamageIsDetected() throws {
        let mark = DrainingNode(node: NodeID(42), session: SessionID(7))
        #expect(mark.key == "querycoord/draining/00000000000000000042")
        #expect(try DrainingNode(key: mark.key, value: mark.encoded()) == mark)
        #expect(throws: WireDecodingError.self) { try DrainingNode(key: "querycoord/draining/x", value: mark.encoded()) }
        let bytes = mark.encoded()
        for cut in 0..<bytes.count {
            #expect(throws: WireDecodingError.self) { try DrainingNode(key: mark.key, value: Array(bytes[..<cut])) }
        }
        #expect(throws: WireDecodingError.self) { try DrainingNode(key: mark.key, value: bytes + [0]) }
        var version = bytes
        version[0] = 9
        #expect(throws: WireDecodingError.self) { try DrainingNode(key: mark.key, value: version) }
    }
}
