import API
import Coordinator
import Node
import Shard
import Wire

/// Inserts, upserts and deletes: validated into `RowBatch`es, keyed to shards by `ShardHash`, appended to
/// the shard channels on the log node with one TSO timestamp per write.
extension Proxy {
    public func insert(_ r: InsertRequest) async throws -> WriteResult {
        try await api { try await write(r, upsert: false) }
    }

    public func upsert(_ r: InsertRequest) async throws -> WriteResult {
        try await api { try await write(r, upsert: true) }
    }

    /// The schema upserts are validated with: the primary key is given by the client even when auto-id.
    static func upsertSchema(_ schema: CollectionSchema) -> CollectionSchema {
        var s = schema
        for i in s.fields.indices { s.fields[i].autoID = false }
        return s
    }

    func write(_ r: InsertRequest, upsert: Bool) async throws -> WriteResult {
        let deadline = deadline()
        let info = try await collection(db: r.db, name: r.collection, deadline: deadline)
        try checkPartitions(r.partition.map { [$0] } ?? [], info)
        guard let pk = info.schema.primaryKey else { throw APIError.invalidParameter("collection \(info.name) has no primary key") }
        var rows = r.rows
        try await embedRows(&rows, info)
        var autoIDs: [Int64]? = nil
        if pk.autoID, !upsert { autoIDs = try await ids.take(rows.count, options: options(deadline)) }
        let schema = upsert ? Self.upsertSchema(info.schema) : info.schema
        let input = rows
        let shardsNum = info.shardsNum
        let (keys, perShard, kind) = try await cpu.run { () throws -> ([PrimaryKey], [(Int, [[UInt8]])], LogRecordKind) in
            let batch = try RowBatch(schema: schema, rows: input, autoIDs: autoIDs)
            let keys = Self.primaryKeys(batch, field: pk.name)
            var positions = [[Int]](repeating: [], count: shardsNum)
            for (i, k) in keys.enumerated() { positions[ShardHash.shard(of: k, shardsNum: shardsNum)].append(i) }
            var out: [(Int, [[UInt8]])] = []
            for (s, p) in positions.enumerated() where !p.isEmpty {
                let part = p.count == batch.rowCount ? batch : batch.selecting(p)
                out.append((s, Self.payloads(upsert ? .upsert(part) : .insert(part), keyType: pk.dataType)))
            }
            return (keys, out, (upsert ? ShardOperation.upsert(batch) : .insert(batch)).logKind)
        }
        try await append(info, kind: kind, perShard: perShard, deadline: deadline)
        return WriteResult(count: keys.count, ids: keys)
    }

