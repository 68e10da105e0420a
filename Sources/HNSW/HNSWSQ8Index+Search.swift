import CVecSupport
import VecCore

extension HNSWSQ8Index {
    /// The `k` approximate nearest live neighbours of `query`, closest first (ties by id).
    ///
    /// The graph is walked on code distances with beam width `ef`; then the best `rerank` candidates of the
    /// beam (default and at most `ef`, at least `k`) are re-ranked on the `refine` vectors, when present, and
    /// the best `k` returned with exact distances.
    /// - Parameters:
    ///   - filter: allow-list over slots; small allow-lists are scanned exactly (on codes, then re-ranked),
    ///     with the rule of `HNSWIndex.prefersExactScan`.
    /// - Throws: `VecError.invalidK`, `.efBelowK`, `.invalidParameter`, `.dimensionMismatch`,
    ///   `.nonFiniteComponent`, `.zeroVector`, `.emptyIndex`.
    public func search(_ query: [Float], k: Int, ef: Int, rerank: Int? = nil, filter: Bitset? = nil) throws(VecError) -> [SearchHit] {
        try query.withUnsafeBufferPointer { (q) throws(VecError) in try search(q, k: k, ef: ef, rerank: rerank, filter: filter) }
    }

    /// `search(_:k:ef:rerank:filter:)` over a buffer of `dimension` floats.
    public func search(_ query: UnsafeBufferPointer<Float>, k: Int, ef: Int, rerank: Int? = nil,
                       filter: Bitset? = nil) throws(VecError) -> [SearchHit] {
        guard k >= 1, k <= VectorLimits.maxK else { throw .invalidK(k) }
        guard ef >= k else { throw .efBelowK(ef: ef, k: k) }
        guard ef <= HNSWIndex.maxEf else { throw .invalidParameter("ef must be at most \(HNSWIndex.maxEf), got \(ef)") }
        let depth = min(ef, max(k, rerank ?? ef))
        let ctx = takeContext()
        defer { giveContext(ctx) }
        let (sc, sq) = ctx
        try VectorPreparation.prepare(query, dimension: dimension, stride: quantizer.codeStride, metric: metric, into: sc.query)
        sq.prepare(sc.query, quantizer: quantizer)
        tableLock.lock()
        let live = slotOfID.count
        let deleted = deletedCount
        tableLock.unlock()
        guard live > 0 else { throw .emptyIndex }

        var keys: [UInt64]
        if let filter {
            let allowed = filter.popcount
            if allowed == 0 { return [] }
            let a = Double(allowed)
            if a * a < Double(ef) * Double(parameters.connectivityLevel0) * Double(live) {
                keys = exactScan(sq, depth: depth, allow: filter)
                return finish(keys, sc.query, k: k, depth: depth)
            }
        }
        sc.begin(slots: slotCount)
        var cur = entrySlot
        var curDist = sq.distance(code(cur), codeNorm: norm(cur))
        if entryLevel > 0 {
            for level in stride(from: entryLevel, to: 0, by: -1) {
                (cur, curDist) = greedy(sq, from: cur, distance: curDist, level: level)
            }
        }
        beamSearch(sc, sq, entry: cur, entryDistance: curDist, ef: ef, allow: filter, filtered: filter != nil || deleted > 0)
        keys = Array(sc.results.keys)
        keys.sort()
        return finish(keys, sc.query, k: k, depth: depth)
    }

    @inline(__always) func code(_ s: UInt32) -> UnsafePointer<UInt8> { UnsafePointer(codes + Int(s) &* quantizer.codeStride) }
    @inline(__always) func norm(_ s: UInt32) -> Float { norms?[Int(s)] ?? 0 }

