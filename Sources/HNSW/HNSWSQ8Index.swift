import CVecSupport
import Foundation
import VecCore

/// HNSW_SQ8: an HNSW graph whose traversal computes distances on 8-bit scalar-quantised codes
/// (`SQ8Quantizer`), re-ranking the best candidates of the beam on full-precision vectors.
///
/// **Why.** Float vectors are ~90 % of a float HNSW index's memory (1,536 of ~1,700 bytes per 384-d vector);
/// codes take a quarter, and a traversal reads 6 cache lines per vector instead of 24. Quantisation error
/// moves near-ties in the graph's ranking; re-ranking the best `rerank` candidates (default: the whole beam,
/// `ef`) on exact distances restores the order among them, so recall loss is bounded by how often a true
/// neighbour falls outside the top `rerank` by code distance.
///
/// **Full-precision vectors** come from `RefineVectors` (shared with their owner, e.g. the segment's vector
/// column); without them results are ranked by code distance.
///
/// **Lifecycle.** Built from a finished `HNSWIndex` (`init(graph:refine:)`: copies the graph's links, encodes
/// its vectors, and the float graph can then be released) or loaded from `serializedBytes()`. The graph is
/// immutable afterwards except for deletes (tombstones, as in `HNSWIndex`); searches run concurrently.
public final class HNSWSQ8Index: @unchecked Sendable {
    public let dimension: Int
    public let metric: Metric
    public let parameters: HNSWParameters
    public let quantizer: SQ8Quantizer
    public let refine: RefineVectors?
    /// Slots (deleted ones included).
    public let slotCount: Int

    let codes: UnsafeMutablePointer<UInt8>
    /// Decoded squared norm per slot (L2 only).
    let norms: UnsafeMutablePointer<Float>?
    let level0: UnsafeMutablePointer<UInt32>
    let level0Stride: Int
    let upperLinks: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    let levels: UnsafeMutablePointer<UInt8>
    let tombstones: UnsafeMutablePointer<UInt8>
    let externalIDs: UnsafeMutablePointer<Int64>
    let entrySlot: UInt32
    let entryLevel: Int

    /// Guards `slotOfID`, `deletedCount`, `tombstones` writes, `free`.
    let tableLock = NSLock()
    var slotOfID: [Int64: UInt32] = [:]
    var deletedCount = 0
    private var freeContexts: [(SearchContext, SQ8Query)] = []

    /// Allocates empty storage for `n` slots (filled by the builders).
    init(dimension: Int, metric: Metric, parameters: HNSWParameters, quantizer: SQ8Quantizer, refine: RefineVectors?,
         slots n: Int, entrySlot: UInt32, entryLevel: Int) {
        self.dimension = dimension
        self.metric = metric
        self.parameters = parameters
        self.quantizer = quantizer
        self.refine = refine
        self.slotCount = n
        self.entrySlot = entrySlot
        self.entryLevel = entryLevel
        let m = max(n, 1)
        codes = LargeAllocation.allocate(UInt8.self, count: m * quantizer.codeStride)
        norms = metric == .l2 ? .allocate(capacity: m) : nil
        level0Stride = 1 + parameters.connectivityLevel0
        level0 = LargeAllocation.allocate(UInt32.self, count: m * level0Stride)
        upperLinks = .allocate(capacity: m)
        upperLinks.initialize(repeating: nil, count: m)
        levels = .allocate(capacity: m)
        tombstones = .allocate(capacity: m)
        externalIDs = .allocate(capacity: m)
    }

    deinit {
        for s in 0..<slotCount { upperLinks[s]?.deallocate() }
        LargeAllocation.free(codes)
        norms?.deallocate()
        LargeAllocation.free(level0)
        upperLinks.deallocate()
        levels.deallocate()
        tombstones.deallocate()
        externalIDs.deallocate()
    }

