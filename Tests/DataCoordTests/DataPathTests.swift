import Coordinator
import Foundation
import Node
import Shard
import Testing
import Wire

@testable import DataCoord

/// The data path end to end in one process: channels assigned to data nodes, flushed into the object store,
/// loaded from there by query nodes, truncated behind the flushes; data-node death and coordinator restart.
@Suite(.serialized) struct DataPathTests {
    static let rowsPerRecord: Int64 = 20

    /// Appends `records` records to every shard; record `r` of shard `s` holds ids `s*100_000 + r*20 ..< +20`.
    static func fill(_ cluster: DataCluster, _ info: CollectionInfo, records: Range<Int64>) async throws {
        for shard in 0..<info.shardsNum {
            for r in records {
                let first = Int64(shard) * 100_000 + r * rowsPerRecord
                try await cluster.append(info, shard: shard, ids: first..<(first + rowsPerRecord))
            }
        }
    }

    @Test func insertThenFlushWritesManifestsWithTheChannelCheckpoints() async throws {
        let cluster = try await DataCluster()
        defer { Task { await cluster.shutdown() } }
        try await cluster.addDataNode(1)
        try await cluster.addDataNode(2)
        try await cluster.startCoord()
        let info = try await cluster.createCollection("books", shards: 2)
        #expect(try await cluster.eventually { try await cluster.allWatched(info.id, shards: 2) }, "\(cluster.log)")
        let owners = try await cluster.assignments().entries.compactMap(\.node)
        #expect(Set(owners).count == 2, "one channel per data node")

        try await Self.fill(cluster, info, records: 0..<3)
        let flushed = try await cluster.flush(info.id)
        #expect(flushed.checkpoints == [LogPosition(3), LogPosition(3)])
        for shard in 0..<2 {
            let state = try cluster.flushedState(info, shard: shard)
            #expect(state.rows == 60 && state.checkpoint == LogPosition(3))
        }
        #expect(try await cluster.assignments().entries.allSatisfy { $0.flushedCheckpoint == LogPosition(3) })

        // A second flush with nothing new keeps the checkpoint; new rows move it.
        #expect(try await cluster.flush(info.id).checkpoints == [LogPosition(3), LogPosition(3)])
        try await Self.fill(cluster, info, records: 3..<4)
        #expect(try await cluster.flush(info.id).checkpoints == [LogPosition(4), LogPosition(4)])
        #expect(try cluster.flushedState(info, shard: 1).rows == 80)
    }

    @Test func theFlushPolicyFlushesUnflushedDataOnItsOwn() async throws {
        let cluster = try await DataCluster()
        defer { Task { await cluster.shutdown() } }
        try await cluster.addDataNode(1, flushInterval: .milliseconds(200))
        try await cluster.startCoord()
        let info = try await cluster.createCollection("policy", shards: 1)
        #expect(try await cluster.eventually { try await cluster.allWatched(info.id, shards: 1) })
        try await Self.fill(cluster, info, records: 0..<2)
        #expect(try await cluster.eventually { try cluster.flushedState(info, shard: 0).rows == 40 }, "\(cluster.log)")
        #expect(try cluster.flushedState(info, shard: 0).checkpoint == LogPosition(2))
        // The coordinator learns the checkpoint from the node's status.
        #expect(try await cluster.eventually { try await cluster.assignments().entries.first?.flushedCheckpoint == LogPosition(2) })
    }

