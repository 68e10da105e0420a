import CVecSupport
import Glibc
import VecCore

extension HNSWIndex {
    /// Largest `ef` a search may use.
    public static let maxEf = 32_768

    /// The `k` approximate nearest live neighbours of `query`, closest first (ties by id).
    ///
    /// - Parameters:
    ///   - k: results wanted, 1...`VectorLimits.maxK`. Fewer come back only if fewer live vectors match.
    ///   - ef: beam width of the level-0 search, `k...maxEf`; larger is slower and more accurate.
    ///   - filter: allow-list over slots (size `slotCount` or smaller; slots past its end count as
    ///     disallowed, so a filter built before concurrent inserts stays valid).
    /// - Throws: `VecError.invalidK`, `.efBelowK`, `.invalidParameter` (ef too large), `.dimensionMismatch`,
    ///   `.nonFiniteComponent`, `.zeroVector`, `.emptyIndex`.
    /// - Complexity: about `ef · 2M · log(n)` distance computations; exact scans for small allow-lists.
    /// Safe to call from any thread, concurrently with other searches and with inserts.
    public func search(_ query: [Float], k: Int, ef: Int, filter: Bitset? = nil) throws(VecError) -> [SearchHit] {
        try query.withUnsafeBufferPointer { (q) throws(VecError) in try search(q, k: k, ef: ef, filter: filter) }
    }

    /// `search(_:k:ef:filter:)` over a buffer of `dimension` floats.
    public func search(_ query: UnsafeBufferPointer<Float>, k: Int, ef: Int, filter: Bitset? = nil) throws(VecError) -> [SearchHit] {
        guard k >= 1, k <= VectorLimits.maxK else { throw .invalidK(k) }
        guard ef >= k else { throw .efBelowK(ef: ef, k: k) }
        guard ef <= HNSWIndex.maxEf else { throw .invalidParameter("ef must be at most \(HNSWIndex.maxEf), got \(ef)") }
        let ctx = contextPool.take(capacity: capacity, stride: vectors.stride, maxLinks: parameters.connectivityLevel0)
        defer { contextPool.give(ctx) }
        try VectorPreparation.prepare(query, dimension: dimension, stride: vectors.stride, metric: metric, into: ctx.query)

        pthread_rwlock_rdlock(growthLock)
        defer { pthread_rwlock_unlock(growthLock) }
        tableLock.lock()
        let live = slotOfID.count
        tableLock.unlock()
        guard live > 0, let entry = loadEntry() else { throw .emptyIndex }

        if let filter {
            let allowed = filter.popcount
            if allowed == 0 { return [] }
            if prefersExactScan(allowed: allowed, live: live, ef: ef) {
                return exactScan(ctx.query, k: k, allow: filter)
            }
        }
        switch metric {
        case .l2: return graphSearch(SquaredL2.self, ctx, entry, k: k, ef: ef, allow: filter)
        case .ip, .cosine: return graphSearch(InnerProductDistance.self, ctx, entry, k: k, ef: ef, allow: filter)
        }
    }

    /// Searches many queries (`rows × dimension` floats, row-major) on the workers of `pool`.
    /// - Returns: one result list per query, in query order.
    public func search(batch queries: [Float], k: Int, ef: Int, filter: Bitset? = nil,
                       pool: WorkerPool) throws(VecError) -> [[SearchHit]] {
        guard queries.count % dimension == 0 else {
            throw .dimensionMismatch(expected: dimension, got: queries.count % dimension)
        }
        let n = queries.count / dimension
        let out = BatchResults(count: n)
        queries.withUnsafeBufferPointer { q in
            pool.parallelFor(n, chunk: 8) { range, _ in
                for i in range {
                    let row = UnsafeBufferPointer(rebasing: q[(i * dimension)..<((i + 1) * dimension)])
                    do throws(VecError) { out.set(i, .success(try search(row, k: k, ef: ef, filter: filter))) }
                    catch { out.set(i, .failure(error)) }
                }
            }
        }
        return try out.collect()
    }

