import Foundation
import VecCore

extension Shard {
    /// The rows with these primary keys visible at `timestamp`, in segment order, with `outputFields`.
    /// Keys without a visible row are absent from the result.
    public func get(primaryKeys keys: [PrimaryKey], outputFields: [String] = [],
                    timestamp: UInt64 = HybridTimestamp.latest) throws(ShardError) -> ShardRows {
        let wanted = Set(keys)
        return try lock.reading { () throws(ShardError) -> ShardRows in
            try checkOpen()
            let fields = try resolve(outputFields)
            var picks: [(any Segment, [Int])] = []
            for segment in state.allSegments {
                let visible = segment.visibility(at: timestamp)
                let pk = segment.primaryKeyColumn
                var rows: [Int] = []
                visible.forEachSet { if wanted.contains(PrimaryKey.key(of: pk, at: $0)) { rows.append($0) } }
                if !rows.isEmpty { picks.append((segment, rows)) }
            }
            return gather(picks, fields: fields)
        }
    }

    /// The rows visible at `timestamp` that match `filter` (all rows when nil or empty), in segment then row
    /// order, skipping `offset` and returning at most `limit`.
    public func query(filter: String? = nil, parameters: [String: FieldValue] = [:], outputFields: [String] = [],
                      limit: Int = 16_384, offset: Int = 0, timestamp: UInt64 = HybridTimestamp.latest) throws(ShardError) -> ShardRows {
        guard limit >= 0, offset >= 0 else { throw .invalidArgument("limit (\(limit)) and offset (\(offset)) must not be negative") }
        let expression = try parse(filter, parameters)
        return try lock.reading { () throws(ShardError) -> ShardRows in
            try checkOpen()
            let fields = try resolve(outputFields)
            var skip = offset
            var remaining = limit
            var picks: [(any Segment, [Int])] = []
            for segment in state.allSegments where remaining > 0 {
                let allow = try segment.allowList(at: timestamp, filter: expression)
                var rows: [Int] = []
                allow.forEachSet { r in
                    if skip > 0 { skip -= 1 } else if remaining > 0 { rows.append(r); remaining -= 1 }
                }
                if !rows.isEmpty { picks.append((segment, rows)) }
            }
            return gather(picks, fields: fields)
        }
    }

