import Coordinator
import Foundation
import Node
import Shard
import Wire

/// A test stand-in for a query node: one `Shard` per hosted replica in a scratch directory, caught up from
/// the log node to the channel's end before every read (so every guarantee is met as Strong).
actor FakeQueryNode {
    struct Replica {
        let shard: Shard
        let schema: CollectionSchema
        let replica: Int
        var applied: UInt64 = 0
        var lastTimestamp: UInt64 = 0
    }

    let nodeID: NodeID
    let directory: String
    private let network: InMemoryNetwork
    private let logNode: WireAddress
    private var replicas: [ShardRef: Replica] = [:]
    private(set) var searches: UInt64 = 0
    /// When set, every read fails (to test failover).
    var failing = false

    init(nodeID: NodeID, network: InMemoryNetwork, logNode: WireAddress, directory: String) {
        self.nodeID = nodeID
        self.network = network
        self.logNode = logNode
        self.directory = directory
    }

    func setFailing(_ f: Bool) { failing = f }

    /// When set, searches never answer (they sleep until cancelled): a hung replica.
    var stalled = false
    func setStalled(_ s: Bool) { stalled = s }
    /// Searches that arrived while stalled.
    private(set) var stalledSearches = 0

    /// When set, search replies carry rows that are not a `ShardRows` encoding (to test reply validation).
    var garbled = false
    func setGarbled(_ g: Bool) { garbled = g }

    nonisolated func router() -> WireRouter {
        var r = WireRouter()
        r.on(LoadShardReplica.self) { req, _ in try await self.load(req) }
        r.on(ReleaseShardReplica.self) { req, _ in
            await self.release(req.ref)
            return WireEmpty()
        }
        r.on(SearchShard.self) { req, _ in try await self.search(req) }
        r.on(QueryShard.self) { req, _ in
            let rep = try await self.caughtUp(req.ref)
            let rows = try rep.shard.query(filter: req.filter, parameters: req.parameters, outputFields: req.outputFields, limit: req.limit)
            return ShardRowsReply(rows: rows.encode(keyType: rep.schema.primaryKey!.dataType))
        }
        r.on(GetFromShard.self) { req, _ in
            let rep = try await self.caughtUp(req.ref)
            let rows = try rep.shard.get(primaryKeys: req.keys, outputFields: req.outputFields)
            return ShardRowsReply(rows: rows.encode(keyType: rep.schema.primaryKey!.dataType))
        }
        r.on(CountShard.self) { req, _ in
            let rep = try await self.caughtUp(req.ref)
            let rows = try rep.shard.query(filter: req.filter, parameters: req.parameters, limit: Int(Int32.max))
            return UInt64(rows.count)
        }
        r.on(SealShard.self) { req, _ in
            let rep = try await self.caughtUp(req.ref)
            try rep.shard.flush()
            return self.status(req.ref, rep)
        }
        return r
    }

    private nonisolated func status(_ ref: ShardRef, _ rep: Replica) -> ShardReplicaStatus {
        ShardReplicaStatus(ref: ref, replica: rep.replica, liveRows: 0, sealedSegments: 0, growingRows: 0,
                           applied: LogPosition(rep.applied), lastTimestamp: rep.lastTimestamp)
    }

    private func load(_ req: LoadShardReplica) async throws -> ShardReplicaStatus {
        if replicas[req.ref] == nil {
            let dir = directory + "/c\(req.ref.collection)-s\(req.shard)-\(UUID().uuidString)"
            var options = ShardOptions()
            options.workerThreads = 1
            options.growingHNSWThreshold = 1_000_000
            let shard = try Shard.open(directory: dir, schema: req.collection.schema, indexes: req.collection.indexes, options: options)
            replicas[req.ref] = Replica(shard: shard, schema: req.collection.schema, replica: req.replica)
        }
        let rep = try await caughtUp(req.ref, checkFailing: false)
        return status(req.ref, rep)
    }

    private func release(_ ref: ShardRef) {
        replicas.removeValue(forKey: ref)?.shard.close()
    }

    private func search(_ req: SearchShard) async throws -> ShardSearchReply {
        if stalled {
            stalledSearches += 1
            try await Task.sleep(for: .seconds(600))
        }
        let rep = try await caughtUp(req.ref)
        searches += 1
        if garbled {
            let n = req.vectors.count / req.dimension
            return ShardSearchReply(topks: [Int](repeating: 1, count: n), distances: [Float](repeating: 0, count: n),
                                    scores: [Float](repeating: 0, count: n), rows: [0x56, 0x53, 0x52, 0x57, 1, 2, 3])
        }
        let hits = try rep.shard.search(req.vectors, field: req.field, k: req.k, ef: req.ef, filter: req.filter,
                                        parameters: req.parameters, outputFields: req.outputFields)
        // Hit rows in hit order across queries: fetched once by key, then picked per hit.
        let keys = hits.flatMap(\.primaryKeys)
        let fetched = try rep.shard.get(primaryKeys: keys, outputFields: req.outputFields)
        var at: [PrimaryKey: Int] = [:]
        for (i, k) in fetched.primaryKeys.enumerated() { at[k] = i }
        let order = keys.map { at[$0]! }
        let columns = fetched.columns.map { $0.selecting(order) }
        let rows = ShardRows(primaryKeys: keys, columns: columns)
        return ShardSearchReply(topks: hits.map(\.primaryKeys.count), distances: hits.flatMap(\.distances),
                                scores: hits.flatMap(\.scores), rows: rows.encode(keyType: rep.schema.primaryKey!.dataType))
    }

    /// Applies the channel's records up to its current end, then returns the replica.
    private func caughtUp(_ ref: ShardRef, checkFailing: Bool = true) async throws -> Replica {
        if checkFailing, failing { throw WireError(.unavailable, retriable: true, "node \(nodeID) is failing on purpose") }
        guard var rep = replicas[ref] else { throw WireError(.invalidArgument, "\(ref) is not hosted on \(nodeID)") }
        let client = network.client(for: logNode)
        while true {
            let batch = try await client.call(ReadChannel(channel: ref.channel, from: LogPosition(rep.applied)))
            for record in batch.records {
                let op = try ShardOperation(kind: record.recordKind, payload: record.payload, schema: rep.schema)
                try rep.shard.apply(op, timestamp: record.timestamp)
                rep.applied = record.position.rawValue + 1
                rep.lastTimestamp = record.timestamp
            }
            if rep.applied >= batch.end.rawValue || batch.records.isEmpty { break }
        }
        replicas[ref] = rep
        return rep
    }
}
