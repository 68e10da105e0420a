import Glibc
import VecCore

/// An inverted-file index (IVF): k-means splits the space into `nlist` cells; every vector is stored in the
/// list of its nearest centroid; a search ranks the centroids and scans only the `nprobe` closest lists.
///
/// **Storage.** `IVFParameters.Storage.flat` keeps full `Float` vectors (IVF_FLAT); `.sq8` keeps one byte
/// per component (IVF_SQ8) with a per-dimension quantiser trained on the same sample as k-means. Each list is
/// contiguous (`InvertedList`). Vectors are identified by dense `UInt32` slots in insertion order (filters
/// are bitsets over slots) and external `Int64` ids.
///
/// **Deletes** are tombstones: a deleted slot stays in its list and is skipped; its id may be added again.
///
/// **Concurrency.** Searches run concurrently with each other; `add` and `remove` take a reader–writer
/// lock exclusively.
public final class IVFIndex: @unchecked Sendable {
    public let dimension: Int
    public let metric: Metric
    public let parameters: IVFParameters
    /// Floats per stored vector (dimension rounded up to 16) for centroids and IVF_FLAT vectors.
    let stride: Int
    /// Number of centroids (lists): `nlist`, or fewer when trained on fewer vectors.
    public let listCount: Int
    /// `listCount × stride` floats.
    let centroids: UnsafeMutablePointer<Float>
    /// `‖c‖²` per centroid (L2 probing).
    let centroidNorms: UnsafeMutablePointer<Float>
    /// The SQ8 quantiser (IVF_SQ8 only).
    public let quantizer: SQ8Quantizer?
    let lists: [InvertedList]

    // Slot tables, guarded by `lock`.
    var externalIDs: [Int64] = []
    var tombstones: [UInt8] = []
    var listOfSlot: [UInt32] = []
    var slotOfID: [Int64: UInt32] = [:]
    var deletedCount = 0
    let lock: UnsafeMutablePointer<pthread_rwlock_t>

    /// Trains an empty index on `count` vectors (`count × dimension` floats, row-major): k-means on a random
    /// sample of at most `nlist × samplesPerList` of them, and the SQ8 ranges on the same sample. Add the
    /// vectors afterwards with `add(ids:vectors:pool:)`.
    /// - Throws: `VecError.invalidDimension`, `.invalidParameter` (parameters; no training vectors),
    ///   `.dimensionMismatch`, `.nonFiniteComponent`, `.zeroVector` (COSINE).
    public convenience init(dimension: Int, metric: Metric, parameters: IVFParameters, training: UnsafeBufferPointer<Float>,
                pool: WorkerPool? = nil) throws(VecError) {
        try parameters.validate()
        guard dimension >= 1, dimension <= VectorLimits.maxDimension else { throw .invalidDimension(dimension) }
        guard training.count % dimension == 0 else {
            throw .dimensionMismatch(expected: dimension, got: training.count % dimension)
        }
        let n = training.count / dimension
        guard n >= 1 else { throw .invalidParameter("IVF training needs at least one vector") }
        let stride = (dimension + 15) & ~15
        // Sample rows (a partial Fisher–Yates shuffle), then prepare them (validate, normalise, pad).
        let sampleSize = min(n, parameters.nlist * parameters.samplesPerList)
        var rng = SeededGenerator(seed: parameters.seed)
        var rows = Array(0..<n)
        if sampleSize < n {
            for i in 0..<sampleSize { rows.swapAt(i, i + Int(rng.next() % UInt64(n - i))) }
        }
        let sample = UnsafeMutablePointer<Float>.allocate(capacity: sampleSize * stride)
        defer { sample.deallocate() }
        for i in 0..<sampleSize {
            let r = rows[i]
            try VectorPreparation.prepare(UnsafeBufferPointer(rebasing: training[(r * dimension)..<((r + 1) * dimension)]),
                                          dimension: dimension, stride: stride, metric: metric, into: sample + i * stride)
        }
        let km = KMeans(points: sample, n: sampleSize, stride: stride, k: parameters.nlist, metric: metric,
                        iterations: parameters.iterations, seed: rng.next(), pool: pool)
        let q: SQ8Quantizer? = parameters.storage == .sq8
            ? try SQ8Quantizer.train(rows: sample, count: sampleSize, rowStride: stride, dimension: dimension) : nil
        try self.init(dimension: dimension, metric: metric, parameters: parameters, centroids: km.centroids,
                      listCount: km.count, quantizer: q)
    }

