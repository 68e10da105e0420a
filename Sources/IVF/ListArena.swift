import VecCore

/// One large block holding the entries of many inverted lists, back to back, each list's region 64-byte
/// aligned. It comes from `LargeAllocation`, so a block of 4 MiB or more sits on 2 MiB transparent huge pages.
///
/// Why: a probe scans ~100 lists of ~150 KB each. Allocated one by one, every list lies on its own 4 KiB
/// pages and a 384-d float vector (1.5 KB) crosses a page every ~2.7 vectors, each a TLB miss and page walk
/// that the hardware prefetcher does not cross. In one huge-page block the whole IVF_FLAT store of 100k
/// vectors needs ~75 TLB entries.
///
/// Lists keep the arena alive by reference; a list that outgrows its region moves to its own buffer
/// (`InvertedList.reserve`), and the block is freed when the last list leaves it.
final class ListArena {
    let base: UnsafeMutableRawPointer
    let byteCount: Int

    init(byteCount: Int) {
        self.byteCount = byteCount
        base = LargeAllocation.allocate(bytes: byteCount)
    }

    deinit { LargeAllocation.free(base.assumingMemoryBound(to: UInt8.self)) }

    /// Bytes a list of `entries` entries of `entryBytes` takes in an arena (rounded up to a cache line).
    static func regionBytes(entries: Int, entryBytes: Int) -> Int { (entries * entryBytes + 63) & ~63 }

    /// Arenas are used when the lists' entries together take at least this many bytes; below it a list-sized
    /// allocation is as good and an arena would only pin memory.
    static let minimumBytes = 4 << 20
}
