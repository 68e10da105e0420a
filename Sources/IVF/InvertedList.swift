import VecCore

/// One inverted list of an IVF index: the slots assigned to one centroid and their stored vectors (floats
/// padded to the store stride, or SQ8 codes), contiguous so a probe is one sequential scan.
/// Not thread-safe: the owning `IVFIndex` excludes readers while appending.
final class InvertedList {
    /// Bytes per stored vector.
    let entryBytes: Int
    private(set) var count = 0
    private(set) var capacity = 0
    private(set) var data: UnsafeMutableRawPointer
    private(set) var slots: UnsafeMutablePointer<UInt32>
    /// Squared norm of each decoded code (SQ8 with L2 only), else nil.
    private(set) var norms: UnsafeMutablePointer<Float>?
    let keepsNorms: Bool
    /// The arena `data` lies in, or nil when `data` is this list's own allocation.
    private var arena: ListArena?

    init(entryBytes: Int, keepsNorms: Bool) {
        self.entryBytes = entryBytes
        self.keepsNorms = keepsNorms
        data = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        slots = .allocate(capacity: 1)
        norms = keepsNorms ? .allocate(capacity: 1) : nil
    }

    deinit {
        if arena == nil { data.deallocate() }
        slots.deallocate()
        norms?.deallocate()
    }

    /// The stored vector at list position `i`.
    @inline(__always) func entry(_ i: Int) -> UnsafeRawPointer { UnsafeRawPointer(data + i &* entryBytes) }

    /// Whether the entries lie in a `ListArena` (diagnostics and tests).
    var isInArena: Bool { arena != nil }

    /// Bytes held.
    var allocatedBytes: Int { capacity * (entryBytes + 4 + (keepsNorms ? 4 : 0)) }

    /// Grows to exactly `n` entries (callers that append one at a time double via `append`). With `region`,
    /// the entries move to that region of an arena (which must hold `n` entries); otherwise to an own buffer.
    func reserve(_ n: Int, in region: (arena: ListArena, offset: Int)? = nil) {
        guard n > capacity || (region != nil && n >= count) else { return }
        let newCap = region == nil ? max(n, 8) : n
        let d: UnsafeMutableRawPointer
        if let region {
            precondition(region.offset + ListArena.regionBytes(entries: n, entryBytes: entryBytes) <= region.arena.byteCount,
                         "arena region out of bounds")
            d = region.arena.base + region.offset
        } else {
            d = UnsafeMutableRawPointer.allocate(byteCount: newCap * entryBytes, alignment: 64)
        }
        d.copyMemory(from: data, byteCount: count * entryBytes)
        if arena == nil { data.deallocate() }
        data = d
        arena = region?.arena
        let s = UnsafeMutablePointer<UInt32>.allocate(capacity: newCap)
        s.update(from: slots, count: count)
        slots.deallocate()
        slots = s
        if let old = norms {
            let nn = UnsafeMutablePointer<Float>.allocate(capacity: newCap)
            nn.update(from: old, count: count)
            old.deallocate()
            norms = nn
        }
        capacity = newCap
    }

    /// Appends one entry of `entryBytes` bytes for `slot`.
    func append(slot: UInt32, bytes: UnsafeRawPointer, norm: Float) {
        if count == capacity { reserve(max(8, capacity * 2)) }
        (data + count * entryBytes).copyMemory(from: bytes, byteCount: entryBytes)
        slots[count] = slot
        norms?[count] = norm
        count += 1
    }
}
