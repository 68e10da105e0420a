import CVecSupport
import Foundation
import Glibc
import Synchronization
import VecCore

/// A Hierarchical Navigable Small World graph over `Float` vectors (Malkov & Yashunin 2016/2018), with the
/// layout and algorithms of hnswlib and the guarantees vecnode needs on top.
///
/// **Storage.** Vectors live in a `VectorStore` (one aligned buffer, stride padded to 16 floats). Nodes are
/// dense `UInt32` slots in insertion order; external `Int64` ids map to slots. Level 0 is one flat array of
/// fixed-size link lists (`1 + 2M` words per slot: a count, then the links); the rare upper levels are one
/// small allocation per node that has them.
///
/// **Concurrency.** Any number of searches and inserts may run at once:
/// - Inserts lock the link lists they modify with a one-byte spinlock per node; searches read link lists
///   without locks. A reader may therefore see a list that a writer is rewriting; every entry it can see is a
///   valid slot whose vector and links were published before the entry was (stores are ordered: the count
///   is written with release and read with acquire), so the worst case is a transiently stale neighbour set —
///   never an out-of-bounds read. Ids read are also bounds-checked against the published slot count.
/// - Buffers move only when the index grows; growth takes a reader–writer lock exclusively, every search and
///   insert holds it shared (one lock operation per call, none per candidate).
/// - Deletes set a tombstone flag: the node stays navigable but is never returned.
///
/// **Filters.** A `Bitset` allow-list over slots; disallowed nodes are traversed but not returned. When the
/// allow-list is small (see `exactScanCostFactor`), the search scans the allowed slots exactly,
/// which is both faster and exact there.
public final class HNSWIndex: @unchecked Sendable {
    public let dimension: Int
    public let metric: Metric
    public let parameters: HNSWParameters
    /// The vectors, slot-addressed.
    public let vectors: VectorStore

    // Graph storage (all grown together under the exclusive lock).
    @usableFromInline var level0: UnsafeMutablePointer<UInt32>
    @usableFromInline let level0Stride: Int
    @usableFromInline var upperLinks: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    @usableFromInline var levels: UnsafeMutablePointer<UInt8>
    @usableFromInline var nodeLocks: UnsafeMutablePointer<UInt8>
    @usableFromInline var tombstones: UnsafeMutablePointer<UInt8>
    @usableFromInline var externalIDs: UnsafeMutablePointer<Int64>
    /// Slots allocated. Read freely by searches and inserts that hold the growth lock (shared); written only by
    /// `grow` under it (exclusive).
    @usableFromInline var capacity: Int
    /// `capacity`, published for the slot-reservation paths, which check it without holding the growth lock.
    let slotCapacity = Atomic<Int>(0)

    /// Slots handed out (some may still be being inserted). Guarded by `tableLock`.
    var reservedSlots = 0
    var slotOfID: [Int64: UInt32] = [:]
    var deletedCount = 0
    /// Entry point and top level packed as `(entrySlot + 1) << 32 | maxLevel` (0 while empty), read with
    /// acquire and written with release so a search always sees a consistent pair.
    var entryWord: UInt64 = 0

    let growthLock: UnsafeMutablePointer<pthread_rwlock_t>
    /// Guards `reservedSlots`, `slotOfID`, `deletedCount`.
    let tableLock = NSLock()
    /// Guards `entryPoint` and `maxLevel`; held for the whole insert of a node that raises the top level.
    let entryLock = NSLock()
    let contextPool = ContextPool()
    let levelMultiplier: Double

    /// When a filtered search scans the allowed slots exactly instead of walking the graph.
    ///
    /// A filtered graph walk must visit about `ef / s` nodes (s = allowed fraction) and compare each with up to
    /// `2M` neighbours, while an exact scan compares the query with the `s · live` allowed vectors. The scan
    /// is cheaper when `allowed² < factor · ef · 2M · live`; `vecbench filtered` on pypi-minilm-100k (M=16,
    /// ef=64) put the crossover between 10 % and 20 % allowed (docs/performance.md), which this rule with
    /// factor 1 places at 14 %. The rule also moves the crossover down as collections grow, as it should
    /// (an exact scan costs O(n), the walk about O(log n)). 0 always walks the graph; `.infinity` always scans.
    public var exactScanCostFactor: Double {
        get { Double(bitPattern: exactScanCostFactorBits.load(ordering: .relaxed)) }
        set { exactScanCostFactorBits.store(newValue.bitPattern, ordering: .relaxed) }
    }
    let exactScanCostFactorBits = Atomic<UInt64>(Double(1).bitPattern)