    @Test func aQueryNodeLoadsTheManifestReplaysOnlyTheTailAndAnswersLikeAFullReplay() async throws {
        let cluster = try await DataCluster()
        defer { Task { await cluster.shutdown() } }
        try await cluster.addDataNode(1)
        try await cluster.startCoord()
        let info = try await cluster.createCollection("tail", shards: 1)
        #expect(try await cluster.eventually { try await cluster.allWatched(info.id, shards: 1) })
        try await Self.fill(cluster, info, records: 0..<5)
        #expect(try await cluster.flush(info.id).checkpoints == [LogPosition(5)])
        try await Self.fill(cluster, info, records: 5..<7)  // the tail, not flushed

        let request = LoadShardReplica(collection: info, shard: 0, replica: 0, logNode: "lognode:1")
        let fromStore = try cluster.addQueryNode(11, objectStore: cluster.objects)
        let fromLog = try cluster.addQueryNode(12, objectStore: nil)
        let loaded = try await fromStore.load(request)
        let replayed = try await fromLog.load(request)
        let end = try await cluster.channelState(info, shard: 0).end
        #expect(end == LogPosition(7))
        #expect(loaded.loadedFrom == LogPosition(5) && loaded.sealedSegments == 1)
        #expect(loaded.applied.rawValue - loaded.loadedFrom.rawValue == 2, "only the tail was read")
        #expect(loaded.applied.rawValue - loaded.loadedFrom.rawValue < end.rawValue)
        #expect(replayed.loadedFrom == .start && replayed.liveRows == 140 && loaded.liveRows == 140)

        let ref = request.ref
        for q in Int64(0)..<5 {
            let query = DataCluster.vector(q * 29 + 3).map { $0 + 0.013 }
            let search = SearchShard(ref: ref, field: "embedding", vectors: query, dimension: DataCluster.dimension, k: 10,
                                     outputFields: ["id"], guarantee: .strong)
            let a = try await fromStore.search(search)
            let b = try await fromLog.search(search)
            #expect(a.topks == b.topks && a.distances == b.distances && a.rows == b.rows, "query \(q)")
        }
        let filtered = QueryShard(ref: ref, filter: "id >= 60 and id < 130", outputFields: ["id"], limit: 1000, guarantee: .strong)
        #expect(try await fromStore.query(filtered) == (try await fromLog.query(filtered)))
    }