    /// An empty index over given centroids (`listCount × stride` floats) — training and loading end here.
    init(dimension: Int, metric: Metric, parameters: IVFParameters, centroids c: [Float], listCount: Int,
         quantizer: SQ8Quantizer?) throws(VecError) {
        self.dimension = dimension
        self.metric = metric
        self.parameters = parameters
        self.stride = (dimension + 15) & ~15
        self.listCount = listCount
        precondition(c.count == listCount * stride, "centroid buffer size")
        centroids = LargeAllocation.allocate(Float.self, count: max(1, listCount * stride))
        centroids.update(from: c, count: c.count)
        centroidNorms = .allocate(capacity: listCount)
        for j in 0..<listCount { centroidNorms[j] = Kernels.dot(centroids + j * stride, centroids + j * stride, stride) }
        self.quantizer = quantizer
        let entryBytes = quantizer?.codeStride ?? stride * 4
        let norms = quantizer != nil && metric == .l2
        lists = (0..<listCount).map { _ in InvertedList(entryBytes: entryBytes, keepsNorms: norms) }
        lock = .allocate(capacity: 1)
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        LargeAllocation.free(centroids)
        centroidNorms.deallocate()
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    // MARK: - Sizes

    /// Live (not deleted) vectors.
    public var count: Int { reading { slotOfID.count } }
    /// Slots, deleted ones included: the size a filter `Bitset` must have.
    public var slotCount: Int { reading { externalIDs.count } }

    /// The slot of a live id, or nil.
    public func slot(of id: Int64) -> Int? { reading { slotOfID[id].map(Int.init) } }

    /// Whether `id` is present and not deleted.
    public func contains(id: Int64) -> Bool { slot(of: id) != nil }

    /// The number of vectors in each list (deleted ones included), for diagnostics and tests.
    public var listSizes: [Int] { reading { lists.map(\.count) } }

    /// Bytes held: centroids, stored vectors or codes, slot tables (dictionary estimated at 24 B/entry).
    public var memoryFootprint: Int {
        reading {
            var b = listCount * (stride + 1) * 4
            for l in lists { b += l.allocatedBytes }
            b += externalIDs.capacity * 8 + tombstones.capacity + listOfSlot.capacity * 4 + slotOfID.count * 24
            return b
        }
    }

    @inline(__always)
    func reading<T>(_ body: () throws(VecError) -> T) throws(VecError) -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    @inline(__always)
    func reading<T>(_ body: () -> T) -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return body()
    }

    // MARK: - Writes