    /// Whether a search for `ef` with `allowed` of `live` slots allowed should scan exactly (see
    /// `exactScanCostFactor`).
    public func prefersExactScan(allowed: Int, live: Int, ef: Int) -> Bool {
        let a = Double(allowed)
        return a * a < exactScanCostFactor * Double(ef) * Double(parameters.connectivityLevel0) * Double(live)
    }

    /// Creates an empty index.
    /// - Throws: `VecError.invalidDimension`, `.invalidParameter`.
    public init(dimension: Int, metric: Metric, parameters: HNSWParameters = HNSWParameters(),
                capacity: Int = 1024) throws(VecError) {
        try parameters.validate()
        self.dimension = dimension
        self.metric = metric
        self.parameters = parameters
        self.vectors = try VectorStore(dimension: dimension, capacity: max(capacity, 1))
        self.level0Stride = 1 + parameters.connectivityLevel0
        self.levelMultiplier = 1 / log(Double(parameters.connectivity))
        let cap = max(capacity, 1)
        self.capacity = cap
        slotCapacity.store(cap, ordering: .releasing)
        level0 = LargeAllocation.allocate(UInt32.self, count: cap * level0Stride)
        upperLinks = .allocate(capacity: cap)
        levels = .allocate(capacity: cap)
        nodeLocks = .allocate(capacity: cap)
        nodeLocks.initialize(repeating: 0, count: cap)
        tombstones = .allocate(capacity: cap)
        externalIDs = .allocate(capacity: cap)
        growthLock = .allocate(capacity: 1)
        var attr = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attr)
        // Writer preference: a grow must not starve behind a continuous stream of searches.
        pthread_rwlockattr_setkind_np(&attr, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(growthLock, &attr)
        pthread_rwlockattr_destroy(&attr)
    }

    deinit {
        for s in 0..<reservedSlots { upperLinks[s]?.deallocate() }
        LargeAllocation.free(level0)
        upperLinks.deallocate()
        levels.deallocate()
        nodeLocks.deallocate()
        tombstones.deallocate()
        externalIDs.deallocate()
        pthread_rwlock_destroy(growthLock)
        growthLock.deallocate()
    }

    // MARK: - Sizes

    /// Number of live (inserted and not deleted) vectors.
    public var count: Int {
        tableLock.lock()
        defer { tableLock.unlock() }
        return slotOfID.count
    }

    /// Number of slots, deleted ones included: the size a filter `Bitset` must have.
    public var slotCount: Int {
        tableLock.lock()
        defer { tableLock.unlock() }
        return reservedSlots
    }

    /// The current entry point and top level, or nil while the graph is empty.
    @inline(__always)
    func loadEntry() -> (slot: UInt32, level: Int)? {
        let w = vec_load_acquire_u64(&entryWord)
        if w == 0 { return nil }
        return (UInt32(truncatingIfNeeded: (w >> 32) - 1), Int(w & 0xFFFF_FFFF))
    }

    @inline(__always)
    func storeEntry(slot: UInt32, level: Int) {
        vec_store_release_u64(&entryWord, (UInt64(slot) + 1) << 32 | UInt64(level))
    }

    /// Whether `id` is present and not deleted.
    public func contains(id: Int64) -> Bool {
        tableLock.lock()
        defer { tableLock.unlock() }
        return slotOfID[id] != nil
    }

    /// The slot of a live id (for building filters over slots), or nil.
    public func slot(of id: Int64) -> Int? {
        tableLock.lock()
        defer { tableLock.unlock() }
        return slotOfID[id].map(Int.init)
    }

    /// The external id of `slot`.
    public func id(atSlot slot: Int) -> Int64 {
        precondition(slot >= 0 && slot < slotCount, "slot \(slot) out of range")
        return externalIDs[slot]
    }