    /// Greedy descent through the upper levels, then a beam search of width `ef` on level 0.
    func graphSearch<K: DistanceKernel>(_ kernel: K.Type, _ ctx: SearchContext, _ entry: (slot: UInt32, level: Int),
                                        k: Int, ef: Int, allow: Bitset?) -> [SearchHit] {
        ctx.begin(slots: capacity)
        let q = UnsafePointer(ctx.query)
        var cur = entry.slot
        var curDist = K.distance(q, vectors.pointer(Int(cur)), vectors.stride)
        if entry.level > 0 {
            for level in stride(from: entry.level, to: 0, by: -1) {
                (cur, curDist) = greedy(K.self, q, from: cur, distance: curDist, level: level)
            }
        }
        beamSearch(K.self, ctx, q, entry: cur, entryDistance: curDist, level: 0, ef: ef, allow: allow, returnAll: false)
        return bestHits(ctx, k: k)
    }

    /// The best `k` of the beam in `ctx.results`, ordered by distance then external id. Packed keys sort by
    /// distance then slot with plain integer comparisons; only the hits tied with the k-th at the cut, and runs
    /// of equal distance, need the external-id order fixed afterwards.
    func bestHits(_ ctx: SearchContext, k: Int) -> [SearchHit] {
        var keys = ctx.results.keys
        keys.sort()
        var cut = min(k, keys.count)
        if cut > 0 {
            let last = PackedDistance.distance(keys[cut - 1])
            while cut < keys.count && PackedDistance.distance(keys[cut]) == last { cut += 1 }
        }
        var hits: [SearchHit] = []
        hits.reserveCapacity(cut)
        var tied = false
        for i in 0..<cut {
            let key = keys[i]
            let d = PackedDistance.distance(key)
            if let prev = hits.last, prev.distance == d { tied = true }
            hits.append(SearchHit(id: externalIDs[Int(PackedDistance.slot(key))], distance: d))
        }
        if tied { hits.sort(by: SearchHit.precedes) }
        if hits.count > k { hits.removeLast(hits.count - k) }
        return hits
    }

    /// Moves from `start` to the closest neighbour on `level` until no neighbour is closer.
    @inline(__always)
    func greedy<K: DistanceKernel>(_: K.Type, _ q: UnsafePointer<Float>, from start: UInt32, distance: Float,
                                   level: Int) -> (UInt32, Float) {
        var cur = start, curDist = distance
        let cap = UInt32(capacity)
        let stride = vectors.stride
        let maxLinks = UInt32(parameters.connectivity)
        var changed = true
        while changed {
            changed = false
            let list = links(cur, level)
            let n = Int(min(vec_load_acquire_u32(list), maxLinks))
            // Neighbours four at a time (one pass over the query per four vectors), as on level 0.
            var i = 1
            while i &+ 3 <= n {
                let c0 = list[i], c1 = list[i &+ 1], c2 = list[i &+ 2], c3 = list[i &+ 3]
                i &+= 4
                guard c0 < cap, c1 < cap, c2 < cap, c3 < cap else {
                    for c in [c0, c1, c2, c3] where c < cap {
                        let d = K.distance(q, vectors.pointer(Int(c)), stride)
                        if d < curDist { curDist = d; cur = c; changed = true }
                    }
                    continue
                }
                let d = K.distance4(q, vectors.pointer(Int(c0)), vectors.pointer(Int(c1)),
                                    vectors.pointer(Int(c2)), vectors.pointer(Int(c3)), stride)
                if d[0] < curDist { curDist = d[0]; cur = c0; changed = true }
                if d[1] < curDist { curDist = d[1]; cur = c1; changed = true }
                if d[2] < curDist { curDist = d[2]; cur = c2; changed = true }
                if d[3] < curDist { curDist = d[3]; cur = c3; changed = true }
            }
            while i <= n {
                let c = list[i]
                i &+= 1
                if c >= cap { continue }
                let d = K.distance(q, vectors.pointer(Int(c)), stride)
                if d < curDist { curDist = d; cur = c; changed = true }
            }
        }
        return (cur, curDist)
    }

