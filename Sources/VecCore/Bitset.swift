/// A fixed-size set of row positions `0..<count`, stored as 64-bit words.
///
/// Used as the allow-list that filter expressions produce and indexes consume, and for delete masks.
/// Bits past `count` in the last word are always zero, so `popcount` and the set operations need no masking.
public struct Bitset: Sendable, Equatable {
    /// Number of addressable positions.
    public private(set) var count: Int
    /// The words, least significant bit first: position `i` is bit `i & 63` of word `i >> 6`.
    public var words: [UInt64] { storage }
    @usableFromInline var storage: [UInt64]

    /// A bitset of `count` positions, all clear (or all set when `allSet` is true).
    public init(count: Int, allSet: Bool = false) {
        precondition(count >= 0, "Bitset count must not be negative")
        self.count = count
        self.storage = [UInt64](repeating: allSet ? ~0 : 0, count: (count + 63) >> 6)
        if allSet { clearTail() }
    }

    /// A bitset over `count` positions from ready-made words (least significant bit first), e.g. produced by
    /// a vectorised filter. Bits past `count` are cleared.
    /// - Precondition: `words.count == (count + 63) / 64`.
    public init(words: [UInt64], count: Int) {
        precondition(count >= 0 && words.count == (count + 63) >> 6, "Bitset(words:count:) needs (count + 63) / 64 words")
        self.count = count
        self.storage = words
        clearTail()
    }

    /// Whether position `i` is set. `i` must be in `0..<count`.
    @inlinable
    public func contains(_ i: Int) -> Bool {
        (storage[i >> 6] >> UInt64(i & 63)) & 1 != 0
    }

    /// Sets position `i`.
    @inlinable
    public mutating func insert(_ i: Int) {
        storage[i >> 6] |= 1 << UInt64(i & 63)
    }

    /// Clears position `i`.
    @inlinable
    public mutating func remove(_ i: Int) {
        storage[i >> 6] &= ~(1 << UInt64(i & 63))
    }

    /// Sets or clears position `i`.
    @inlinable
    public subscript(i: Int) -> Bool {
        get { contains(i) }
        set { if newValue { insert(i) } else { remove(i) } }
    }

    /// The number of set positions.
    public var popcount: Int { storage.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Grows (new positions clear) or shrinks the set to `newCount` positions.
    public mutating func resize(to newCount: Int) {
        precondition(newCount >= 0)
        count = newCount
        let needed = (newCount + 63) >> 6
        if storage.count < needed {
            storage.append(contentsOf: repeatElement(0, count: needed - storage.count))
        } else if storage.count > needed {
            storage.removeLast(storage.count - needed)
        }
        clearTail()
    }

    /// Keeps only positions set in both.
    public mutating func formIntersection(_ other: Bitset) {
        precondition(other.count == count, "Bitset sizes differ: \(count) vs \(other.count)")
        for w in storage.indices { storage[w] &= other.storage[w] }
    }

    /// Keeps positions set in either.
    public mutating func formUnion(_ other: Bitset) {
        precondition(other.count == count, "Bitset sizes differ: \(count) vs \(other.count)")
        for w in storage.indices { storage[w] |= other.storage[w] }
    }

    /// Clears the positions set in `other`.
    public mutating func subtract(_ other: Bitset) {
        precondition(other.count == count, "Bitset sizes differ: \(count) vs \(other.count)")
        for w in storage.indices { storage[w] &= ~other.storage[w] }
    }

    /// Flips every position.
    public mutating func invert() {
        for w in storage.indices { storage[w] = ~storage[w] }
        clearTail()
    }

    /// Calls `body` with every set position, in increasing order.
    @inlinable
    public func forEachSet(_ body: (Int) throws -> Void) rethrows {
        for (wi, word) in storage.enumerated() {
            var w = word
            while w != 0 {
                let bit = w.trailingZeroBitCount
                try body(wi << 6 | bit)
                w &= w &- 1
            }
        }
    }

    private mutating func clearTail() {
        let rem = count & 63
        if rem != 0, !storage.isEmpty { storage[storage.count - 1] &= (1 << UInt64(rem)) - 1 }
    }
}
