import Coordinator
@testable import Proxy
import Testing
import Wire

@Suite struct RouteTableTests {
    @Test func pickTwoTakesTheLessLoadedOfTwoDistinctPicks() {
        #expect(RouteTable.pickTwo(loads: [], random: 7) == nil)
        #expect(RouteTable.pickTwo(loads: [5], random: 7) == 0)
        // With two candidates both are always compared: the idle one wins whatever the random word.
        for r in [0, 1, 2, 3, UInt64.max, 1 << 40] as [UInt64] {
            #expect(RouteTable.pickTwo(loads: [3, 0], random: r) == 1)
            #expect(RouteTable.pickTwo(loads: [0, 3], random: r) == 0)
        }
        // Among many, the busiest is never chosen (it loses any comparison).
        for r in 0..<200 as Range<UInt64> {
            let i = RouteTable.pickTwo(loads: [1, 1, 9, 1], random: r &* 0x9E37_79B9_7F4A_7C15)!
            #expect(i != 2)
        }
    }

    @Test func storeAndChooseSkipTriedReplicas() throws {
        let table = RouteTable()
        let routes = CollectionRoutes(
            collectionID: CollectionID(9), state: .loaded, progress: 100,
            replicas: [
                ReplicaRoute(replicaID: 1, nodes: [NodeID(1)], shards: [ShardRoute(shard: 0, nodeID: NodeID(1), address: "a:1"),
                                                                       ShardRoute(shard: 1, nodeID: NodeID(1), address: "a:1")], healthy: true),
                ReplicaRoute(replicaID: 2, nodes: [NodeID(2)], shards: [ShardRoute(shard: 0, nodeID: NodeID(2), address: "b:1"),
                                                                       ShardRoute(shard: 1, nodeID: NodeID(2), address: "not an address")], healthy: true),
            ])
        let entry = table.store(routes, shardsNum: 2)
        #expect(entry.shards[0].map(\.nodeID) == [NodeID(1), NodeID(2)])
        #expect(entry.shards[1].map(\.nodeID) == [NodeID(1)])
        let first = try #require(table.choose(entry.shards[0], excluding: []))
        let second = try #require(table.choose(entry.shards[0], excluding: [first.nodeID]))
        #expect(first.nodeID != second.nodeID)
        #expect(table.choose(entry.shards[0], excluding: [NodeID(1), NodeID(2)]) == nil)
        // A busy replica is avoided.
        entry.shards[0][0].load.inFlight.store(10, ordering: .relaxed)
        for _ in 0..<20 { #expect(table.choose(entry.shards[0], excluding: [])?.nodeID == NodeID(2)) }
        #expect(table.entry(CollectionID(9)) != nil)
        table.invalidate(CollectionID(9))
        #expect(table.entry(CollectionID(9)) == nil)
    }
}
