/// WordPiece vocabulary: token text (UTF-8 bytes) → token id, in an open-addressing hash table over one byte
/// arena, so a lookup hashes a byte slice of the word being split and never builds a `String`.
///
/// Built once when the tokenizer loads; immutable afterwards, hence `Sendable`.
struct TokenVocabulary: Sendable {
    /// All token bytes, back to back.
    private let arena: [UInt8]
    /// Per id: start of its bytes in `arena`; `starts[id + 1]` is the end.
    private let starts: [Int32]
    /// Open-addressing slots holding `id + 1` (0 = empty); capacity is a power of two ≥ 2 × count.
    private let slots: [Int32]
    private let mask: Int

    /// Number of tokens (ids are `0 ..< count`).
    var count: Int { starts.count - 1 }

    /// Builds the table from tokens indexed by id (`tokens[id]`). Returns nil-free: duplicates are rejected.
    /// - Throws: `VocabularyError` if a token is duplicated or the list is empty.
    init(tokens: [String]) throws(VocabularyError) {
        guard !tokens.isEmpty else { throw .empty }
        guard tokens.count < Int(Int32.max) / 2 else { throw .tooLarge(tokens.count) }
        var arena: [UInt8] = []
        var starts: [Int32] = [0]
        starts.reserveCapacity(tokens.count + 1)
        for t in tokens {
            arena.append(contentsOf: t.utf8)
            guard arena.count < Int(Int32.max) else { throw .tooLarge(arena.count) }
            starts.append(Int32(arena.count))
        }
        var capacity = 16
        while capacity < tokens.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: 0, count: capacity)
        let mask = capacity - 1
        for id in 0..<tokens.count {
            let lo = Int(starts[id]), hi = Int(starts[id + 1])
            var h = arena.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[lo..<hi])) } & mask
            while slots[h] != 0 {
                let other = Int(slots[h]) - 1
                let olo = Int(starts[other]), ohi = Int(starts[other + 1])
                if arena[olo..<ohi].elementsEqual(arena[lo..<hi]) { throw .duplicate(tokens[id]) }
                h = (h + 1) & mask
            }
            slots[h] = Int32(id + 1)
        }
        self.arena = arena
        self.starts = starts
        self.slots = slots
        self.mask = mask
    }

    /// The id of the token whose UTF-8 bytes are exactly `bytes`, or nil.
    func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        var h = Self.hash(bytes) & mask
        return arena.withUnsafeBufferPointer { a -> Int32? in
            starts.withUnsafeBufferPointer { s -> Int32? in
                slots.withUnsafeBufferPointer { sl -> Int32? in
                    while true {
                        let v = Int(sl[h])
                        if v == 0 { return nil }
                        let id = v - 1
                        let lo = Int(s[id]), hi = Int(s[id + 1])
                        if hi - lo == bytes.count && memEqual(a.baseAddress! + lo, bytes.baseAddress, bytes.count) {
                            return Int32(id)
                        }
                        h = (h + 1) & mask
                    }
                }
            }
        }
    }

    /// The id of `token`, or nil (convenience for set-up code and tests).
    func id(of token: String) -> Int32? {
        var t = token
        return t.withUTF8 { id(of: $0) }
    }

    /// The text of token `id` (for tests and debugging).
    func token(_ id: Int) -> String {
        String(decoding: arena[Int(starts[id])..<Int(starts[id + 1])], as: UTF8.self)
    }

    /// FNV-1a, 64-bit: stable across processes (unlike `Hasher`) and fast on the short keys we hash.
    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }
}

@inline(__always)
private func memEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>?, _ n: Int) -> Bool {
    guard n > 0, let b else { return true }
    for i in 0..<n where a[i] != b[i] { return false }
    return true
}

/// Problems with a vocabulary list.
enum VocabularyError: Error, CustomStringConvertible, Equatable {
    case empty
    case duplicate(String)
    case tooLarge(Int)

    var description: String {
        switch self {
        case .empty: return "the vocabulary is empty"
        case .duplicate(let t): return "token \"\(t)\" appears twice in the vocabulary"
        case .tooLarge(let n): return "the vocabulary is too large (\(n))"
        }
    }
}