    /// Bytes of memory held by the index: vectors, graph, id tables (dictionary estimated at 24 B/entry).
    public var memoryFootprint: Int {
        pthread_rwlock_rdlock(growthLock)
        defer { pthread_rwlock_unlock(growthLock) }
        var upper = 0
        let n = reservedSlots
        for s in 0..<n where levels[s] > 0 {
            upper += Int(levels[s]) * (1 + parameters.connectivity) * 4
        }
        let perSlot = level0Stride * 4 + MemoryLayout<UnsafeMutablePointer<UInt32>?>.stride + 1 + 1 + 1 + 8
        return vectors.allocatedBytes + capacity * perSlot + upper + slotOfID.count * 24
    }

    // MARK: - Growth

    /// Grows every per-slot buffer to at least `minimumCapacity` slots, at least doubling so that
    /// one-at-a-time inserts grow O(log n) times. Takes the growth lock exclusively.
    func grow(to minimumCapacity: Int) {
        pthread_rwlock_wrlock(growthLock)
        defer { pthread_rwlock_unlock(growthLock) }
        guard minimumCapacity > capacity else { return }
        let newCapacity = max(minimumCapacity, capacity * 2)
        let old = capacity
        vectors.reserve(newCapacity)
        let links = LargeAllocation.allocate(UInt32.self, count: newCapacity * level0Stride)
        links.moveInitialize(from: level0, count: old * level0Stride)
        LargeAllocation.free(level0)
        level0 = links
        upperLinks = regrow(upperLinks, old, newCapacity)
        levels = regrow(levels, old, newCapacity)
        tombstones = regrow(tombstones, old, newCapacity)
        externalIDs = regrow(externalIDs, old, newCapacity)
        let locks = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        locks.initialize(repeating: 0, count: newCapacity)
        nodeLocks.deallocate()
        nodeLocks = locks
        capacity = newCapacity
        slotCapacity.store(newCapacity, ordering: .releasing)
    }

    private func regrow<T>(_ p: UnsafeMutablePointer<T>, _ old: Int, _ new: Int) -> UnsafeMutablePointer<T> {
        let q = UnsafeMutablePointer<T>.allocate(capacity: new)
        q.moveInitialize(from: p, count: old)
        p.deallocate()
        return q
    }

    /// Makes room for `n` vectors in total, so that later inserts do not grow midway.
    public func reserve(_ n: Int) {
        if n > slotCapacity.load(ordering: .acquiring) { grow(to: n) }
    }

    // MARK: - Link lists

    /// The link list of `slot` at `level`: a count word followed by the links.
    @inlinable @inline(__always)
    func links(_ slot: UInt32, _ level: Int) -> UnsafeMutablePointer<UInt32> {
        if level == 0 { return level0 + Int(slot) &* level0Stride }
        return upperLinks[Int(slot)]! + (level - 1) &* (1 + parameters.connectivity)
    }

    @inline(__always) func lockNode(_ slot: UInt32) { vec_spin_lock(nodeLocks + Int(slot)) }
    @inline(__always) func unlockNode(_ slot: UInt32) { vec_spin_unlock(nodeLocks + Int(slot)) }

    /// The level of a new node: ⌊−ln(U)·mL⌋ with U drawn from a generator seeded by the index seed and the
    /// slot, so builds are reproducible under any thread interleaving. Capped at 16.
    func drawLevel(slot: Int) -> Int {
        var z = parameters.seed &+ UInt64(slot) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let u = (Double(z >> 11) + 0.5) / Double(1 << 53)
        return min(16, Int(-log(u) * levelMultiplier))
    }
}

/// A free list of `SearchContext`s shared by concurrent searches (one lock operation per search).
final class ContextPool: @unchecked Sendable {
    private var free: [SearchContext] = []
    private let lock = NSLock()

    func take(capacity: Int, stride: Int, maxLinks: Int) -> SearchContext {
        lock.lock()
        let c = free.popLast()
        lock.unlock()
        return c ?? SearchContext(capacity: capacity, stride: stride, maxLinks: maxLinks)
    }

    func give(_ c: SearchContext) {
        lock.lock()
        free.append(c)
        lock.unlock()
    }
}
