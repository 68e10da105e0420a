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

/// A heap of packed keys; `Max` selects a max-heap (root = largest), otherwise a min-heap.
/// Storage is an array that keeps its capacity across `removeAll`, so a reused heap allocates nothing.
@usableFromInline
struct KeyHeap<Order: HeapOrder> {
    @usableFromInline var keys: [UInt64] = []

    @inlinable init() {}

    @inlinable var count: Int { keys.count }
    @inlinable var isEmpty: Bool { keys.isEmpty }
    @inlinable var top: UInt64 { keys[0] }

    @inlinable mutating func removeAll() { keys.removeAll(keepingCapacity: true) }

    @inlinable
    mutating func push(_ k: UInt64) {
        keys.append(k)
        keys.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let p = (i - 1) >> 1
                guard Order.before(k, h[p]) else { break }
                h[i] = h[p]
                i = p
            }
            h[i] = k
        }
    }

    @inlinable
    @discardableResult
    mutating func pop() -> UInt64 {
        let root = keys[0]
        let last = keys.removeLast()
        if !keys.isEmpty {
            keys.withUnsafeMutableBufferPointer { h in
                let n = h.count
                var i = 0
                while true {
                    let l = 2 * i + 1
                    if l >= n { break }
                    var c = l
                    if l + 1 < n, Order.before(h[l + 1], h[l]) { c = l + 1 }
                    guard Order.before(h[c], last) else { break }
                    h[i] = h[c]
                    i = c
                }
                h[i] = last
            }
        }
        return root
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
