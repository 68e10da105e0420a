/// A compiled `like` pattern: `%` matches any run of characters (including none), `_` exactly one
/// character (Unicode scalar), `\` makes the next character literal (`\%`, `\_`, `\\`). Matching is
/// case-sensitive and works on UTF-8 bytes without decoding; `_` steps over one whole encoded scalar.
///
/// The common shapes Milvus optimises — exact, prefix `ab%`, suffix `%ab`, infix `%ab%` — get direct byte
/// comparisons; anything else runs a backtracking wildcard matcher (O(pattern × text) worst case).
struct LikePattern: Equatable, Sendable {
    enum Atom: Equatable, Sendable {
        case byte(UInt8)
        case anyOne
        case anyRun
    }
    enum Shape: Equatable, Sendable {
        case exact([UInt8])
        case prefix([UInt8])
        case suffix([UInt8])
        case infix([UInt8])
        case general([Atom])
    }

    /// Longest pattern accepted (UTF-8 bytes); with VarChar's 65,535-byte limit this bounds the worst-case
    /// backtracking work per row.
    static let maxBytes = 4096

    let shape: Shape
    let source: String

    init(_ pattern: String) {
        source = pattern
        var atoms: [Atom] = []
        var escaped = false
        for b in pattern.utf8 {
            if escaped {
                atoms.append(.byte(b))
                escaped = false
            } else if b == UInt8(ascii: "\\") {
                escaped = true
            } else if b == UInt8(ascii: "%") {
                if atoms.last != .anyRun { atoms.append(.anyRun) }
            } else if b == UInt8(ascii: "_") {
                atoms.append(.anyOne)
            } else {
                atoms.append(.byte(b))
            }
        }
        if escaped { atoms.append(.byte(UInt8(ascii: "\\"))) }
        shape = LikePattern.classify(atoms)
    }

    private static func classify(_ atoms: [Atom]) -> Shape {
        guard !atoms.contains(.anyOne) else { return .general(atoms) }
        let runs = atoms.indices.filter { atoms[$0] == .anyRun }
        func bytes(_ s: ArraySlice<Atom>) -> [UInt8] { s.map { if case .byte(let b) = $0 { b } else { 0 } } }
        switch runs.count {
        case 0: return .exact(bytes(atoms[...]))
        case 1 where runs[0] == atoms.count - 1: return .prefix(bytes(atoms.dropLast()))
        case 1 where runs[0] == 0: return .suffix(bytes(atoms.dropFirst()))
        case 2 where runs[0] == 0 && runs[1] == atoms.count - 1: return .infix(bytes(atoms.dropFirst().dropLast()))
        default: return .general(atoms)
        }
    }

    /// Whether `text` matches the whole pattern.
    func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { matches(bytes: $0) }
    }

    func matches(bytes s: UnsafeBufferPointer<UInt8>) -> Bool {
        switch shape {
        case .exact(let p): return s.count == p.count && s.elementsEqual(p)
        case .prefix(let p): return s.count >= p.count && s.prefix(p.count).elementsEqual(p)
        case .suffix(let p): return s.count >= p.count && s.suffix(p.count).elementsEqual(p)
        case .infix(let p): return LikePattern.contains(s, p)
        case .general(let atoms): return LikePattern.wildcard(atoms, s)
        }
    }

    private static func contains(_ s: UnsafeBufferPointer<UInt8>, _ p: [UInt8]) -> Bool {
        guard !p.isEmpty else { return true }
        guard s.count >= p.count else { return false }
        let first = p[0]
        var i = 0
        while i <= s.count - p.count {
            if s[i] == first {
                var j = 1
                while j < p.count && s[i + j] == p[j] { j += 1 }
                if j == p.count { return true }
            }
            i += 1
        }
        return false
    }

    /// Length in bytes of the UTF-8 scalar starting at `i` (1 for malformed bytes, so progress is certain).
    private static func scalarLength(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var j = i + 1
        while j < s.count && s[j] & 0xC0 == 0x80 { j += 1 }
        return j - i
    }

    /// Iterative wildcard matching with backtracking to the last `%`; positions stay on scalar boundaries.
    private static func wildcard(_ atoms: [Atom], _ s: UnsafeBufferPointer<UInt8>) -> Bool {
        var p = 0, i = 0
        var starAtom = -1, starText = 0
        while i < s.count {
            if p < atoms.count {
                switch atoms[p] {
                case .byte(let b) where s[i] == b:
                    p += 1
                    i += 1
                    continue
                case .anyOne:
                    p += 1
                    i += scalarLength(s, i)
                    continue
                case .anyRun:
                    starAtom = p
                    starText = i
                    p += 1
                    continue
                default:
                    break
                }
            }
            guard starAtom >= 0 else { return false }
            starText += scalarLength(s, starText)
            p = starAtom + 1
            i = starText
        }
        while p < atoms.count && atoms[p] == .anyRun { p += 1 }
        return p == atoms.count
    }
}