    /// Deletes by ids (the count answered is the number of ids, as Milvus reports a delete by primary key),
    /// or by filter: a Strong query for the matching keys on every shard, then a delete by key, repeated
    /// until no key matches (each round at most 16,384 keys per shard); the count is the keys deleted.
    public func delete(_ r: DeleteRequest) async throws -> Int64 {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: r.db, name: r.collection, deadline: deadline)
            try checkPartitions(r.partition.map { [$0] } ?? [], info)
            if let keys = r.ids {
                try await deleteKeys(keys, info, deadline: deadline)
                return Int64(keys.count)
            }
            let filter = r.filter ?? ""
            _ = try FilterExpression(filter, schema: info.schema, parameters: r.exprParams)
            let roundLimit = 16_384
            var total: Int64 = 0
            while ContinuousClock.now < deadline {
                let replies = try await queryShards(info, filter: filter, parameters: r.exprParams, outputFields: [],
                                                    limit: roundLimit, guarantee: .strong, deadline: deadline)
                let keys = replies.flatMap(\.primaryKeys)
                if keys.isEmpty { break }
                try await deleteKeys(keys, info, deadline: deadline)
                total += Int64(keys.count)
                if replies.allSatisfy({ $0.count < roundLimit }) { break }
            }
            return total
        }
    }

    func deleteKeys(_ keys: [PrimaryKey], _ info: CollectionInfo, deadline: ContinuousClock.Instant) async throws {
        guard !keys.isEmpty, let pk = info.schema.primaryKey else { return }
        for k in keys {
            switch (k, pk.dataType) {
            case (.int, .int64), (.string, .varChar): continue
            default: throw APIError.invalidParameter("primary key \(k) does not match the \(pk.dataType) key field \(pk.name)")
            }
        }
        let shardsNum = info.shardsNum
        let perShard = await cpu.run { () -> [(Int, [[UInt8]])] in
            var groups = [[PrimaryKey]](repeating: [], count: shardsNum)
            for k in keys { groups[ShardHash.shard(of: k, shardsNum: shardsNum)].append(k) }
            return groups.enumerated().filter { !$0.element.isEmpty }.map { ($0.offset, Self.payloads(.delete($0.element), keyType: pk.dataType)) }
        }
        try await append(info, kind: .deleteBatch, perShard: perShard, deadline: deadline)
    }

    /// The primary keys of a batch's rows, in row order.
    static func primaryKeys(_ batch: RowBatch, field: String) -> [PrimaryKey] {
        guard let c = batch.column(named: field) else { return [] }
        switch c.data {
        case .int64(let v): return v.map { .int($0) }
        case .string(let v): return v.map { .string($0) }
        default: return (0..<batch.rowCount).map { i in
            switch c.value(at: i) {
            case .int(let v): .int(v)
            case .string(let s): .string(s)
            default: .int(0)
            }
        }
        }
    }

    /// The record payloads of `operation`, halved until each fits `maxChannelPayloadBytes`.
    static func payloads(_ operation: ShardOperation, keyType: DataType) -> [[UInt8]] {
        let p = operation.payload(keyType: keyType)
        guard p.count > maxChannelPayloadBytes, operation.rowCount > 1 else { return [p] }
        let half = operation.rowCount / 2
        switch operation {
        case .insert(let b):
            return payloads(.insert(b.slice(0..<half)), keyType: keyType) + payloads(.insert(b.slice(half..<b.rowCount)), keyType: keyType)
        case .upsert(let b):
            return payloads(.upsert(b.slice(0..<half)), keyType: keyType) + payloads(.upsert(b.slice(half..<b.rowCount)), keyType: keyType)
        case .delete(let k):
            return payloads(.delete(Array(k[..<half])), keyType: keyType) + payloads(.delete(Array(k[half...])), keyType: keyType)
        }
    }

    /// Appends every shard's payloads with one fresh timestamp: shards in parallel, a shard's payloads in
    /// order. Returns when the log node acknowledged all (each fsynced); records the newest stored
    /// timestamp for Session reads.
    func append(_ info: CollectionInfo, kind: LogRecordKind, perShard: [(Int, [[UInt8]])], deadline: ContinuousClock.Instant) async throws {
        guard !perShard.isEmpty else { return }
        let ts = try await rootCoord.call(AllocateTimestamps(count: 1), options: options(deadline)).first.rawValue
        let address = try await directory.address(of: .logNode, options: options(deadline))
        let client = transport.client(for: address)
        let id = info.id.rawValue
        do {
            let newest = try await withThrowingTaskGroup(of: UInt64.self) { group in
                for (shard, payloads) in perShard {
                    group.addTask {
                        var stored: UInt64 = 0
                        for p in payloads {
                            let ack = try await client.call(
                                AppendToChannel(channel: ChannelName(collection: id, shard: shard), recordKind: kind, timestamp: ts, payload: p),
                                options: self.options(deadline))
                            stored = max(stored, ack.timestamp)
                        }
                        return stored
                    }
                }
                var newest: UInt64 = 0
                for try await t in group { newest = max(newest, t) }
                return newest
            }
            var current = lastWriteTimestamp.load(ordering: .relaxed)
            while current < newest {
                let (done, seen) = lastWriteTimestamp.compareExchange(expected: current, desired: newest, ordering: .acquiringAndReleasing)
                if done { break }
                current = seen
            }
        } catch let e as WireError {
            if e.retriable || e.code == .unavailable || e.code == .connectionClosed { directory.forget(.logNode) }
            throw e
        }
    }

    /// Fills the vector fields that the collection's `TextEmbedding` functions derive, for rows that do
    /// not carry them; 1100 when that needs a model and none is wired in.
    func embedRows(_ rows: inout [[String: FieldValue]], _ info: CollectionInfo) async throws {
        let functions = CollectionMapping.functions(of: info).filter { $0.type == "TextEmbedding" }
        // Every row goes through the model, even when all carry the output vector: the server computes it, and
        // a client-sent value is refused (as Milvus refuses writing a function's output field).
        for f in functions {
            guard let embedding else { throw ProxyError.noEmbeddingModel(collection: info.name) }
            try await embedding.fillEmbeddings(&rows, function: f, schema: info.schema)
        }
    }
}