    /// The `k` nearest rows visible at `timestamp` (and matching `filter`) to each query vector.
    ///
    /// - Parameters:
    ///   - vectors: `nq × dimension` floats, row-major (one or many queries).
    ///   - field: the vector field to search.
    ///   - ef: HNSW / HNSW_SQ8 beam width (at least `k`; default `max(k, 64)`); ignored by the other kinds.
    ///   - nprobe: IVF_FLAT / IVF_SQ8 lists to scan (`IndexSpec.Limits.nprobe`, default 16); ignored by the
    ///     other kinds.
    /// - Returns: one `SearchHits` per query vector, in order.
    public func search(_ vectors: [Float], field: String, k: Int, ef: Int? = nil, nprobe: Int = 16, filter: String? = nil,
                       parameters: [String: FieldValue] = [:], outputFields: [String] = [],
                       timestamp: UInt64 = HybridTimestamp.latest) throws(ShardError) -> [SearchHits] {
        guard let spec = indexes.first(where: { $0.fieldName == field }), let d = schema.field(named: field)?.dimension else {
            throw .invalidArgument("'\(field)' is not a vector field of this collection")
        }
        guard k >= 1, k <= VectorLimits.maxK else { throw .invalidArgument("k must be in 1...\(VectorLimits.maxK), got \(k)") }
        let beam = ef ?? max(k, 64)
        guard beam >= k else { throw .invalidArgument("ef (\(beam)) must be at least k (\(k))") }
        guard IndexSpec.Limits.nprobe.contains(nprobe) else {
            throw .invalidArgument("nprobe must be in \(IndexSpec.Limits.nprobe.lowerBound)...\(IndexSpec.Limits.nprobe.upperBound), got \(nprobe)")
        }
        guard !vectors.isEmpty, vectors.count % d == 0 else {
            throw .invalidArgument("query vectors hold \(vectors.count) floats, not a positive multiple of the dimension \(d)")
        }
        let nq = vectors.count / d
        let expression = try parse(filter, parameters)
        let metric = VectorFieldIndex.metric(of: spec)
        return try lock.reading { () throws(ShardError) -> [SearchHits] in
            try checkOpen()
            let fields = try resolve(outputFields)
            let segments = state.allSegments
            var allows: [Bitset] = []
            for s in segments { allows.append(try s.allowList(at: timestamp, filter: expression)) }
            // One task per (segment, query) pair, handed out to the shard's worker threads when they are idle;
            // under concurrent load (or during a seal's index build) the calling thread runs them all.
            let pairs = segments.count * nq
            let results = ResultSlots<Result<[SearchHit], VecError>>(count: pairs)
            vectors.withUnsafeBufferPointer { q in
                pool.parallelForIfIdle(pairs) { range in
                    for p in range {
                        let si = p / nq
                        let qi = p % nq
                        guard let index = segments[si].vectorIndexes[field] else { results.set(p, .success([])); continue }
                        let query = UnsafeBufferPointer(rebasing: q[(qi * d)..<((qi + 1) * d)])
                        do throws(VecError) {
                            results.set(p, .success(try index.search(query, k: k, ef: beam, nprobe: nprobe, allowRows: allows[si])))
                        } catch {
                            results.set(p, .failure(error))
                        }
                    }
                }
            }
            var perSegment: [[[SearchHit]]] = Array(repeating: [], count: segments.count)
            for p in 0..<pairs {
                switch results.get(p) {
                case .success(let hits): perSegment[p / nq].append(hits)
                case .failure(let e): throw .vector(e)
                case nil: perSegment[p / nq].append([])
                }
            }
            var out: [SearchHits] = []
            for qi in 0..<nq {
                var candidates: [(distance: Float, segment: Int, row: Int)] = []
                for si in 0..<segments.count where qi < perSegment[si].count {
                    for hit in perSegment[si][qi] { candidates.append((hit.distance, si, Int(hit.id))) }
                }
                candidates.sort { ($0.distance, $0.segment, $0.row) < ($1.distance, $1.segment, $1.row) }
                let top = candidates.prefix(k)
                var picks: [(any Segment, [Int])] = []
                for c in top {
                    if let last = picks.last, last.0 === segments[c.segment] {
                        picks[picks.count - 1].1.append(c.row)
                    } else {
                        picks.append((segments[c.segment], [c.row]))
                    }
                }
                let rows = gather(picks, fields: fields)
                out.append(SearchHits(primaryKeys: rows.primaryKeys, distances: top.map(\.distance),
                                      scores: top.map { metric.score(fromDistance: $0.distance) }, fields: rows))
            }
            return out
        }
    }

    private func parse(_ filter: String?, _ parameters: [String: FieldValue]) throws(ShardError) -> FilterExpression? {
        guard let filter, !filter.allSatisfy(\.isWhitespace) else { return nil }
        do { return try FilterExpression(filter, schema: schema, parameters: parameters) } catch { throw .filter(error) }
    }

    /// Checks output field names (schema fields or `$meta`).
    private func resolve(_ names: [String]) throws(ShardError) -> [String] {
        for name in names {
            let known = schema.field(named: name) != nil || (schema.enableDynamicField && name == CollectionSchema.dynamicFieldName)
            guard known else { throw .invalidArgument("unknown output field '\(name)'") }
        }
        return names
    }

    /// The rows at `picks` (segment, row numbers), in that order, with `fields`.
    private func gather(_ picks: [(any Segment, [Int])], fields: [String]) -> ShardRows {
        var keys: [PrimaryKey] = []
        var columns: [Column]? = nil
        for (segment, rows) in picks {
            let pk = segment.primaryKeyColumn
            for r in rows { keys.append(PrimaryKey.key(of: pk, at: r)) }
            let part = fields.compactMap { segment.column(named: $0)?.selecting(rows) }
            if columns == nil {
                columns = part
            } else {
                for i in part.indices { columns![i].append(part[i]) }
            }
        }
        if columns == nil {
            let empty = (try? RowBatch(schema: schema, rows: []))
            columns = fields.compactMap { empty?.column(named: $0) }
        }
        return ShardRows(primaryKeys: keys, columns: columns ?? [])
    }
}

/// Per-task result slots filled by worker threads (each slot written once, read after the join).
final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: T) { lock.lock(); slots[i] = value; lock.unlock() }
    func get(_ i: Int) -> T? { lock.lock(); defer { lock.unlock() }; return slots[i] }
}
