/// A three-valued (SQL / Kleene) truth vector over rows: `truth` bits mark rows where the predicate is
/// true, `valid` bits rows where it is known (nil: known everywhere). Invariant: `truth ⊆ valid`.
/// A row matches a filter when its final truth bit is set, so unknown — a comparison with null — never
/// matches, not even under `not`.
struct FilterMask {
    var truth: [UInt64]
    var valid: [UInt64]?

    static func words(_ rows: Int) -> Int { (rows + 63) >> 6 }

    static func constant(_ value: Bool, rows: Int) -> FilterMask {
        var t = [UInt64](repeating: value ? ~0 : 0, count: words(rows))
        clearTail(&t, rows)
        return FilterMask(truth: t, valid: nil)
    }

    static func clearTail(_ w: inout [UInt64], _ rows: Int) {
        let rem = rows & 63
        if rem != 0, !w.isEmpty { w[w.count - 1] &= (1 << UInt64(rem)) - 1 }
    }

    /// A mask whose truth bits are `truth` restricted to `valid`.
    init(truth: [UInt64], valid: [UInt64]?) {
        var t = truth
        if let valid { for i in t.indices { t[i] &= valid[i] } }
        self.truth = t
        self.valid = valid
    }

    /// Kleene AND: false wins over unknown.
    func and(_ o: FilterMask, rows: Int) -> FilterMask {
        var t = truth
        for i in t.indices { t[i] &= o.truth[i] }
        guard valid != nil || o.valid != nil else { return FilterMask(truth: t, valid: nil) }
        let va = valid ?? FilterMask.constant(true, rows: rows).truth
        let vb = o.valid ?? FilterMask.constant(true, rows: rows).truth
        var v = va
        // Known when both are known, or either side is known false.
        for i in v.indices { v[i] = (va[i] & vb[i]) | (va[i] & ~truth[i]) | (vb[i] & ~o.truth[i]) }
        return FilterMask(truth: t, valid: v)
    }

    /// Kleene OR: true wins over unknown.
    func or(_ o: FilterMask, rows: Int) -> FilterMask {
        var t = truth
        for i in t.indices { t[i] |= o.truth[i] }
        guard valid != nil || o.valid != nil else { return FilterMask(truth: t, valid: nil) }
        let va = valid ?? FilterMask.constant(true, rows: rows).truth
        let vb = o.valid ?? FilterMask.constant(true, rows: rows).truth
        var v = va
        // Known when both are known, or either side is true.
        for i in v.indices { v[i] = (va[i] & vb[i]) | t[i] }
        return FilterMask(truth: t, valid: v)
    }

    /// Kleene NOT: unknown stays unknown.
    func not(rows: Int) -> FilterMask {
        var t = truth
        for i in t.indices { t[i] = ~t[i] }
        FilterMask.clearTail(&t, rows)
        return FilterMask(truth: t, valid: valid)
    }

    /// Builds `⌈n/64⌉` words where bit `i` is `bit(i)`. Inlined into each kernel so `bit` is specialised;
    /// full words run a fixed 64-step branch-free loop with masking shifts (`&<<`), which the compiler
    /// vectorises — measured 0.15–0.3 ns/row for a column-vs-constant comparison, against ~14 ns/row for
    /// the same loop with a variable trip count and checked shifts.
    @inline(__always)
    static func build(_ n: Int, _ bit: (Int) -> Bool) -> [UInt64] {
        let count = FilterMask.words(n)
        return [UInt64](unsafeUninitializedCapacity: count) { w, initialized in
            let full = n >> 6
            for wi in 0..<full {
                let base = wi &<< 6
                var word: UInt64 = 0
                for b in 0..<64 { word |= UInt64(bit(base &+ b) ? 1 : 0) &<< UInt64(b) }
                w[wi] = word
            }
            if full < count {
                let base = full &<< 6
                var word: UInt64 = 0
                for b in 0..<(n - base) { word |= UInt64(bit(base &+ b) ? 1 : 0) &<< UInt64(b) }
                w[full] = word
            }
            initialized = count
        }
    }
}

/// ANDs two optional validity masks (nil = all valid).
func intersectValidity(_ a: [UInt64]?, _ b: [UInt64]?) -> [UInt64]? {
    guard let a else { return b }
    guard let b else { return a }
    var out = a
    for i in out.indices { out[i] &= b[i] }
    return out
}