    /// The beam search of the paper's SEARCH-LAYER on one level, leaving the best `ef` returnable nodes in
    /// `ctx.results` (a max-heap of packed keys).
    ///
    /// - Parameter returnAll: true while inserting: every node counts, tombstones and filters ignored.
    @inline(__always)
    func beamSearch<K: DistanceKernel>(_: K.Type, _ ctx: SearchContext, _ q: UnsafePointer<Float>, entry: UInt32,
                                       entryDistance: Float, level: Int, ef: Int, allow: Bitset?, returnAll: Bool) {
        let cap = UInt32(capacity)
        let stride = vectors.stride
        let maxLinks = UInt32(level == 0 ? parameters.connectivityLevel0 : parameters.connectivity)
        let filtered = !returnAll && (allow != nil || deletedCountSnapshot() > 0)
        let prefetchLines = min(4, (stride * 4 + 63) / 64)

        @inline(__always) func returnable(_ s: UInt32) -> Bool {
            if returnAll { return true }
            if tombstones[Int(s)] != 0 { return false }
            if let allow { return Int(s) < allow.count && allow.contains(Int(s)) }
            return true
        }

        _ = ctx.visit(entry)
        var lowerBound: Float = .infinity
        if returnable(entry) {
            ctx.results.push(PackedDistance.pack(entryDistance, entry))
            lowerBound = entryDistance
        }
        ctx.candidates.push(PackedDistance.pack(entryDistance, entry))
        let pending = ctx.pending

        while !ctx.candidates.isEmpty {
            let best = ctx.candidates.top
            let bestDist = PackedDistance.distance(best)
            if bestDist > lowerBound && (ctx.results.count >= ef || !filtered) { break }
            ctx.candidates.pop()
            // The next node to expand is likely the new top: start loading its link list now.
            if !ctx.candidates.isEmpty {
                Kernels.prefetch(UnsafeRawPointer(links(PackedDistance.slot(ctx.candidates.top), level)), lines: 1)
            }
            let node = PackedDistance.slot(best)
            let list = links(node, level)
            let n = min(vec_load_acquire_u32(list), maxLinks)
            // Collect unvisited neighbours and prefetch their vectors before computing any distance.
            var m = 0
            var i = 1
            while i <= Int(n) {
                let cand = list[i]
                i &+= 1
                if cand >= cap || ctx.visit(cand) { continue }
                pending[m] = cand
                m &+= 1
                Kernels.prefetch(UnsafeRawPointer(vectors.pointer(Int(cand))), lines: prefetchLines)
            }

            @inline(__always) func consider(_ s: UInt32, _ d: Float) {
                if ctx.results.count < ef || d < lowerBound {
                    ctx.candidates.push(PackedDistance.pack(d, s))
                    if returnable(s) {
                        ctx.results.push(PackedDistance.pack(d, s))
                        if ctx.results.count > ef { ctx.results.pop() }
                        lowerBound = PackedDistance.distance(ctx.results.top)
                    }
                }
            }

            var j = 0
            while j &+ 4 <= m {
                let s0 = pending[j], s1 = pending[j &+ 1], s2 = pending[j &+ 2], s3 = pending[j &+ 3]
                let d = K.distance4(q, vectors.pointer(Int(s0)), vectors.pointer(Int(s1)),
                                    vectors.pointer(Int(s2)), vectors.pointer(Int(s3)), stride)
                consider(s0, d[0])
                consider(s1, d[1])
                consider(s2, d[2])
                consider(s3, d[3])
                j &+= 4
            }
            while j < m {
                let s = pending[j]
                consider(s, K.distance(q, vectors.pointer(Int(s)), stride))
                j &+= 1
            }
        }
    }

    /// Exact top-`k` over the allowed, live slots (the low-selectivity path of filtered search).
    func exactScan(_ q: UnsafePointer<Float>, k: Int, allow: Bitset) -> [SearchHit] {
        var top = TopKCollector(k: k)
        let limit = min(allow.count, capacity)
        let stride = vectors.stride
        let l2 = metric == .l2
        allow.forEachSet { s in
            guard s < limit, tombstones[s] == 0 else { return }
            let p = vectors.pointer(s)
            let d = l2 ? SquaredL2.distance(q, p, stride) : InnerProductDistance.distance(q, p, stride)
            if d <= top.threshold { top.offer(id: externalIDs[s], distance: d) }
        }
        return top.sorted()
    }

    func deletedCountSnapshot() -> Int {
        tableLock.lock()
        defer { tableLock.unlock() }
        return deletedCount
    }
}

/// Results of a batch search, one slot per query, each written by exactly one worker.
final class BatchResults: @unchecked Sendable {
    private var slots: [Result<[SearchHit], VecError>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<[SearchHit], VecError>) { slots.withUnsafeMutableBufferPointer { $0[i] = r } }
    func collect() throws(VecError) -> [[SearchHit]] {
        var out: [[SearchHit]] = []
        out.reserveCapacity(slots.count)
        for case let r? in slots { out.append(try r.get()) }
        return out
    }
}
