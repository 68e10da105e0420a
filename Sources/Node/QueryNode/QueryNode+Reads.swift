import Shard
import Wire

/// Most hits (queries × k) one `SearchShard` may ask for, bounding the reply's memory.
public let maxSearchHits = 1 << 20

/// Reads: look the replica up, catch up as the guarantee demands, then run the `Shard` call and encode the
/// reply on the CPU executor's threads.
extension QueryNode {
    /// Top-k search of one replica (`SearchShard`).
    /// - Throws: `invalidRequest` (dimension differs from the field's, not a vector field, k/ef out of range,
    ///   nq × k over `maxSearchHits`, bad filter or output field), `replicaNotFound`, `replicaUnavailable`, `catchUpFailed`.
    public nonisolated func search(_ request: SearchShard) async throws(QueryNodeError) -> ShardSearchReply {
        let replica = try await self.replica(request.ref)
        let schema = replica.collection.schema
        guard let field = schema.field(named: request.field), field.dataType == .floatVector, let d = field.dimension else {
            throw .invalidRequest("'\(request.field)' is not a float vector field of collection \(request.ref.collection)")
        }
        guard request.dimension == d else {
            throw .invalidRequest("query vectors have dimension \(request.dimension); field '\(request.field)' has \(d)")
        }
        let nq = request.vectors.count / d
        guard nq * request.k <= maxSearchHits else {
            throw .invalidRequest("\(nq) queries × k \(request.k) asks for over \(maxSearchHits) hits; split the search")
        }
        let shard = try await replica.prepareRead(request.guarantee)
        countSearch()
        let keyType = schema.primaryKey?.dataType ?? .int64
        let ref = request.ref
        return try await cpu.run { () throws(QueryNodeError) -> ShardSearchReply in
            let hits: [SearchHits]
            do throws(ShardError) {
                hits = try shard.search(
                    request.vectors, field: request.field, k: request.k, ef: request.ef, nprobe: request.nprobe ?? 16,
                    filter: request.filter,
                    parameters: request.parameters, outputFields: request.outputFields)
            } catch { throw QueryNodeError.fromRead(error, ref) }
            var distances: [Float] = []
            var scores: [Float] = []
            let total = hits.reduce(0) { $0 + $1.distances.count }
            distances.reserveCapacity(total)
            scores.reserveCapacity(total)
            for h in hits {
                distances.append(contentsOf: h.distances)
                scores.append(contentsOf: h.scores)
            }
            let rows = hits.count == 1 ? hits[0].fields : ShardRows(concatenating: hits.map(\.fields))
            return ShardSearchReply(topks: hits.map(\.distances.count), distances: distances, scores: scores,
                                    rows: rows.encode(keyType: keyType))
        }
    }

    /// Rows matching a filter (`QueryShard`), the first `limit` in shard order.
    public nonisolated func query(_ request: QueryShard) async throws(QueryNodeError) -> ShardRowsReply {
        let replica = try await self.replica(request.ref)
        let shard = try await replica.prepareRead(request.guarantee)
        let keyType = replica.collection.schema.primaryKey?.dataType ?? .int64
        let ref = request.ref
        return try await cpu.run { () throws(QueryNodeError) -> ShardRowsReply in
            do throws(ShardError) {
                let rows = try shard.query(filter: request.filter, parameters: request.parameters,
                                           outputFields: request.outputFields, limit: request.limit)
                return ShardRowsReply(rows: rows.encode(keyType: keyType))
            } catch { throw QueryNodeError.fromRead(error, ref) }
        }
    }

    /// Rows by primary key (`GetFromShard`).
    /// - Throws: `invalidRequest` for a key of the wrong type or an unknown output field.
    public nonisolated func get(_ request: GetFromShard) async throws(QueryNodeError) -> ShardRowsReply {
        let replica = try await self.replica(request.ref)
        let keyType = replica.collection.schema.primaryKey?.dataType ?? .int64
        for key in request.keys {
            switch (key, keyType) {
            case (.int, .int64), (.string, .varChar): continue
            default: throw .invalidRequest("key \(key) does not match the collection's \(keyType) primary key")
            }
        }
        let shard = try await replica.prepareRead(request.guarantee)
        let ref = request.ref
        return try await cpu.run { () throws(QueryNodeError) -> ShardRowsReply in
            do throws(ShardError) {
                let rows = try shard.get(primaryKeys: request.keys, outputFields: request.outputFields)
                return ShardRowsReply(rows: rows.encode(keyType: keyType))
            } catch { throw QueryNodeError.fromRead(error, ref) }
        }
    }

    /// `count(*)` of the rows matching a filter (`CountShard`): the live-row count without one, else a
    /// key-only query.
    public nonisolated func count(_ request: CountShard) async throws(QueryNodeError) -> UInt64 {
        let replica = try await self.replica(request.ref)
        let shard = try await replica.prepareRead(request.guarantee)
        let ref = request.ref
        return try await cpu.run { () throws(QueryNodeError) -> UInt64 in
            do throws(ShardError) {
                if request.filter.allSatisfy(\.isWhitespace) {
                    _ = try shard.query(limit: 0)  // fails like the filtered path if the shard is closed
                    return UInt64(shard.statistics.liveRows)
                }
                let rows = try shard.query(filter: request.filter, parameters: request.parameters, limit: Int.max)
                return UInt64(rows.count)
            } catch { throw QueryNodeError.fromRead(error, ref) }
        }
    }

    /// Catches up to the channel's end, then seals the growing data into an indexed segment (`SealShard`).
    public nonisolated func seal(_ request: SealShard) async throws(QueryNodeError) -> ShardReplicaStatus {
        let replica = try await self.replica(request.ref)
        let shard = try await replica.prepareRead(.strong, catchUpTimeout: configuration.maintenanceCatchUpTimeout)
        let ref = request.ref
        try await cpu.run { () throws(QueryNodeError) in
            do throws(ShardError) { try shard.flush() } catch { throw QueryNodeError.fromRead(error, ref) }
            replica.refreshStatistics(shard)
        }
        logger.info("replica sealed", ["collection": ref.collection, "shard": ref.shard])
        return replica.status()
    }

    /// Catches up to the channel's end, then merges small sealed segments (`CompactShard`).
    public nonisolated func compact(_ request: CompactShard) async throws(QueryNodeError) -> ShardReplicaStatus {
        let replica = try await self.replica(request.ref)
        let shard = try await replica.prepareRead(.strong, catchUpTimeout: configuration.maintenanceCatchUpTimeout)
        let ref = request.ref
        let merged = try await cpu.run { () throws(QueryNodeError) -> Int in
            let report: CompactionReport
            do throws(ShardError) { report = try shard.compact() } catch { throw QueryNodeError.fromRead(error, ref) }
            replica.refreshStatistics(shard)
            return report.mergedSegments.count
        }
        logger.info("replica compacted", ["collection": ref.collection, "shard": ref.shard, "merged_segments": merged])
        return replica.status()
    }
}
