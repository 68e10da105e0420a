import Coordinator
import Foundation
import IndexCoord
import Node
import Shard
import Testing
import Wire

/// The index coordinator with real index nodes (and stand-ins that hang or fail) over an in-memory network:
/// it finds unindexed segments in object storage, has them built, re-dispatches a dead node's build, gives
/// up after its attempt limit, and keeps its records across a restart.
@Suite(.serialized) struct IndexCoordTests {
    @Test func findsUnindexedSegmentsAndHasThemBuilt() async throws {
        let cluster = try await IndexTestCluster()
        defer { Task { await cluster.shutdown() } }
        let (c, indexed) = (CollectionID(11), CollectionID(12))
        try FlushedShards.write(root: cluster.objects, scratch: cluster.scratch, collection: c, shard: 0, segments: 2, rows: 300)
        try FlushedShards.write(root: cluster.objects, scratch: cluster.scratch, collection: c, shard: 1, segments: 1, rows: 200)
        // Written with indexes (not deferred): nothing to build, reported finished without a node.
        try FlushedShards.write(root: cluster.objects, scratch: cluster.scratch, collection: indexed, shard: 0, segments: 1,
                                rows: 100, deferred: false)
        try await cluster.addIndexNode(1)
        try await cluster.addIndexNode(2)
        try await cluster.startCoord()

        let done = try await cluster.eventually {
            let r = try await cluster.describe(c)
            return r.segments.count == 3 && r.segments.allSatisfy { $0.state == .finished }
        }
        let reply = try await cluster.describe(c)
        #expect(done, "\(reply)")
        #expect(reply.segments.map(\.shard) == [0, 0, 1] && reply.segments.map(\.segmentID) == [1, 2, 1])
        #expect(reply.totalRows == 800 && reply.indexedRows == 800 && reply.pendingRows == 0 && reply.indexState == "Finished")
        #expect(Set(reply.segments.compactMap(\.node)) == [NodeID(1), NodeID(2)], "builds spread over both nodes")
        #expect(reply.segments.allSatisfy { $0.attempts == 1 && $0.lastError.isEmpty })

        let other = try await cluster.describe(indexed)
        #expect(other.segments.count == 1 && other.segments[0].state == .finished && other.segments[0].node == nil)
        #expect(other.segments[0].attempts == 0)
        #expect(try await cluster.describe(CollectionID(99)).segments.isEmpty)

        let shard = try FlushedShards.open(root: cluster.objects, scratch: cluster.scratch, collection: c, shard: 0, deferred: false)
        #expect(shard.statistics.indexObjectsLoaded == 2 && shard.statistics.indexesBuiltOnLoad == 0)
        shard.close()

        // A new flush shows up on the next scan and is built too.
        try FlushedShards.write(root: cluster.objects, scratch: cluster.scratch + "/more", collection: CollectionID(13), shard: 2,
                                segments: 1, rows: 50)
        #expect(try await cluster.eventually {
            let r = try await cluster.describe(CollectionID(13))
            return r.segments.count == 1 && r.indexState == "Finished"
        })
    }

    @Test func aDeadIndexNodesBuildIsRetriedOnAnother() async throws {
        let cluster = try await IndexTestCluster()
        defer { Task { await cluster.shutdown() } }
        let c = CollectionID(21)
        try FlushedShards.write(root: cluster.objects, scratch: cluster.scratch, collection: c, shard: 0, segments: 1, rows: 200)
        let hanging = FakeIndexNode(mode: .hang)
        try await cluster.addFakeNode(1, hanging)  // the lowest id: chosen first on a tie
        try await cluster.startCoord(maxBuildsPerNode: 1)
        #expect(try await cluster.eventually { try await cluster.describe(c).segments.first?.state == .building })
        #expect(try await cluster.describe(c).segments[0].node == NodeID(1))
        try await cluster.addIndexNode(2)
        // Node 1 is declared dead while its call still hangs: the build is re-queued and goes to node 2.
        try await cluster.kill(1, stopServing: false)
        let healed = try await cluster.eventually { try await cluster.describe(c).segments.first?.state == .finished }
        let segment = try await cluster.describe(c).segments[0]
        #expect(healed, "\(segment)")
        #expect(segment.node == NodeID(2) && segment.attempts == 2, "the death spent one attempt: \(segment)")
        #expect(hanging.requestCount == 1)
        #expect(cluster.logLines.text.contains("index node gone"))
    }

    @Test func anUnreachableNodeCostsNoAttempt() async throws {
        let cluster = try await IndexTestCluster()
        defer { Task { await cluster.shutdown() } }
        let c = CollectionID(22)
        try FlushedShards.write(root: cluster.objects, scratch: cluster.scratch, collection: c, shard: 0, segments: 1, rows: 100)
        try await cluster.addIndexNode(2)
        try await cluster.registerWithoutServing(1)  // registered, nothing listens: calls fail at once
        try await cluster.startCoord()
        #expect(try await cluster.eventually { try await cluster.describe(c).segments.first?.state == .finished })
        let segment = try await cluster.describe(c).segments[0]
        #expect(segment.node == NodeID(2) && segment.attempts == 1 && segment.lastError.isEmpty, "\(segment)")
        #expect(cluster.logLines.text.contains("index node unreachable"))
    }

    @Test func failingBuildsAreGivenUpAfterTheAttemptLimit() async throws {
        let cluster = try await IndexTestCluster()
        defer { Task { await cluster.shutdown() } }
        let c = CollectionID(31)
        try FlushedShards.write(root: cluster.objects, scratch: cluster.scratch, collection: c, shard: 0, segments: 1, rows: 100)
        let failing = FakeIndexNode(mode: .fail)
        try await cluster.addFakeNode(1, failing)
        try await cluster.startCoord(maxAttempts: 2)
        #expect(try await cluster.eventually { try await cluster.describe(c).segments.first?.state == .failed })
        let reply = try await cluster.describe(c)
        #expect(reply.indexState == "Failed" && reply.pendingRows == 0 && reply.indexedRows == 0)
        #expect(reply.segments[0].attempts == 2 && reply.segments[0].lastError.contains("fails every build"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(failing.requestCount == 2, "no attempt after the limit")
        #expect(cluster.logLines.text.contains("index build gave up"))
    }

    @Test func aRestartKeepsTheBuildStates() async throws {
        let cluster = try await IndexTestCluster()
        defer { Task { await cluster.shutdown() } }
        let (c, d) = (CollectionID(41), CollectionID(42))
        try FlushedShards.write(root: cluster.objects, scratch: cluster.scratch, collection: c, shard: 0, segments: 1, rows: 150)
        try await cluster.addIndexNode(1)
        try await cluster.startCoord()
        #expect(try await cluster.eventually { try await cluster.describe(c).segments.first?.state == .finished })
        let finished = try await cluster.describe(c)
        // A second collection is caught mid-build by the restart (its only node hangs).
        try await cluster.kill(1)
        try await cluster.addFakeNode(2, FakeIndexNode(mode: .hang))
        try FlushedShards.write(root: cluster.objects, scratch: cluster.scratch, collection: d, shard: 0, segments: 1, rows: 100)
        #expect(try await cluster.eventually { try await cluster.describe(d).segments.first?.state == .building })
        await cluster.stopCoord()

        try await cluster.startCoord(start: false)  // no scan, no dispatch: only what the meta store held
        #expect(try await cluster.describe(c) == finished, "finished builds are kept as they were")
        let requeued = try await cluster.describe(d).segments
        #expect(requeued.count == 1 && requeued[0].state == .pending && requeued[0].attempts == 0,
                "a build in flight at the restart is pending again: \(requeued)")
    }

    @Test func buildRecordsRoundTripAndRejectDamage() async throws {
        let cluster = try await IndexTestCluster()
        defer { Task { await cluster.shutdown() } }
        let c = CollectionID(51)
        try FlushedShards.write(root: cluster.objects, scratch: cluster.scratch, collection: c, shard: 0, segments: 1, rows: 50)
        try await cluster.startCoord()
        #expect(try await cluster.eventually { try await cluster.describe(c).segments.first?.state == .pending })
        await cluster.stopCoord()
        // Damage the stored record: the coordinator refuses to start with a typed error naming it.
        let store = try MetaStore(directory: cluster.dir + "/ic/indexcoord")
        let (key, entry) = try #require(store.list(prefix: "indexcoord/build/").first)
        #expect(key == "indexcoord/build/00000000000000000051/00000/0000000000000001")
        _ = try store.put(key, Array(entry.value.dropLast(3)))
        store.close()
        do {
            try await cluster.startCoord()
            Issue.record("a damaged record was accepted")
        } catch let error as IndexCoordError {
            guard case .corruptState(let k, _) = error else { Issue.record("\(error)"); return }
            #expect(k == key)
        }
    }
}
