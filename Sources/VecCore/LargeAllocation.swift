import Glibc

/// Allocation of large, long-lived buffers (vector stores, graph link arrays).
///
/// Buffers of 4 MiB or more are aligned to 2 MiB and advised as transparent huge pages
/// (`madvise(MADV_HUGEPAGE)`; Linux's default THP mode is "madvise"). Index searches touch vectors at random,
/// so with 4 KiB pages nearly every vector access misses the TLB; with 2 MiB pages a 150 MB store needs only
/// ~75 TLB entries. Smaller buffers are 64-byte aligned (one cache line, what the SIMD loads want).
public enum LargeAllocation {
    static let hugePage = 2 << 20

    /// Allocates `bytes` bytes, uninitialised. Release with `free`.
    public static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        let size = max(bytes, 64)
        let huge = size >= 2 * hugePage
        var raw: UnsafeMutableRawPointer?
        let rc = posix_memalign(&raw, huge ? hugePage : 64, size)
        precondition(rc == 0 && raw != nil, "out of memory allocating \(size) bytes")
        if huge { _ = madvise(raw, size, MADV_HUGEPAGE) }
        return raw!
    }

    /// Allocates room for `count` values of `T`, uninitialised.
    public static func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocate(bytes: count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// Frees a buffer from `allocate`.
    public static func free<T>(_ p: UnsafeMutablePointer<T>) { Glibc.free(p) }
}