    /// Quantises a built float graph: trains the SQ8 ranges on all its vectors, encodes them, and copies its
    /// links, ids and tombstones. `graph` is not changed and may be released afterwards.
    /// - Parameter refine: full-precision vectors by external id (see `RefineVectors`), or nil.
    /// - Throws: `VecError.emptyIndex` for a graph without vectors; `.dimensionMismatch` when `refine` has
    ///   another dimension.
    public convenience init(graph: HNSWIndex, refine: RefineVectors?) throws(VecError) {
        if let refine, refine.dimension != graph.dimension {
            throw .dimensionMismatch(expected: graph.dimension, got: refine.dimension)
        }
        let snapshot = try graph.snapshotForQuantisation()
        defer { snapshot.release() }
        let n = snapshot.slots
        guard n > 0, let entry = snapshot.entry else { throw .emptyIndex }
        let q = try SQ8Quantizer.train(rows: graph.vectors.pointer(0), count: n, rowStride: graph.vectors.stride,
                                       dimension: graph.dimension)
        self.init(dimension: graph.dimension, metric: graph.metric, parameters: graph.parameters, quantizer: q,
                  refine: refine, slots: n, entrySlot: entry.slot, entryLevel: entry.level)
        let cs = q.codeStride
        for s in 0..<n {
            let c = codes + s * cs
            q.encode(graph.vectors.pointer(s), into: c)
            norms?[s] = q.decodedSquaredNorm(c)
            externalIDs[s] = graph.externalIDs[s]
            tombstones[s] = graph.tombstones[s]
            levels[s] = graph.levels[s]
            if tombstones[s] == 0 { slotOfID[externalIDs[s]] = UInt32(s) } else { deletedCount += 1 }
            if levels[s] > 0 {
                let words = Int(levels[s]) * (1 + parameters.connectivity)
                let p = UnsafeMutablePointer<UInt32>.allocate(capacity: words)
                p.update(from: graph.upperLinks[s]!, count: words)
                upperLinks[s] = p
            }
        }
        level0.update(from: graph.level0, count: n * level0Stride)
    }

    // MARK: - Sizes and ids

    /// Live (not deleted) vectors.
    public var count: Int {
        tableLock.lock()
        defer { tableLock.unlock() }
        return slotOfID.count
    }

    /// The slot of a live id, or nil.
    public func slot(of id: Int64) -> Int? {
        tableLock.lock()
        defer { tableLock.unlock() }
        return slotOfID[id].map(Int.init)
    }

    /// Bytes held by the index: codes, norms, graph, id tables (dictionary estimated at 24 B/entry). The
    /// `refine` vectors belong to their owner and are not counted.
    public var memoryFootprint: Int {
        var upper = 0
        for s in 0..<slotCount where levels[s] > 0 { upper += Int(levels[s]) * (1 + parameters.connectivity) * 4 }
        let perSlot = quantizer.codeStride + (norms == nil ? 0 : 4) + level0Stride * 4
            + MemoryLayout<UnsafeMutablePointer<UInt32>?>.stride + 1 + 1 + 8
        tableLock.lock()
        defer { tableLock.unlock() }
        return slotCount * perSlot + upper + slotOfID.count * 24 + 2 * dimension * 4
    }

    /// Marks `id` deleted: it stays navigable but is never returned.
    /// - Throws: `VecError.unknownID`.
    public func remove(id: Int64) throws(VecError) {
        tableLock.lock()
        defer { tableLock.unlock() }
        guard let slot = slotOfID.removeValue(forKey: id) else { throw .unknownID(id) }
        tombstones[Int(slot)] = 1
        deletedCount += 1
    }

    // MARK: - Link lists and contexts

    @inline(__always)
    func links(_ slot: UInt32, _ level: Int) -> UnsafeMutablePointer<UInt32> {
        if level == 0 { return level0 + Int(slot) &* level0Stride }
        return upperLinks[Int(slot)]! + (level - 1) &* (1 + parameters.connectivity)
    }

    func takeContext() -> (SearchContext, SQ8Query) {
        tableLock.lock()
        let c = freeContexts.popLast()
        tableLock.unlock()
        return c ?? (SearchContext(capacity: slotCount, stride: quantizer.codeStride, maxLinks: parameters.connectivityLevel0),
                     SQ8Query(quantizer: quantizer, metric: metric))
    }

    func giveContext(_ c: (SearchContext, SQ8Query)) {
        tableLock.lock()
        freeContexts.append(c)
        tableLock.unlock()
    }
}

extension HNSWIndex {
    /// A consistent view of the graph for `HNSWSQ8Index`: holds the growth lock shared (no buffer moves)
    /// until `release()`.
    struct QuantisationSnapshot {
        let slots: Int
        let entry: (slot: UInt32, level: Int)?
        let lock: UnsafeMutablePointer<pthread_rwlock_t>
        func release() { pthread_rwlock_unlock(lock) }
    }

    func snapshotForQuantisation() throws(VecError) -> QuantisationSnapshot {
        pthread_rwlock_rdlock(growthLock)
        tableLock.lock()
        let n = reservedSlots
        tableLock.unlock()
        return QuantisationSnapshot(slots: n, entry: loadEntry(), lock: growthLock)
    }
}
