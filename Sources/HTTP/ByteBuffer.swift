#if canImport(Glibc)
import Glibc
#endif

/// A growable FIFO byte buffer: append at the end, consume from the front. Capacity is kept across
/// requests (a keep-alive connection stops allocating after warm-up) and released when a large body left
/// it oversized (`shrinkIfIdle`).
struct ByteBuffer {
    /// Storage; the unread bytes are `bytes[reader...]`.
    private(set) var bytes: [UInt8] = []
    private(set) var reader = 0

    var readable: Int { bytes.count - reader }
    var isEmpty: Bool { reader == bytes.count }

    mutating func append(_ p: UnsafeRawBufferPointer) {
        if reader > 0 && reader == bytes.count { bytes.removeAll(keepingCapacity: true); reader = 0 }
        bytes.append(contentsOf: p)
    }

    mutating func append(_ a: [UInt8]) { bytes.append(contentsOf: a) }
    mutating func append(_ b: UInt8) { bytes.append(b) }
    mutating func append(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
    mutating func append(_ p: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: p) }

    /// Appends a non-negative integer in decimal.
    mutating func appendDecimal(_ v: Int) {
        var v = v
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { buf in
            var n = 0
            repeat {
                buf[23 - n] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
                n += 1
            } while v > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[(24 - n)...]))
        }
    }

    /// Drops `n` unread bytes from the front (O(1); storage is compacted lazily).
    mutating func consume(_ n: Int) {
        reader += n
        if reader == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            reader = 0
        } else if reader >= 64 * 1024 && reader * 2 >= bytes.count {
            bytes.removeSubrange(0..<reader)
            reader = 0
        }
    }

    /// Copies `n` unread bytes out (without consuming).
    func copyPrefix(_ n: Int) -> [UInt8] { Array(bytes[reader..<(reader + n)]) }

    /// Calls `body` with the unread bytes.
    @inline(__always)
    func withUnreadBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[reader...])) }
    }

    /// Frees storage larger than `limit` once the buffer is empty.
    mutating func shrinkIfIdle(limit: Int) {
        if isEmpty && bytes.capacity > limit { bytes = []; reader = 0 }
    }
}

/// Offset of the first occurrence of `needle` in `hay` at or after `start`, or nil (memchr-accelerated).
@inline(__always)
func find(_ needle: StaticString, in hay: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Int? {
    let n = needle.utf8CodeUnitCount
    guard let base = hay.baseAddress else { return nil }
    let np = needle.utf8Start
    var i = start
    while i + n <= hay.count {
        guard let p = memchr(base + i, Int32(np[0]), hay.count - n + 1 - i) else { return nil }
        let off = UnsafeRawPointer(p) - UnsafeRawPointer(base)
        if memcmp(p, np, n) == 0 { return off }
        i = off + 1
    }
    return nil
}