    /// Re-ranks the first `depth` packed keys (sorted by code distance) on the refine vectors and returns the
    /// best `k`; without refine vectors, the first `k` by code distance.
    func finish(_ keys: [UInt64], _ q: UnsafePointer<Float>, k: Int, depth: Int) -> [SearchHit] {
        let take = min(depth, keys.count)
        var top = TopKCollector(k: k)
        let d = dimension
        if let refine {
            refine.values.withUnsafeBufferPointer { v in
                for i in 0..<take {
                    let s = Int(PackedDistance.slot(keys[i]))
                    let id = externalIDs[s]
                    guard id >= 0, id < Int64(refine.rows) else {
                        top.offer(id: id, distance: PackedDistance.distance(keys[i]))
                        continue
                    }
                    let x = v.baseAddress! + Int(id) * d
                    let dist: Float
                    switch metric {
                    case .l2: dist = Kernels.squaredL2(q, x, d)
                    case .ip: dist = 1 - Kernels.dot(q, x, d)
                    case .cosine:
                        let n2 = Kernels.dot(x, x, d)
                        dist = n2 > 0 ? 1 - Kernels.dot(q, x, d) / n2.squareRoot() : 1
                    }
                    top.offer(id: id, distance: dist)
                }
            }
        } else {
            for i in 0..<take { top.offer(id: externalIDs[Int(PackedDistance.slot(keys[i]))], distance: PackedDistance.distance(keys[i])) }
        }
        return top.sorted()
    }

    /// Moves from `start` to the closest neighbour on `level` until no neighbour is closer.
    func greedy(_ sq: SQ8Query, from start: UInt32, distance: Float, level: Int) -> (UInt32, Float) {
        var cur = start, curDist = distance
        let n = UInt32(slotCount)
        var changed = true
        while changed {
            changed = false
            let list = links(cur, level)
            let m = Int(min(list[0], UInt32(parameters.connectivity)))
            for i in 1..<(m + 1) {
                let c = list[i]
                if c >= n { continue }
                let d = sq.distance(code(c), codeNorm: norm(c))
                if d < curDist { curDist = d; cur = c; changed = true }
            }
        }
        return (cur, curDist)
    }

    /// The level-0 beam search of `HNSWIndex.beamSearch` on code distances: the best `ef` returnable nodes end
    /// in `ctx.results`.
    func beamSearch(_ ctx: SearchContext, _ sq: SQ8Query, entry: UInt32, entryDistance: Float, ef: Int,
                    allow: Bitset?, filtered: Bool) {
        let n = UInt32(slotCount)
        let maxLinks = UInt32(parameters.connectivityLevel0)
        let cs = quantizer.codeStride
        let prefetchLines = min(8, (cs + 63) / 64)
        @inline(__always) func returnable(_ s: UInt32) -> Bool {
            if !filtered { return true }
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
            if PackedDistance.distance(best) > lowerBound && (ctx.results.count >= ef || !filtered) { break }
            ctx.candidates.pop()
            if !ctx.candidates.isEmpty {
                Kernels.prefetch(UnsafeRawPointer(links(PackedDistance.slot(ctx.candidates.top), 0)), lines: 1)
            }
            let list = links(PackedDistance.slot(best), 0)
            let count = min(list[0], maxLinks)
            var m = 0
            var i = 1
            while i <= Int(count) {
                let c = list[i]
                i &+= 1
                if c >= n || ctx.visit(c) { continue }
                pending[m] = c
                m &+= 1
                Kernels.prefetch(UnsafeRawPointer(code(c)), lines: prefetchLines)
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
                let d = sq.distance4(code(s0), code(s1), code(s2), code(s3),
                                     norms: SIMD4<Float>(norm(s0), norm(s1), norm(s2), norm(s3)))
                consider(s0, d[0]); consider(s1, d[1]); consider(s2, d[2]); consider(s3, d[3])
                j &+= 4
            }
            while j < m {
                let s = pending[j]
                consider(s, sq.distance(code(s), codeNorm: norm(s)))
                j &+= 1
            }
        }
    }

    /// The best `depth` allowed live slots by code distance (packed keys, sorted): the small-allow-list path.
    func exactScan(_ sq: SQ8Query, depth: Int, allow: Bitset) -> [UInt64] {
        var top = TopKCollector(k: depth)
        let limit = min(allow.count, slotCount)
        allow.forEachSet { s in
            guard s < limit, tombstones[s] == 0 else { return }
            let d = sq.distance(code(UInt32(s)), codeNorm: norm(UInt32(s)))
            if d <= top.threshold { top.offer(id: Int64(s), distance: d) }
        }
        return top.sorted().map { PackedDistance.pack($0.distance, UInt32($0.id)) }
    }
}
