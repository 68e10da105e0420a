import Glibc
import VecCore

extension IVFIndex {
    /// The `k` nearest live vectors to `query` among the `nprobe` lists whose centroids are closest to it,
    /// closest first (ties by id).
    ///
    /// With a filter or deletes, when the probed lists hold fewer than `k` returnable vectors the search goes
    /// on to the next-closest lists until it has `k` or has scanned them all, so a selective filter still
    /// gets its `k` results. `nprobe ≥ listCount` scans every list: an exact search.
    /// - Parameters:
    ///   - k: results wanted, 1...`VectorLimits.maxK`.
    ///   - nprobe: lists to scan, 1...65,536 (values above `listCount` scan all).
    ///   - filter: allow-list over slots; slots past its end count as disallowed.
    /// - Throws: `VecError.invalidK`, `.invalidParameter` (nprobe), `.dimensionMismatch`,
    ///   `.nonFiniteComponent`, `.zeroVector`, `.emptyIndex`.
    public func search(_ query: [Float], k: Int, nprobe: Int, filter: Bitset? = nil) throws(VecError) -> [SearchHit] {
        try query.withUnsafeBufferPointer { (q) throws(VecError) in try search(q, k: k, nprobe: nprobe, filter: filter) }
    }

    /// `search(_:k:nprobe:filter:)` over a buffer of `dimension` floats.
    public func search(_ query: UnsafeBufferPointer<Float>, k: Int, nprobe: Int, filter: Bitset? = nil) throws(VecError) -> [SearchHit] {
        guard k >= 1, k <= VectorLimits.maxK else { throw .invalidK(k) }
        guard IVFParameters.nlistRange.contains(nprobe) else {
            throw .invalidParameter("nprobe must be in 1...65536, got \(nprobe)")
        }
        let q = UnsafeMutablePointer<Float>.allocate(capacity: stride)
        defer { q.deallocate() }
        try VectorPreparation.prepare(query, dimension: dimension, stride: stride, metric: metric, into: q)
        let sq = quantizer.map { SQ8Query(quantizer: $0, metric: metric) }
        if let sq, let quantizer { sq.prepare(q, quantizer: quantizer) }
        return try reading { () throws(VecError) -> [SearchHit] in
            guard !slotOfID.isEmpty else { throw .emptyIndex }
            if let filter, filter.popcount == 0 { return [] }
            let restricted = filter != nil || deletedCount > 0
            let first = probeOrder(q, nprobe: min(nprobe, listCount))
            var top = TopKCollector(k: k)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: IVFIndex.scanBlock)
            defer { scratch.deallocate() }
            externalIDs.withUnsafeBufferPointer { ids in
                tombstones.withUnsafeBufferPointer { dead in
                    for list in first {
                        scan(lists[list], q, sq, filter, restricted, scratch, ids.baseAddress!, dead.baseAddress!, &top)
                    }
                    // Too few returnable vectors in the probed lists: go on, closest lists first (the full order
                    // starts with the same lists, ties broken by list number in both).
                    guard restricted, top.count < k, first.count < listCount else { return }
                    for list in probeOrder(q, nprobe: listCount).dropFirst(first.count) {
                        scan(lists[list], q, sq, filter, restricted, scratch, ids.baseAddress!, dead.baseAddress!, &top)
                        if top.count >= k { break }
                    }
                }
            }
            return top.sorted()
        }
    }

    /// Searches many queries (`rows × dimension` floats, row-major) on the workers of `pool`.
    /// - Returns: one result list per query, in query order.
    public func search(batch queries: [Float], k: Int, nprobe: Int, filter: Bitset? = nil,
                       pool: WorkerPool) throws(VecError) -> [[SearchHit]] {
        guard queries.count % dimension == 0 else {
            throw .dimensionMismatch(expected: dimension, got: queries.count % dimension)
        }
        let n = queries.count / dimension
        let out = ResultSlots(count: n)
        queries.withUnsafeBufferPointer { qb in
            pool.parallelFor(n, chunk: 8) { range, _ in
                for i in range {
                    let row = UnsafeBufferPointer(rebasing: qb[(i * dimension)..<((i + 1) * dimension)])
                    do throws(VecError) { out.set(i, .success(try search(row, k: k, nprobe: nprobe, filter: filter))) }
                    catch { out.set(i, .failure(error)) }
                }
            }
        }
        return try out.collect()
    }

    /// The `count` lists whose centroids are closest to `q`, closest first.
    func probeOrder(_ q: UnsafePointer<Float>, nprobe count: Int) -> [Int] {
        let k = listCount
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: k)
        defer { scores.deallocate() }
        let l2 = metric == .l2
        var j = 0
        while j + 4 <= k {
            let d = Kernels.dot4(q, centroids + j * stride, centroids + (j + 1) * stride, centroids + (j + 2) * stride,
                                 centroids + (j + 3) * stride, stride)
            let s = l2 ? SIMD4<Float>(centroidNorms[j], centroidNorms[j + 1], centroidNorms[j + 2], centroidNorms[j + 3]) - 2 * d : -d
            scores[j] = s[0]; scores[j + 1] = s[1]; scores[j + 2] = s[2]; scores[j + 3] = s[3]
            j += 4
        }
        while j < k {
            let d = Kernels.dot(q, centroids + j * stride, stride)
            scores[j] = l2 ? centroidNorms[j] - 2 * d : -d
            j += 1
        }
        if count >= k {
            return (0..<k).sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        }
        var top = TopKCollector(k: count)
        for j in 0..<k where scores[j] <= top.threshold { top.offer(id: Int64(j), distance: scores[j]) }
        return top.sorted().map { Int($0.id) }
    }

    /// Offers every returnable entry of `list` to `top`: distances are computed a block at a time into
    /// `scratch` (`scanBlock` floats) by the kernels, then offered — two tight loops, no closure per vector.
    @inline(__always)
    func scan(_ list: InvertedList, _ q: UnsafePointer<Float>, _ sq: SQ8Query?, _ allow: Bitset?, _ restricted: Bool,
              _ scratch: UnsafeMutablePointer<Float>, _ ids: UnsafePointer<Int64>, _ dead: UnsafePointer<UInt8>,
              _ top: inout TopKCollector) {
        let n = list.count
        var start = 0
        while start < n {
            let m = min(IVFIndex.scanBlock, n - start)
            if let sq {
                sq8Distances(list, sq, start, m, scratch)
            } else if metric == .l2 {
                floatDistances(SquaredL2.self, list, q, start, m, scratch)
            } else {
                floatDistances(InnerProductDistance.self, list, q, start, m, scratch)
            }
            let slots = list.slots + start
            var threshold = top.threshold
            for i in 0..<m {
                let d = scratch[i]
                guard d <= threshold else { continue }
                let s = Int(slots[i])
                if restricted {
                    if dead[s] != 0 { continue }
                    if let allow, !(s < allow.count && allow.contains(s)) { continue }
                }
                top.offer(id: ids[s], distance: d)
                threshold = top.threshold
            }
            start += m
        }
    }

    /// Entries per distance block of `scan`.
    static let scanBlock = 256

    @inline(__always)
    func floatDistances<K: DistanceKernel>(_: K.Type, _ list: InvertedList, _ q: UnsafePointer<Float>, _ start: Int,
                                           _ m: Int, _ out: UnsafeMutablePointer<Float>) {
        let base = list.entry(start).assumingMemoryBound(to: Float.self)
        let st = stride
        let end = UnsafeRawPointer(base + m &* st)
        let lines = st / 16  // cache lines per vector
        var i = 0
        while i &+ 4 <= m {
            let p = base + i &* st
            // Prefetch the group after next: the hardware prefetcher stops at 4 KiB page boundaries.
            var ahead = UnsafeRawPointer(p + 8 &* st)
            let stop = min(end, ahead + 4 &* lines &* 64)
            while ahead < stop { Kernels.prefetch(ahead); ahead += 64 }
            let d = K.distance4(q, p, p + st, p + 2 &* st, p + 3 &* st, st)
            out[i] = d[0]; out[i &+ 1] = d[1]; out[i &+ 2] = d[2]; out[i &+ 3] = d[3]
            i &+= 4
        }
        while i < m {
            out[i] = K.distance(q, base + i &* st, st)
            i &+= 1
        }
    }

    @inline(__always)
    func sq8Distances(_ list: InvertedList, _ sq: SQ8Query, _ start: Int, _ m: Int, _ out: UnsafeMutablePointer<Float>) {
        let base = list.entry(start).assumingMemoryBound(to: UInt8.self)
        let cs = list.entryBytes
        let norms = list.norms.map { $0 + start }
        var i = 0
        while i &+ 4 <= m {
            let p = base + i &* cs
            let nv = norms.map { SIMD4<Float>($0[i], $0[i &+ 1], $0[i &+ 2], $0[i &+ 3]) } ?? SIMD4<Float>()
            let d = sq.distance4(p, p + cs, p + 2 &* cs, p + 3 &* cs, norms: nv)
            out[i] = d[0]; out[i &+ 1] = d[1]; out[i &+ 2] = d[2]; out[i &+ 3] = d[3]
            i &+= 4
        }
        while i < m {
            out[i] = sq.distance(base + i &* cs, codeNorm: norms?[i] ?? 0)
            i &+= 1
        }
    }
}

/// Results of a batch search, one slot per query, each written by exactly one worker.
final class ResultSlots: @unchecked Sendable {
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