    /// Adds `ids.count` vectors (`ids.count × dimension` floats, row-major) to the lists of their nearest
    /// centroids; the assignment runs on `pool`. All rows are validated first, so a bad row adds nothing.
    /// - Throws: `VecError.duplicateID` (within the batch or with the index), `.dimensionMismatch`,
    ///   `.nonFiniteComponent`, `.zeroVector`, `.invalidParameter` (more than 2³² − 1 slots).
    public func add(ids: [Int64], vectors rows: UnsafeBufferPointer<Float>, pool: WorkerPool? = nil) throws(VecError) {
        guard rows.count == ids.count * dimension else {
            throw .dimensionMismatch(expected: dimension, got: ids.isEmpty ? rows.count : rows.count / ids.count)
        }
        let n = ids.count
        if n == 0 { return }
        let prepared = UnsafeMutablePointer<Float>.allocate(capacity: n * stride)
        defer { prepared.deallocate() }
        for r in 0..<n {
            try VectorPreparation.prepare(UnsafeBufferPointer(rebasing: rows[(r * dimension)..<((r + 1) * dimension)]),
                                          dimension: dimension, stride: stride, metric: metric, into: prepared + r * stride)
        }
        var seen = Set<Int64>(minimumCapacity: n)
        for id in ids where !seen.insert(id).inserted { throw .duplicateID(id) }
        // Assign (read-only on the centroids, no lock needed: they never change after init).
        var assignment = [UInt32](repeating: 0, count: n)
        let k = listCount, stride = self.stride, metric = self.metric
        let c = UnsafePointer(centroids), cn = UnsafePointer(centroidNorms)
        assignment.withUnsafeMutableBufferPointer { a in
            let ap = a.baseAddress!
            let body: (Range<Int>) -> Void = { range in
                for i in range { ap[i] = UInt32(KMeans.nearest(prepared + i * stride, c, cn, k, stride, metric)) }
            }
            if let pool, n >= 512 { pool.parallelFor(n, chunk: 64) { r, _ in body(r) } } else { body(0..<n) }
        }
        let code = UnsafeMutablePointer<UInt8>.allocate(capacity: quantizer?.codeStride ?? 1)
        defer { code.deallocate() }
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        for id in ids where slotOfID[id] != nil { throw .duplicateID(id) }
        guard externalIDs.count + n < Int(UInt32.max) else { throw .invalidParameter("an IVF index holds at most 2^32 - 2 slots") }
        // Reserve each list exactly (a bulk load then holds no growth slack).
        var perList = [Int](repeating: 0, count: listCount)
        for a in assignment { perList[Int(a)] += 1 }
        reserveLists(adding: perList)
        if externalIDs.isEmpty {
            externalIDs.reserveCapacity(n)
            tombstones.reserveCapacity(n)
            listOfSlot.reserveCapacity(n)
        }
        for r in 0..<n {
            let slot = UInt32(externalIDs.count)
            externalIDs.append(ids[r])
            tombstones.append(0)
            listOfSlot.append(assignment[r])
            slotOfID[ids[r]] = slot
            let list = lists[Int(assignment[r])]
            let v = prepared + r * stride
            if let q = quantizer {
                q.encode(v, into: code)
                list.append(slot: slot, bytes: code, norm: list.keepsNorms ? q.decodedSquaredNorm(code) : 0)
            } else {
                list.append(slot: slot, bytes: v, norm: 0)
            }
        }
    }

    /// Makes room for `extra[l]` more entries in every list `l`, exactly. When the new entries take at least
    /// `ListArena.minimumBytes`, every list (old entries included) moves into one fresh `ListArena` (huge
    /// pages; the previous arena, if any, is freed once empty), so a bulk load or a loaded file scans from one
    /// block. Smaller growth reserves list by list, so trickling adds never copy the whole index.
    /// Call with the write lock held (or before the index is shared).
    func reserveLists(adding extra: [Int]) {
        let entryBytes = lists.first?.entryBytes ?? 0
        var total = 0
        var grows = false
        for (l, e) in extra.enumerated() {
            total += ListArena.regionBytes(entries: lists[l].count + e, entryBytes: entryBytes)
            if lists[l].count + e > lists[l].capacity { grows = true }
        }
        guard grows else { return }
        guard extra.reduce(0, +) * entryBytes >= ListArena.minimumBytes else {
            for (l, e) in extra.enumerated() where e > 0 { lists[l].reserve(lists[l].count + e) }
            return
        }
        let arena = ListArena(byteCount: total)
        var offset = 0
        for (l, e) in extra.enumerated() {
            let n = lists[l].count + e
            lists[l].reserve(n, in: (arena, offset))
            offset += ListArena.regionBytes(entries: n, entryBytes: entryBytes)
        }
    }

    /// Marks `id` deleted: it is never returned again, and may be added again later (as a new slot).
    /// - Throws: `VecError.unknownID`.
    public func remove(id: Int64) throws(VecError) {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        guard let slot = slotOfID.removeValue(forKey: id) else { throw .unknownID(id) }
        tombstones[Int(slot)] = 1
        deletedCount += 1
    }
}
