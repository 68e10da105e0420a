import CVecSupport
import Glibc
import VecCore

extension HNSWIndex {
    /// Adds one vector under external id `id`.
    /// - Throws: `VecError.duplicateID`, `.dimensionMismatch`, `.nonFiniteComponent`, `.zeroVector`.
    /// Safe to call concurrently with searches and other inserts.
    public func add(id: Int64, vector: [Float]) throws(VecError) {
        try vector.withUnsafeBufferPointer { (v) throws(VecError) in try add(id: id, vector: v) }
    }

    /// Adds one vector from a buffer of `dimension` floats.
    public func add(id: Int64, vector: UnsafeBufferPointer<Float>) throws(VecError) {
        let prepared = UnsafeMutablePointer<Float>.allocate(capacity: vectors.stride)
        defer { prepared.deallocate() }
        try VectorPreparation.prepare(vector, dimension: dimension, stride: vectors.stride, metric: metric, into: prepared)
        let slot = try reserveSlot(for: id)
        let ctx = contextPool.take(capacity: capacity, stride: vectors.stride, maxLinks: parameters.connectivityLevel0)
        defer { contextPool.give(ctx) }
        insert(slot: slot, id: id, prepared: prepared, ctx: ctx)
    }

    /// Adds `ids.count` vectors given as one row-major buffer of `ids.count × dimension` floats, inserting in
    /// parallel on `pool` (or on the calling thread). All rows are validated before any is inserted, so a bad
    /// row leaves the index unchanged.
    /// - Throws: `VecError.duplicateID` (within the batch or with the index), `.dimensionMismatch` (buffer size
    ///   not `ids.count × dimension`), `.nonFiniteComponent`, `.zeroVector`.
    public func add(ids: [Int64], vectors rows: UnsafeBufferPointer<Float>, pool: WorkerPool? = nil) throws(VecError) {
        guard rows.count == ids.count * dimension else {
            throw .dimensionMismatch(expected: dimension, got: ids.isEmpty ? rows.count : rows.count / ids.count)
        }
        if ids.isEmpty { return }
        let stride = vectors.stride
        let prepared = UnsafeMutablePointer<Float>.allocate(capacity: ids.count * stride)
        defer { prepared.deallocate() }
        for r in 0..<ids.count {
            let row = UnsafeBufferPointer(rebasing: rows[(r * dimension)..<((r + 1) * dimension)])
            try VectorPreparation.prepare(row, dimension: dimension, stride: stride, metric: metric, into: prepared + r * stride)
        }
        var seen = Set<Int64>(minimumCapacity: ids.count)
        for id in ids where !seen.insert(id).inserted { throw .duplicateID(id) }
        // Reserve every slot up front (all or nothing), growing first when the batch does not fit.
        let start: Int
        while true {
            tableLock.lock()
            for id in ids where slotOfID[id] != nil {
                tableLock.unlock()
                throw .duplicateID(id)
            }
            let end = reservedSlots + ids.count
            if end <= slotCapacity.load(ordering: .acquiring) {
                start = reservedSlots
                reservedSlots = end
                for (i, id) in ids.enumerated() { slotOfID[id] = UInt32(start + i) }
                vectors.markFilled(upTo: end)
                tableLock.unlock()
                break
            }
            tableLock.unlock()
            grow(to: end)
        }

        let insertRange: (Range<Int>) -> Void = { range in
            let ctx = self.contextPool.take(capacity: self.capacity, stride: stride, maxLinks: self.parameters.connectivityLevel0)
            for r in range {
                self.insert(slot: UInt32(start + r), id: ids[r], prepared: prepared + r * stride, ctx: ctx)
            }
            self.contextPool.give(ctx)
        }
        // The first node of an empty graph becomes the entry point; insert it alone.
        var from = 0
        if loadEntry() == nil {
            insertRange(0..<1)
            from = 1
        }
        if let pool, pool.threadCount > 1 {
            pool.parallelFor(ids.count - from, chunk: 32) { range, _ in
                insertRange((range.lowerBound + from)..<(range.upperBound + from))
            }
        } else {
            insertRange(from..<ids.count)
        }
    }

    /// Marks `id` deleted: it stays in the graph for navigation but is never returned again, and the id may
    /// be added again later (as a new node).
    /// - Throws: `VecError.unknownID`.
    public func remove(id: Int64) throws(VecError) {
        pthread_rwlock_rdlock(growthLock)
        defer { pthread_rwlock_unlock(growthLock) }
        tableLock.lock()
        defer { tableLock.unlock() }
        guard let slot = slotOfID.removeValue(forKey: id) else { throw .unknownID(id) }
        tombstones[Int(slot)] = 1
        deletedCount += 1
    }

    /// Takes the next slot for `id`, growing the buffers when full.
    func reserveSlot(for id: Int64) throws(VecError) -> UInt32 {
        while true {
            tableLock.lock()
            if slotOfID[id] != nil {
                tableLock.unlock()
                throw .duplicateID(id)
            }
            let slot = reservedSlots
            if slot < slotCapacity.load(ordering: .acquiring) {
                reservedSlots += 1
                slotOfID[id] = UInt32(slot)
                vectors.markFilled(upTo: reservedSlots)
                tableLock.unlock()
                return UInt32(slot)
            }
            tableLock.unlock()
            grow(to: slot + 1)
        }
    }

