import API
import Coordinator
import Node
import Shard
import VecCore
import Wire

/// Search, query, get and count: validated here, scattered to one replica per shard, merged here.
extension Proxy {
    public func search(_ r: SearchRequest) async throws -> SearchResult {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: r.db, name: r.collection, deadline: deadline)
            try checkPartitions(r.partitionNames, info)
            let schema = info.schema
            guard let pk = schema.primaryKey else { throw APIError.invalidParameter("collection \(info.name) has no primary key") }
            let field = try Self.annsField(r.annsField, schema)
            guard let spec = info.indexes.first(where: { $0.fieldName == field.name }) else { throw APIError.indexNotFound(field.name) }
            if let m = r.metric, m != spec.metric {
                throw APIError.invalidParameter("metric type not match: expected \(spec.metric.name), actual \(m.name)")
            }
            let dimension = field.dimension ?? 0
            let vectors: [Float]
            var truncated: [Int] = []
            switch r.queries {
            case .vectors(let values, let d):
                guard d == dimension else { throw APIError.invalidParameter("vector dimension mismatch, expected \(dimension), got \(d)") }
                vectors = values
            case .texts(let texts):
                guard let function = CollectionMapping.textEmbedding(for: field.name, in: CollectionMapping.functions(of: info)) else {
                    throw APIError.invalidParameter("collection \(info.name) has no text embedding function for field \(field.name); search with vectors")
                }
                guard let embedding else { throw ProxyError.noEmbeddingModel(collection: info.name) }
                let embedded = try await embedding.embedQueries(texts, function: function, schema: schema)
                vectors = embedded.vectors
                truncated = embedded.truncated.indices.filter { embedded.truncated[$0] }
                guard vectors.count == texts.count * dimension else {
                    throw ProxyError.invalidReply("the embedding model returned \(vectors.count) floats for \(texts.count) texts of dimension \(dimension)")
                }
            }
            let nq = dimension == 0 ? 0 : vectors.count / dimension
            guard nq >= 1, vectors.count <= maxSearchFloats else {
                throw APIError.invalidParameter("\(nq) query vectors of dimension \(dimension): give 1…\(maxSearchFloats / max(1, dimension))")
            }
            if !r.filter.isEmpty { _ = try FilterExpression(r.filter, schema: schema, parameters: r.exprParams) }
            var extra: [String] = []
            if let g = r.groupingField {
                // A scalar field, or a key of the dynamic field (as Milvus's docs group by `color` there).
                let isDynamicKey = schema.field(named: g) == nil && schema.enableDynamicField && g != CollectionSchema.dynamicFieldName
                guard isDynamicKey || schema.field(named: g).map({ !$0.dataType.isVector && $0.name != field.name }) == true else {
                    throw APIError.invalidParameter("groupingField \(g) must be a scalar field or a dynamic key of collection \(info.name)")
                }
                guard r.groupSize >= 1 else { throw APIError.invalidParameter("groupSize must be at least 1") }
                extra.append(g)
            }
            let plan = try OutputPlan(requested: r.outputFields, schema: schema, extra: extra)
            let wanted = r.offset + r.limit
            let k: Int
            if r.groupingField != nil {
                k = min(VectorLimits.maxK, wanted * r.groupSize * 4)
            } else if r.rangeFilter != nil {
                k = min(VectorLimits.maxK, wanted * 4)
            } else {
                k = min(VectorLimits.maxK, wanted)
            }
            let ef = r.ef.map { max($0, k) }
            let range = r.radius.map {
                SearchMerge.Range(radius: Float($0), rangeFilter: r.rangeFilter.map { Float($0) }, smallerIsBetter: spec.metric == .l2)
            }
            let request = SearchShard(ref: ShardRef(collection: 0, shard: 0), field: field.name, vectors: vectors, dimension: dimension,
                                      k: k, ef: ef, nprobe: r.nprobe, filter: r.filter, parameters: r.exprParams, outputFields: plan.shardFields,
                                      guarantee: guarantee(r.consistencyLevel, info))
            let replies = try await scatter(info, shards: Array(0..<info.shardsNum), deadline: deadline) { client, ref, options throws(WireError) in
                var req = request
                req.ref = ref
                return try await client.call(req, options: options)
            }
            let merge = { [truncated] () throws -> SearchResult in
                var result = try Self.mergeSearch(replies, nq: nq, schema: schema, plan: plan, offset: r.offset, limit: r.limit,
                                                  range: range, groupingField: r.groupingField, groupSize: r.groupSize,
                                                  primaryName: pk.name)
                result.truncatedQueries = truncated
                return result
            }
            // A few hundred hits merge in microseconds, less than a hop to the CPU threads costs.
            guard Self.isLarge(replies.reduce(0) { $0 + $1.distances.count * 16 + $1.rows.count }) else { return try merge() }
            return try await cpu.run(merge)
        }
    }

    /// The vector field to search: `name`, or the collection's only vector field.
    static func annsField(_ name: String?, _ schema: CollectionSchema) throws -> FieldSchema {
        if let name {
            guard let f = schema.field(named: name), f.dataType.isVector else {
                throw APIError(code: APIError.Code.fieldNotFound, message: "field not found[field=\(name)]")
            }
            return f
        }
        let vectors = schema.vectorFields
        guard vectors.count == 1 else { throw APIError.missingParameter("annsField") }
        return vectors[0]
    }

    /// Decodes the shards' replies and merges them (`SearchMerge`) into the API's result.
    static func mergeSearch(_ replies: [ShardSearchReply], nq: Int, schema: CollectionSchema, plan: OutputPlan, offset: Int, limit: Int,
                            range: SearchMerge.Range?, groupingField: String?, groupSize: Int, primaryName: String) throws -> SearchResult {
        var rows: [ShardRows] = []
        var columns: [[Column?]] = []
        var hits: [SearchMerge.ShardHits] = []
        for reply in replies {
            let decoded: ShardRows
            do { decoded = try ShardRows(decoding: reply.rows, schema: schema) } catch {
                throw ProxyError.invalidReply("search rows: \(error)")
            }
            guard reply.topks.count == nq, decoded.count == reply.distances.count else {
                throw ProxyError.invalidReply("search reply with \(reply.topks.count) queries and \(decoded.count) rows for \(reply.distances.count) hits; expected \(nq) queries")
            }
            rows.append(decoded)
            columns.append(plan.columns(of: decoded))
            hits.append(SearchMerge.ShardHits(topks: reply.topks, distances: reply.distances, scores: reply.scores))
        }
        var group: ((SearchMerge.Pick) -> String)? = nil
        if let g = groupingField {
            if schema.field(named: g) != nil {
                let groupColumns = rows.map { $0.column(named: g) }
                group = { pick in "\(groupColumns[pick.shard]?.value(at: pick.hit) ?? .null)" }
            } else {
                // A dynamic key: its value in the row's `$meta` object (absent keys group together as null).
                let metaColumns = rows.map { $0.column(named: CollectionSchema.dynamicFieldName) }
                group = { pick in
                    guard case .object(let o)? = metaColumns[pick.shard]?.value(at: pick.hit) else { return "\(FieldValue.null)" }
                    return "\(o[g] ?? .null)"
                }
            }
        }
        var topks: [Int] = []
        topks.reserveCapacity(nq)
        var out: [SearchResult.Hit] = []
        out.reserveCapacity(nq * limit)
        for q in 0..<nq {
            let picks = SearchMerge.merge(hits, query: q, offset: offset, limit: limit, range: range, group: group, groupSize: groupSize)
            topks.append(picks.count)
            for p in picks {
                let fields = plan.shardFields.isEmpty ? [:] : plan.row(rows[p.shard], columns: columns[p.shard], at: p.hit, primaryName: nil)
                out.append(SearchResult.Hit(id: rows[p.shard].primaryKeys[p.hit], distance: hits[p.shard].scores[p.hit], fields: fields))
            }
        }
        return SearchResult(primaryFieldName: primaryName, topks: topks, hits: out)
    }

    public func query(_ r: QueryRequest) async throws -> [[String: FieldValue]] {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: r.db, name: r.collection, deadline: deadline)
            try checkPartitions(r.partitionNames, info)
            guard let pk = info.schema.primaryKey else { throw APIError.invalidParameter("collection \(info.name) has no primary key") }
            if !r.filter.isEmpty { _ = try FilterExpression(r.filter, schema: info.schema, parameters: r.exprParams) }
            let plan = try OutputPlan(requested: r.outputFields, schema: info.schema)
            let parts = try await queryShards(info, filter: r.filter, parameters: r.exprParams, outputFields: plan.shardFields,
                                              limit: r.offset + r.limit, guarantee: guarantee(r.consistencyLevel, info), deadline: deadline)
            var out: [[String: FieldValue]] = []
            var skip = r.offset
            for part in parts where out.count < r.limit {
                let columns = plan.columns(of: part)
                for i in 0..<part.count where out.count < r.limit {
                    if skip > 0 {
                        skip -= 1
                        continue
                    }
                    out.append(plan.row(part, columns: columns, at: i, primaryName: pk.name))
                }
            }
            return out
        }
    }

    /// `QueryShard` on every shard; rows decoded, in shard order.
    func queryShards(_ info: CollectionInfo, filter: String, parameters: [String: FieldValue], outputFields: [String], limit: Int,
                     guarantee: ReadGuarantee, deadline: ContinuousClock.Instant) async throws -> [ShardRows] {
        let request = QueryShard(ref: ShardRef(collection: 0, shard: 0), filter: filter, parameters: parameters,
                                 outputFields: outputFields, limit: limit, guarantee: guarantee)
        let replies = try await scatter(info, shards: Array(0..<info.shardsNum), deadline: deadline) { client, ref, options throws(WireError) in
            var req = request
            req.ref = ref
            return try await client.call(req, options: options)
        }
        return try await decode(replies, schema: info.schema)
    }

    func decode(_ replies: [ShardRowsReply], schema: CollectionSchema) async throws -> [ShardRows] {
        let work = { () throws -> [ShardRows] in
            try replies.map { reply throws -> ShardRows in
                do { return try ShardRows(decoding: reply.rows, schema: schema) } catch {
                    throw ProxyError.invalidReply("rows: \(error)")
                }
            }
        }
        guard Self.isLarge(replies.reduce(0) { $0 + $1.rows.count }) else { return try work() }
        return try await cpu.run(work)
    }

    /// Whether work on `bytes` of replies is worth moving to the CPU threads (over 64 KiB): smaller merges
    /// and decodes take less time than the hop.
    static func isLarge(_ bytes: Int) -> Bool { bytes > 64 << 10 }

    public func get(_ r: GetRequest) async throws -> [[String: FieldValue]] {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: r.db, name: r.collection, deadline: deadline)
            try checkPartitions(r.partitionNames, info)
            guard let pk = info.schema.primaryKey else { throw APIError.invalidParameter("collection \(info.name) has no primary key") }
            let plan = try OutputPlan(requested: r.outputFields, schema: info.schema)
            var byShard: [Int: [PrimaryKey]] = [:]
            for k in r.ids { byShard[ShardHash.shard(of: k, shardsNum: info.shardsNum), default: []].append(k) }
            let shards = byShard.keys.sorted()
            guard !shards.isEmpty else { return [] }
            let keys = byShard
            let guarantee = guarantee(nil, info)
            let replies = try await scatter(info, shards: shards, deadline: deadline) { client, ref, options throws(WireError) in
                try await client.call(GetFromShard(ref: ref, keys: keys[ref.shard] ?? [], outputFields: plan.shardFields, guarantee: guarantee),
                                      options: options)
            }
            var found: [PrimaryKey: [String: FieldValue]] = [:]
            for part in try await decode(replies, schema: info.schema) {
                let columns = plan.columns(of: part)
                for i in 0..<part.count { found[part.primaryKeys[i]] = plan.row(part, columns: columns, at: i, primaryName: pk.name) }
            }
            var seen = Set<PrimaryKey>()
            return r.ids.compactMap { k in seen.insert(k).inserted ? found[k] : nil }
        }
    }

    public func count(_ r: QueryRequest) async throws -> Int64 {
        try await api {
            let deadline = deadline()
            let info = try await collection(db: r.db, name: r.collection, deadline: deadline)
            try checkPartitions(r.partitionNames, info)
            if !r.filter.isEmpty { _ = try FilterExpression(r.filter, schema: info.schema, parameters: r.exprParams) }
            return try await countRows(info, filter: r.filter, parameters: r.exprParams, guarantee: guarantee(r.consistencyLevel, info),
                                       deadline: deadline)
        }
    }

    /// `CountShard` on every shard, summed.
    func countRows(_ info: CollectionInfo, filter: String, parameters: [String: FieldValue], guarantee: ReadGuarantee,
                   deadline: ContinuousClock.Instant) async throws -> Int64 {
        let counts = try await scatter(info, shards: Array(0..<info.shardsNum), deadline: deadline) { client, ref, options throws(WireError) in
            try await client.call(CountShard(ref: ref, filter: filter, parameters: parameters, guarantee: guarantee), options: options)
        }
        return Int64(clamping: counts.reduce(0, +))
    }
}
