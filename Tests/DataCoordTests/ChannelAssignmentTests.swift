import Coordinator
import Shard
import Testing

@testable import DataCoord

@Suite struct ChannelAssignmentTests {
    static func keys(_ collection: Int64, shards: Int) -> [ChannelKey] {
        (0..<shards).map { ChannelKey(collection: CollectionID(collection), shard: $0) }
    }

    static func counts(_ plan: [ChannelKey: NodeID]) -> [NodeID: Int] {
        plan.values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    @Test func newChannelsAreSpreadByCountAndEveryChannelHasOneOwner() {
        let channels = Self.keys(1, shards: 4) + Self.keys(2, shards: 3)
        let plan = ChannelAssignment.plan(channels: channels, current: [:], live: [NodeID(1), NodeID(2), NodeID(3)])
        #expect(Set(plan.keys) == Set(channels))
        #expect(Self.counts(plan).values.sorted() == [2, 2, 3])
        // Deterministic: the same inputs give the same plan.
        #expect(plan == ChannelAssignment.plan(channels: channels, current: [:], live: [NodeID(3), NodeID(2), NodeID(1)]))
    }

    @Test func liveOwnersKeepTheirChannelsAndADeadOnesGoToTheLeastLoaded() {
        let channels = Self.keys(1, shards: 4)
        let current = [channels[0]: NodeID(1), channels[1]: NodeID(2), channels[2]: NodeID(1), channels[3]: NodeID(2)]
        #expect(ChannelAssignment.plan(channels: channels, current: current, live: [NodeID(1), NodeID(2)]) == current)
        let healed = ChannelAssignment.plan(channels: channels, current: current, live: [NodeID(2), NodeID(3)])
        #expect(healed[channels[1]] == NodeID(2) && healed[channels[3]] == NodeID(2))
        #expect(healed[channels[0]] == NodeID(3) && healed[channels[2]] == NodeID(3))
        // Only one node left: it owns everything.
        let alone = ChannelAssignment.plan(channels: channels, current: current, live: [NodeID(2)])
        #expect(alone.values.allSatisfy { $0 == NodeID(2) } && alone.count == 4)
    }

    @Test func aJoiningNodeTakesChannelsUntilCountsDifferByAtMostOne() {
        let channels = Self.keys(1, shards: 5)
        let current = Dictionary(uniqueKeysWithValues: channels.map { ($0, NodeID(1)) })
        let plan = ChannelAssignment.plan(channels: channels, current: current, live: [NodeID(1), NodeID(2)])
        #expect(Self.counts(plan)[NodeID(1)] == 3 && Self.counts(plan)[NodeID(2)] == 2)
        // The lowest channels stay put; the highest move.
        #expect(plan[channels[0]] == NodeID(1) && plan[channels[4]] == NodeID(2))
    }

    @Test func noLiveNodeLeavesEverythingUnassigned() {
        let channels = Self.keys(1, shards: 2)
        #expect(ChannelAssignment.plan(channels: channels, current: [channels[0]: NodeID(1)], live: []).isEmpty)
    }

    @Test func recordsRoundTripAndDamageIsRefused() throws {
        var record = CollectionChannels(id: CollectionID(77), shardsNum: 3)
        record.shards[0] = .init(owner: NodeID(5), flushed: LogPosition(12))
        record.shards[2] = .init(owner: NodeID(6), flushed: nil)
        let key = CollectionChannels.key(CollectionID(77))
        #expect(key == "datacoord/collection/00000000000000000077")
        let bytes = record.encode()
        #expect(try CollectionChannels(decoding: bytes, key: key) == record)
        for cut in [0, 5, 13, bytes.count - 1] {
            #expect(throws: DataCoordError.self) { _ = try CollectionChannels(decoding: Array(bytes.prefix(cut)), key: key) }
        }
        var version = bytes
        version[0] = 9
        #expect(throws: DataCoordError.self) { _ = try CollectionChannels(decoding: version, key: key) }
        #expect(throws: DataCoordError.self) { _ = try CollectionChannels(decoding: bytes, key: CollectionChannels.key(CollectionID(78))) }
        var shards = bytes
        shards[9] = 0  // zero shards
        #expect(throws: DataCoordError.self) { _ = try CollectionChannels(decoding: shards, key: key) }
    }
}