    /// Writes the node's data and links it into the graph (the paper's INSERT, with hnswlib's neighbour
    /// selection heuristic).
    func insert(slot: UInt32, id: Int64, prepared: UnsafePointer<Float>, ctx: SearchContext) {
        pthread_rwlock_rdlock(growthLock)
        defer { pthread_rwlock_unlock(growthLock) }
        let s = Int(slot)
        let level = drawLevel(slot: s)
        vectors.pointer(s).update(from: prepared, count: vectors.stride)
        externalIDs[s] = id
        tombstones[s] = 0
        levels[s] = UInt8(level)
        (level0 + s * level0Stride).pointee = 0
        if level > 0 {
            let words = level * (1 + parameters.connectivity)
            let p = UnsafeMutablePointer<UInt32>.allocate(capacity: words)
            p.initialize(repeating: 0, count: words)
            upperLinks[s] = p
        } else {
            upperLinks[s] = nil
        }
        switch metric {
        case .l2: link(SquaredL2.self, slot, level: level, ctx: ctx)
        case .ip, .cosine: link(InnerProductDistance.self, slot, level: level, ctx: ctx)
        }
    }

    func link<K: DistanceKernel>(_: K.Type, _ slot: UInt32, level: Int, ctx: SearchContext) {
        // A node that raises the top level holds the entry lock for its whole insert (as hnswlib does), so
        // two such nodes do not race to become the entry point.
        entryLock.lock()
        var holdsEntryLock = true
        guard let entry = loadEntry() else {
            storeEntry(slot: slot, level: level)
            entryLock.unlock()
            return
        }
        if level <= entry.level {
            entryLock.unlock()
            holdsEntryLock = false
        }
        let q = UnsafePointer(vectors.pointer(Int(slot)))
        var cur = entry.slot
        var curDist = K.distance(q, vectors.pointer(Int(cur)), vectors.stride)
        if level < entry.level {
            for l in stride(from: entry.level, to: level, by: -1) {
                (cur, curDist) = greedy(K.self, q, from: cur, distance: curDist, level: l)
            }
        }
        for l in stride(from: min(level, entry.level), through: 0, by: -1) {
            ctx.begin(slots: capacity)
            beamSearch(K.self, ctx, q, entry: cur, entryDistance: curDist, level: l,
                       ef: parameters.efConstruction, allow: nil, returnAll: true)
            // Candidates closest first, the new node itself excluded.
            ctx.scratchKeys.removeAll(keepingCapacity: true)
            for key in ctx.results.keys where PackedDistance.slot(key) != slot { ctx.scratchKeys.append(key) }
            ctx.scratchKeys.sort()
            selectNeighbours(K.self, ctx, count: parameters.connectivity)
            if let closest = ctx.scratchSlots.first {
                cur = closest
                curDist = K.distance(q, vectors.pointer(Int(cur)), vectors.stride)
            }
            connect(K.self, slot, level: l, ctx: ctx)
        }
        if holdsEntryLock {
            storeEntry(slot: slot, level: level)
            entryLock.unlock()
        }
    }

    /// hnswlib's neighbour heuristic (the paper's Algorithm 4 without extension): walk `ctx.scratchKeys`
    /// (packed distance-to-base keys, closest first) and keep a candidate only if it is closer to the base
    /// than to every candidate already kept, up to `count`. Writes the kept slots to `ctx.scratchSlots`.
    func selectNeighbours<K: DistanceKernel>(_: K.Type, _ ctx: SearchContext, count: Int) {
        ctx.scratchSlots.removeAll(keepingCapacity: true)
        if ctx.scratchKeys.count <= count {
            for key in ctx.scratchKeys { ctx.scratchSlots.append(PackedDistance.slot(key)) }
            return
        }
        let stride = vectors.stride
        for key in ctx.scratchKeys {
            if ctx.scratchSlots.count >= count { break }
            let c = PackedDistance.slot(key)
            let dq = PackedDistance.distance(key)
            let pc = vectors.pointer(Int(c))
            var good = true
            for s in ctx.scratchSlots where K.distance(pc, vectors.pointer(Int(s)), stride) < dq {
                good = false
                break
            }
            if good { ctx.scratchSlots.append(c) }
        }
    }

    /// Links `slot` to the neighbours in `ctx.scratchSlots` on `level`, and each neighbour back to it —
    /// re-selecting the neighbour's links with the heuristic when its list is full.
    func connect<K: DistanceKernel>(_: K.Type, _ slot: UInt32, level: Int, ctx: SearchContext) {
        let maxLinks = level == 0 ? parameters.connectivityLevel0 : parameters.connectivity
        let stride = vectors.stride
        let chosen = ctx.scratchSlots
        lockNode(slot)
        let own = links(slot, level)
        for (i, n) in chosen.enumerated() { own[i + 1] = n }
        vec_store_release_u32(own, UInt32(chosen.count))
        unlockNode(slot)

        for n in chosen {
            lockNode(n)
            let list = links(n, level)
            let have = Int(list.pointee)
            var already = false
            for i in 0..<have where list[i + 1] == slot { already = true }
            if !already {
                if have < maxLinks {
                    list[have + 1] = slot
                    vec_store_release_u32(list, UInt32(have + 1))
                } else {
                    // Re-select among the current links plus the new node, by distance to `n`.
                    let pn = vectors.pointer(Int(n))
                    ctx.scratchKeys.removeAll(keepingCapacity: true)
                    ctx.scratchKeys.append(PackedDistance.pack(K.distance(pn, vectors.pointer(Int(slot)), stride), slot))
                    for i in 0..<have {
                        let m = list[i + 1]
                        ctx.scratchKeys.append(PackedDistance.pack(K.distance(pn, vectors.pointer(Int(m)), stride), m))
                    }
                    ctx.scratchKeys.sort()
                    selectNeighbours(K.self, ctx, count: maxLinks)
                    for (i, m) in ctx.scratchSlots.enumerated() { list[i + 1] = m }
                    vec_store_release_u32(list, UInt32(ctx.scratchSlots.count))
                }
            }
            unlockNode(n)
        }
        ctx.scratchSlots = chosen
    }
}
