/// Exact (brute-force) nearest-neighbour search over every stored vector.
///
/// Used for small segments, as the fallback of filtered HNSW searches at low selectivity, and as the oracle
/// that tests and benchmarks compare approximate indexes with. Vectors live in a `VectorStore`; slots are
/// assigned in insertion order, and filters are `Bitset`s over slots.
///
/// Thread-safety: any number of concurrent searches, but `add`/`remove` need exclusive access (the shard
/// layer serialises writers and readers of a segment's flat index).
public final class FlatIndex: @unchecked Sendable {
    public let metric: Metric
    public let dimension: Int
    /// The vectors, one slot per insert.
    public let store: VectorStore
    /// External id of each slot.
    public private(set) var ids: [Int64] = []
    private var slotOfID: [Int64: Int32] = [:]
    private var deleted: Bitset

    /// Creates an empty index.
    /// - Throws: `VecError.invalidDimension`.
    public init(dimension: Int, metric: Metric, capacity: Int = 0) throws(VecError) {
        self.metric = metric
        self.dimension = dimension
        self.store = try VectorStore(dimension: dimension, capacity: capacity)
        self.deleted = Bitset(count: 0)
    }

    /// Number of live (not removed) vectors.
    public var count: Int { ids.count - deleted.popcount }
    /// Number of slots, removed ones included: the size filters must have.
    public var slotCount: Int { ids.count }

    /// Adds one vector under external id `id`.
    /// - Throws: `VecError.duplicateID`, `.dimensionMismatch`, `.nonFiniteComponent`, `.zeroVector`.
    public func add(id: Int64, vector: [Float]) throws(VecError) {
        try vector.withUnsafeBufferPointer { (v) throws(VecError) in try add(id: id, vector: v) }
    }

    /// Adds one vector from a buffer of `dimension` floats.
    public func add(id: Int64, vector: UnsafeBufferPointer<Float>) throws(VecError) {
        guard slotOfID[id] == nil else { throw .duplicateID(id) }
        let slot = store.appendZeroed(1)
        do {
            try VectorPreparation.prepare(vector, dimension: dimension, stride: store.stride, metric: metric,
                                          into: store.pointer(slot))
        } catch {
            store.removeLast()
            throw error
        }
        ids.append(id)
        slotOfID[id] = Int32(slot)
        deleted.resize(to: ids.count)
    }

    /// Marks `id` removed: it is never returned again.
    /// - Throws: `VecError.unknownID`.
    public func remove(id: Int64) throws(VecError) {
        guard let slot = slotOfID.removeValue(forKey: id) else { throw .unknownID(id) }
        deleted.insert(Int(slot))
    }

    /// The `k` nearest live vectors to `query`, closest first (ties by id).
    /// - Parameters:
    ///   - filter: when given, only slots set in it are candidates; it must have `slotCount` positions.
    ///   - pool: when given, the scan is split into blocks over its workers.
    /// - Throws: `VecError.invalidK`, `.dimensionMismatch`, `.nonFiniteComponent`, `.zeroVector`,
    ///   `.filterSizeMismatch`, `.emptyIndex`.
    public func search(_ query: [Float], k: Int, filter: Bitset? = nil, pool: WorkerPool? = nil) throws(VecError) -> [SearchHit] {
        guard k >= 1, k <= VectorLimits.maxK else { throw .invalidK(k) }
        if let f = filter, f.count != ids.count { throw .filterSizeMismatch(expected: ids.count, got: f.count) }
        guard count > 0 else { throw .emptyIndex }
        let q = try VectorPreparation.prepared(query, dimension: dimension, stride: store.stride, metric: metric)
        var allow = filter
        if deleted.popcount > 0 {
            if allow == nil { allow = Bitset(count: ids.count, allSet: true) }
            allow!.subtract(deleted)
        }
        return q.withUnsafeBufferPointer { qp in
            let threads = pool?.threadCount ?? 1
            let n = ids.count
            if threads == 1 || n < 4096 {
                var c = TopKCollector(k: k)
                scan(qp.baseAddress!, 0..<n, allow, &c)
                return c.sorted()
            }
            let blocks = threads * 4
            let per = (n + blocks - 1) / blocks
            let partial = PartialResults(count: blocks, k: k)
            pool!.parallelFor(blocks) { range, _ in
                for b in range {
                    var c = TopKCollector(k: k)
                    scan(qp.baseAddress!, (b * per)..<min(n, (b + 1) * per), allow, &c)
                    partial.store(b, c)
                }
            }
            return partial.merged(k: k)
        }
    }

    /// Scans `slots`, offering each allowed one to `collector`.
    func scan(_ q: UnsafePointer<Float>, _ slots: Range<Int>, _ allow: Bitset?, _ collector: inout TopKCollector) {
        switch metric {
        case .l2: scan(SquaredL2.self, q, slots, allow, &collector)
        case .ip, .cosine: scan(InnerProductDistance.self, q, slots, allow, &collector)
        }
    }

    @inline(__always)
    func scan<K: DistanceKernel>(_: K.Type, _ q: UnsafePointer<Float>, _ slots: Range<Int>, _ allow: Bitset?,
                                 _ collector: inout TopKCollector) {
        let dim = store.stride
        if let allow {
            for s in slots where allow.contains(s) {
                let d = K.distance(q, store.pointer(s), dim)
                if d <= collector.threshold { collector.offer(id: ids[s], distance: d) }
            }
            return
        }
        ids.withUnsafeBufferPointer { idp in
            var s = slots.lowerBound
            while s + 4 <= slots.upperBound {
                let d = K.distance4(q, store.pointer(s), store.pointer(s + 1), store.pointer(s + 2),
                                    store.pointer(s + 3), dim)
                let t = collector.threshold
                if d[0] <= t { collector.offer(id: idp[s], distance: d[0]) }
                if d[1] <= t { collector.offer(id: idp[s + 1], distance: d[1]) }
                if d[2] <= t { collector.offer(id: idp[s + 2], distance: d[2]) }
                if d[3] <= t { collector.offer(id: idp[s + 3], distance: d[3]) }
                s += 4
            }
            while s < slots.upperBound {
                let d = K.distance(q, store.pointer(s), dim)
                if d <= collector.threshold { collector.offer(id: idp[s], distance: d) }
                s += 1
            }
        }
    }
}

/// Per-block collectors written by worker threads (each block by exactly one worker), merged afterwards.
final class PartialResults: @unchecked Sendable {
    private var parts: [TopKCollector?]
    init(count: Int, k: Int) { parts = Array(repeating: nil, count: count) }
    func store(_ i: Int, _ c: TopKCollector) { parts.withUnsafeMutableBufferPointer { $0[i] = c } }
    func merged(k: Int) -> [SearchHit] {
        var all = TopKCollector(k: k)
        for case let p? in parts { all.merge(p) }
        return all.sorted()
    }
}