    @Test func truncationCutsTheChannelAndALaggingReplicaReloadsFromTheNewestManifest() async throws {
        let cluster = try await DataCluster()
        defer { Task { await cluster.shutdown() } }
        try await cluster.addDataNode(1)
        try await cluster.startCoord()
        let info = try await cluster.createCollection("trunc", shards: 1)
        #expect(try await cluster.eventually { try await cluster.allWatched(info.id, shards: 1) })
        try await Self.fill(cluster, info, records: 0..<12)

        // A replica reading through a second address of the log node, which then goes away: it lags at 12.
        let lagAddress = WireAddress(host: "lognode", port: 2)
        cluster.listeners["lognode2"] = try await cluster.network.listen(on: lagAddress, handler: cluster.logNode.router())
        let laggard = try cluster.addQueryNode(21, objectStore: cluster.objects)
        let request = LoadShardReplica(collection: info, shard: 0, replica: 0, logNode: "lognode:2")
        #expect(try await laggard.load(request).applied == LogPosition(12))
        await cluster.listeners.removeValue(forKey: "lognode2")?.stop()

        try await Self.fill(cluster, info, records: 12..<24)
        #expect(try await cluster.flush(info.id).checkpoints == [LogPosition(24)])
        #expect(try await cluster.channelState(info, shard: 0).first == .start, "the first flush keeps the channel whole")
        try await Self.fill(cluster, info, records: 24..<36)
        #expect(try await cluster.flush(info.id).checkpoints == [LogPosition(36)])
        // Truncated below the previous flush (24), whole segments only: past the laggard's 12, never past 24.
        #expect(try await cluster.eventually {
            let first = try await cluster.channelState(info, shard: 0).first
            return first > LogPosition(12) && first <= LogPosition(24)
        }, "\(cluster.log)")

        cluster.listeners["lognode2"] = try await cluster.network.listen(on: lagAddress, handler: cluster.logNode.router())
        let reloaded = try await cluster.eventually(timeout: .seconds(10)) {
            let s = await laggard.describe().replicas.first
            return s?.reloads == 1 && s?.applied == LogPosition(36)
        }
        #expect(reloaded, "\(cluster.log)")
        let status = await laggard.describe().replicas.first
        #expect(status?.loadedFrom == LogPosition(36) && status?.liveRows == 720)
        #expect(try await laggard.count(CountShard(ref: request.ref, guarantee: .strong)) == 720)
        #expect(cluster.log.contains("reloading from the newest manifest"))
    }

    @Test func aDeadDataNodesChannelsAreReassignedAndNoAcknowledgedRowIsLost() async throws {
        let cluster = try await DataCluster()
        defer { Task { await cluster.shutdown() } }
        try await cluster.addDataNode(1)
        try await cluster.addDataNode(2)
        try await cluster.startCoord()
        let info = try await cluster.createCollection("survive", shards: 4)
        #expect(try await cluster.eventually { try await cluster.allWatched(info.id, shards: 4) })
        try await Self.fill(cluster, info, records: 0..<2)
        #expect(try await cluster.flush(info.id).checkpoints == Array(repeating: LogPosition(2), count: 4))
        try await Self.fill(cluster, info, records: 2..<4)  // acknowledged, not flushed by the victim

        let victim = try await cluster.assignments().entries.first { $0.shard == 0 }!.node!
        let killed = ContinuousClock.now
        try await cluster.killDataNode(victim.rawValue)
        #expect(try await cluster.eventually { try await cluster.allWatched(info.id, shards: 4) }, "\(cluster.log)")
        let reassignedIn = ContinuousClock.now - killed
        print("data node loss: channels reassigned in \(reassignedIn)")
        #expect(reassignedIn < .seconds(2))
        #expect(await cluster.coord!.reassignmentDurations().count == 1)
        #expect(try await cluster.assignments().entries.allSatisfy { $0.node != victim })

        try await Self.fill(cluster, info, records: 4..<5)
        #expect(try await cluster.flush(info.id).checkpoints == Array(repeating: LogPosition(5), count: 4))
        for shard in 0..<4 { #expect(try cluster.flushedState(info, shard: shard).rows == 100, "shard \(shard)") }
    }

    @Test func aRestartedDataCoordKeepsItsAssignmentsAndCheckpoints() async throws {
        let cluster = try await DataCluster()
        defer { Task { await cluster.shutdown() } }
        try await cluster.addDataNode(1)
        try await cluster.addDataNode(2)
        try await cluster.startCoord()
        let info = try await cluster.createCollection("durable", shards: 3)
        #expect(try await cluster.eventually { try await cluster.allWatched(info.id, shards: 3) })
        try await Self.fill(cluster, info, records: 0..<1)
        _ = try await cluster.flush(info.id)
        let before = try await cluster.assignments().entries.map { ($0.shard, $0.node, $0.flushedCheckpoint) }

        await cluster.stopCoord()
        try await cluster.startCoord()
        let reopened = try await cluster.assignments().entries.map { ($0.shard, $0.node, $0.flushedCheckpoint) }
        #expect(reopened.elementsEqual(before) { $0 == $1 })
        #expect(try await cluster.eventually { try await cluster.allWatched(info.id, shards: 3) })
        let after = try await cluster.assignments().entries.map { ($0.shard, $0.node, $0.flushedCheckpoint) }
        #expect(after.elementsEqual(before) { $0 == $1 })
        try await Self.fill(cluster, info, records: 1..<2)
        #expect(try await cluster.flush(info.id).checkpoints == Array(repeating: LogPosition(2), count: 3))
    }

    @Test func aDroppedCollectionIsUnwatchedAndItsObjectsDeleted() async throws {
        let cluster = try await DataCluster()
        defer { Task { await cluster.shutdown() } }
        try await cluster.addDataNode(1)
        try await cluster.startCoord()
        let info = try await cluster.createCollection("gone", shards: 1)
        #expect(try await cluster.eventually { try await cluster.allWatched(info.id, shards: 1) })
        try await Self.fill(cluster, info, records: 0..<1)
        _ = try await cluster.flush(info.id)
        let directory = SharedObjectStore.collectionDirectory(root: cluster.objects, collection: info.id.rawValue)
        #expect(FileManager.default.fileExists(atPath: directory))
        _ = try await cluster.rootClient.call(DropCollection(CollectionRef(name: "gone")))
        #expect(try await cluster.eventually {
            let entries = try await cluster.assignments().entries
            let described = await cluster.dataNodes[NodeID(1)]!.describe()
            return entries.isEmpty && described.channels.isEmpty && !FileManager.default.fileExists(atPath: directory)
        }, "\(cluster.log)")
    }
}
