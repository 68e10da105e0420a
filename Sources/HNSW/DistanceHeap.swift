/// Binary heaps of (distance, slot) pairs packed into one `UInt64` each, so that one integer comparison
/// orders by distance and breaks ties by slot.
///
/// Packing: the high 32 bits are the distance's bits mapped to an unsigned integer with the same order
/// (negative floats have all bits flipped, non-negative ones only the sign bit), the low 32 bits the slot.
@usableFromInline
enum PackedDistance {
    @inlinable @inline(__always)
    static func pack(_ d: Float, _ slot: UInt32) -> UInt64 {
        let b = d.bitPattern
        let ordered = (b & 0x8000_0000) != 0 ? ~b : b | 0x8000_0000
        return UInt64(ordered) << 32 | UInt64(slot)
    }

    @inlinable @inline(__always)
    static func distance(_ key: UInt64) -> Float {
        let o = UInt32(truncatingIfNeeded: key >> 32)
        let b = (o & 0x8000_0000) != 0 ? o & 0x7FFF_FFFF : ~o
        return Float(bitPattern: b)
    }

    @inlinable @inline(__always)
    static func slot(_ key: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: key) }
}

/// A heap of packed keys; `MaxOrder` makes a max-heap (root = largest), `MinOrder` a min-heap.
/// Storage is a manually grown buffer that keeps its capacity across `removeAll`, so a reused heap allocates
/// nothing and its operations carry no copy-on-write or bounds checks (indices are kept in range by the
/// heap logic itself).
final class KeyHeap<Order: HeapOrder> {
    private(set) var base: UnsafeMutablePointer<UInt64>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }
    var top: UInt64 { base[0] }
    /// The keys in heap order (not sorted).
    var keys: UnsafeMutableBufferPointer<UInt64> { UnsafeMutableBufferPointer(start: base, count: count) }

    func removeAll() { count = 0 }

    @inline(__always)
    func push(_ k: UInt64) {
        if count == capacity { grow() }
        let h = base
        var i = count
        count &+= 1
        while i > 0 {
            let p = (i &- 1) >> 1
            guard Order.before(k, h[p]) else { break }
            h[i] = h[p]
            i = p
        }
        h[i] = k
    }

    @inline(__always)
    @discardableResult
    func pop() -> UInt64 {
        let h = base
        let root = h[0]
        count &-= 1
        let n = count
        if n > 0 {
            let last = h[n]
            var i = 0
            while true {
                let l = 2 &* i &+ 1
                if l >= n { break }
                var c = l
                if l &+ 1 < n, Order.before(h[l &+ 1], h[l]) { c = l &+ 1 }
                guard Order.before(h[c], last) else { break }
                h[i] = h[c]
                i = c
            }
            h[i] = last
        }
        return root
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity * 2)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}

@usableFromInline protocol HeapOrder {
    static func before(_ a: UInt64, _ b: UInt64) -> Bool
}

@usableFromInline enum MinOrder: HeapOrder {
    @inlinable @inline(__always) static func before(_ a: UInt64, _ b: UInt64) -> Bool { a < b }
}

@usableFromInline enum MaxOrder: HeapOrder {
    @inlinable @inline(__always) static func before(_ a: UInt64, _ b: UInt64) -> Bool { a > b }
}
