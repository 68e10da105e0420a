/// Evaluates a ``Predicate`` over one chunk of rows (`lo ..< lo + rows`) of a ``ColumnarSource``, one
/// operator at a time over the whole chunk: each node produces a ``FilterMask`` (or a numeric/string
/// vector) for the chunk, and logical nodes combine masks 64 rows per instruction. Only JSON lookups and
/// array scans touch rows individually.
///
/// Chunks (``FilterExpression/chunkRows`` rows, a multiple of 64) keep every temporary vector small enough
/// to stay in cache and be recycled by the allocator instead of faulting in fresh pages: measured 28 →
/// 2.6 ns/row for `age + 1 > 31` over 10⁶ rows when done whole-column at once.
struct FilterEvaluator {
    let source: any ColumnarSource
    /// First row of the chunk; a multiple of 64 so validity words can be sliced.
    let lo: Int
    /// Rows in the chunk.
    let rows: Int
    /// Rows in the source.
    let total: Int
    let expression: String

    var range: Range<Int> { lo..<lo + rows }

    /// The chunk's words of a column's validity bitset (nil: no nulls).
    func validity(_ c: Column) -> [UInt64]? {
        c.validity.map { Array($0.words[(lo >> 6)..<((lo + rows + 63) >> 6)]) }
    }

    func mismatch(_ message: String) -> FilterError {
        FilterError(.sourceMismatch, message, at: 0, in: expression)
    }

    /// The column `name`, checked to have `rows` rows and (when given) the storage type `type`.
    func column(_ name: String, _ type: DataType? = nil) throws(FilterError) -> Column {
        guard let c = source.column(named: name) else { throw mismatch("the source has no column '\(name)'") }
        guard c.count == total else { throw mismatch("column '\(name)' has \(c.count) rows, the source \(total)") }
        if let type, c.dataType != type {
            throw mismatch("column '\(name)' holds \(c.dataType), the filter expects \(type)")
        }
        if let v = c.validity, v.count != total { throw mismatch("column '\(name)' has a validity bitset of the wrong size") }
        return c
    }

    func evaluate(_ p: Predicate) throws(FilterError) -> FilterMask {
        switch p {
        case .constant(let b):
            return .constant(b, rows: rows)
        case .and(let a, let b):
            return try evaluate(a).and(try evaluate(b), rows: rows)
        case .or(let a, let b):
            return try evaluate(a).or(try evaluate(b), rows: rows)
        case .not(let a):
            return try evaluate(a).not(rows: rows)
        case .boolColumn(let name):
            let c = try column(name, .bool)
            guard case .bool(let v) = c.data else { throw mismatch("column '\(name)' is not Bool") }
            let lo = self.lo
            return FilterMask(truth: v.withUnsafeBufferPointer { p in FilterMask.build(rows) { p[lo &+ $0] } }, valid: validity(c))
        case .boolArrayElement(let name, let index):
            let (bits, valid) = try arrayElements(name, index: index) { elements, at -> Bool in
                if case .bool(let v) = elements { return v[at] }
                return false
            }
            return FilterMask(truth: FilterMask.build(rows) { bits[$0] }, valid: valid)
        case .boolJSON(let c, let path):
            let values = try jsonLookup(c, path)
            let valid = FilterMask.build(rows) { if case .bool = values[$0] { true } else { false } }
            return FilterMask(truth: FilterMask.build(rows) { values[$0] == .bool(true) }, valid: valid)
        case .boolEquals(let a, let b, let negated):
            let x = try evaluate(a), y = try evaluate(b)
            var t = x.truth
            for i in t.indices { t[i] = negated ? (x.truth[i] ^ y.truth[i]) : ~(x.truth[i] ^ y.truth[i]) }
            FilterMask.clearTail(&t, rows)
            return FilterMask(truth: t, valid: intersectValidity(x.valid, y.valid))
        case .boolIn(let a, let set, let negated):
            let x = try evaluate(a)
            var t = x.truth
            let yes: UInt64 = set.contains(true) ? ~0 : 0, no: UInt64 = set.contains(false) ? ~0 : 0
            for i in t.indices {
                let member = (x.truth[i] & yes) | (~x.truth[i] & no)
                t[i] = negated ? ~member : member
            }
            FilterMask.clearTail(&t, rows)
            return FilterMask(truth: t, valid: x.valid)
        case .compareNumeric(let op, let a, let b):
            return try compareNumeric(op, a, b)
        case .compareString(let op, let a, let b):
            return try compareString(op, a, b)
        case .compareJSONValues(let op, let c1, let p1, let c2, let p2):
            let xs = try jsonLookup(c1, p1), ys = try jsonLookup(c2, p2)
            var valid = [UInt64](repeating: 0, count: FilterMask.words(rows))
            let truth = FilterMask.build(rows) { i in
                let outcome: Bool?
                switch (xs[i], ys[i]) {
                case (.int(let a)?, .int(let b)?): outcome = op.holds(a, b)
                case (.string(let a)?, .string(let b)?): outcome = op.holds(a, b)
                case (.bool(let a)?, .bool(let b)?): outcome = op.isOrdering ? nil : (op == .eq) == (a == b)
                case (let a?, let b?):
                    if let x = a.numericValue, let y = b.numericValue { outcome = op.holds(x, y) } else { outcome = nil }
                default: outcome = nil
                }
                if outcome != nil { valid[i >> 6] |= 1 << UInt64(i & 63) }
                return outcome == true
            }
            return FilterMask(truth: truth, valid: valid)
        case .numericIn(let e, let set, let negated):
            let v = try numeric(e)
            let member: [UInt64]
            switch v.values.materialized(rows) {
            case .ints(let x) where set.doubles.isEmpty && set.ints.count <= 16:
                // The common case, `intField in [small list]`: a branch-free scan of the list per row.
                member = x.withUnsafeBufferPointer { p in
                    set.ints.withUnsafeBufferPointer { list in
                        FilterMask.build(rows) { i in
                            let v = p[i]
                            var hit: UInt8 = 0
                            for k in list { hit |= k == v ? 1 : 0 }
                            return hit != 0
                        }
                    }
                }
            case .ints(let x): member = FilterMask.build(rows) { set.contains(x[$0]) }
            case .doubles(let x): member = FilterMask.build(rows) { set.contains(x[$0]) }
            default: preconditionFailure("materialized numeric values are vectors")
            }
            return FilterMask(truth: negated ? complement(member) : member, valid: v.valid)
        case .stringIn(let e, let set, let negated):
            let (values, valid) = try strings(e)
            let s = values.startIndex
            let member = FilterMask.build(rows) { set.contains(values[s &+ $0]) }
            return FilterMask(truth: negated ? complement(member) : member, valid: valid)
        case .jsonIn(let c, let path, let list, let negated):
            let values = try jsonLookup(c, path)
            // As `x == a or x == b …`: true on a match; false only if x is comparable with every item
            // (same kind: number, string or bool); otherwise unknown.
            let kinds = Set(list.map(\.comparisonKind))
            let onlyKind = kinds.count == 1 ? kinds.first! : -1
            let member = FilterMask.build(rows) { i in
                guard let v = values[i] else { return false }
                return list.contains { v.filterEquals($0) }
            }
            let comparable = FilterMask.build(rows) { values[$0].map { $0.comparisonKind == onlyKind && onlyKind != 0 } ?? false }
            var valid = member
            for i in valid.indices { valid[i] |= comparable[i] }
            return FilterMask(truth: negated ? complement(member) : member, valid: valid)
        case .like(let e, let pattern):
            let (values, valid) = try strings(e)
            let s = values.startIndex
            return FilterMask(truth: FilterMask.build(rows) { pattern.matches(values[s &+ $0]) }, valid: valid)
        case .isNull(.column(let name), let negated):
            let c = try column(name)
            let present = validity(c) ?? FilterMask.constant(true, rows: rows).truth
            return FilterMask(truth: negated ? present : complement(present), valid: nil)
        case .isNull(.json(let c, let path), let negated):
            let values = try jsonLookup(c, path)
            let isNull = FilterMask.build(rows) { i in values[i] == nil || values[i] == .null }
            return FilterMask(truth: negated ? complement(isNull) : isNull, valid: nil)
        case .exists(let c, let path):
            let values = try jsonLookup(c, path)
            return FilterMask(truth: FilterMask.build(rows) { values[$0] != nil }, valid: nil)
        case .arrayContains(let name, let mode, let targets):
            return try arrayContains(name, mode, targets)
        case .jsonContains(let c, let path, let mode, let targets):
            let values = try jsonLookup(c, path)
            let valid = FilterMask.build(rows) { if case .array = values[$0] { true } else { false } }
            let truth = FilterMask.build(rows) { i in
                guard case .array(let items) = values[i] else { return false }
                return FilterEvaluator.contains(mode, targets.count) { t in items.contains { $0.filterEquals(targets[t]) } }
            }
            return FilterMask(truth: truth, valid: valid)
        }
    }

    func complement(_ words: [UInt64]) -> [UInt64] {
        var w = words
        for i in w.indices { w[i] = ~w[i] }
        FilterMask.clearTail(&w, rows)
        return w
    }

    /// Whether a row holding target `t` (`has(t)`) satisfies `mode` over `count` targets.
    @inline(__always)
    static func contains(_ mode: ContainsMode, _ count: Int, _ has: (Int) -> Bool) -> Bool {
        switch mode {
        case .one, .any: return (0..<count).contains { has($0) }
        case .all: return (0..<count).allSatisfy { has($0) }
        }
    }

    // MARK: - JSON and arrays

    /// The value at `path` in each row of the chunk of JSON column `c`; nil where the row is null or the
    /// path is absent.
    func jsonLookup(_ c: String, _ path: [JSONPathKey]) throws(FilterError) -> [FieldValue?] {
        let col = try column(c, .json)
        guard case .json(let docs) = col.data else { throw mismatch("column '\(c)' is not JSON") }
        var out = [FieldValue?](repeating: nil, count: rows)
        for i in 0..<rows where !col.isNull(lo + i) { out[i] = docs[lo + i].lookup(path) }
        return out
    }

    /// For each row of the chunk of Array column `name`: `read(elements, position)` of element `index`, and a validity
    /// mask clear where the row is null or shorter than `index + 1`.
    func arrayElements<T>(
        _ name: String, index: Int, _ read: (ColumnData, Int) -> T
    ) throws(FilterError) -> ([T], [UInt64]) where T: FilterPlaceholder {
        let col = try column(name, .array)
        guard case .array(let a) = col.data else { throw mismatch("column '\(name)' is not an Array") }
        var out = [T](repeating: T.filterPlaceholder, count: rows)
        var valid = [UInt64](repeating: 0, count: FilterMask.words(rows))
        for i in 0..<rows where !col.isNull(lo + i) {
            let r = a.range(ofRow: lo + i)
            if index < r.count {
                out[i] = read(a.elements, r.lowerBound + index)
                valid[i >> 6] |= 1 << UInt64(i & 63)
            }
        }
        return (out, valid)
    }

    func arrayContains(_ name: String, _ mode: ContainsMode, _ targets: [FieldValue]) throws(FilterError) -> FilterMask {
        let col = try column(name, .array)
        guard case .array(let a) = col.data else { throw mismatch("column '\(name)' is not an Array") }
        let offsets = a.offsets
        let rows = self.rows, lo = self.lo
        // Narrow numeric elements are widened for this chunk only, and then addressed from `base`.
        let base = offsets[lo], elementRange = base..<offsets[lo + rows]
        func run<E: Hashable>(_ elements: [E], _ wanted: [E]) -> [UInt64] {
            FilterEvaluator.scan(rows, lo, offsets, elements, mode, Array(Set(wanted)), rebased: 0)
        }
        let truth: [UInt64]
        switch a.elements {
        case .bool(let e):
            truth = run(e, targets.map { $0 == .bool(true) })
        case .string(let e):
            truth = run(e, targets.map { if case .string(let s) = $0 { s } else { "" } })
        case .double(let e):
            truth = FilterEvaluator.scan(rows, lo, offsets, e, mode, Array(Set(targets.compactMap(\.numericValue))), rebased: 0)
        case .float:
            let e = NumericValues.widen(a.elements, elementRange).doublesOrEmpty
            truth = FilterEvaluator.scan(rows, lo, offsets, e, mode, Array(Set(targets.compactMap(\.numericValue))), rebased: base)
        case .int8, .int16, .int32, .int64:
            // Int64 elements are used in place; narrower ones are widened for this chunk only.
            let (e, rebased): ([Int64], Int)
            if case .int64(let v) = a.elements { (e, rebased) = (v, 0) } else {
                (e, rebased) = (NumericValues.widen(a.elements, elementRange).intsOrEmpty, base)
            }
            // A non-integral target can never equal an integer element: it is dropped, so `all` fails.
            let wanted = targets.compactMap { v -> Int64? in
                switch v {
                case .int(let x): x
                case .double(let d): Int64(exactly: d)
                default: nil
                }
            }
            truth = mode == .all && wanted.count < targets.count
                ? FilterMask.constant(false, rows: rows).truth
                : FilterEvaluator.scan(rows, lo, offsets, e, mode, Array(Set(wanted)), rebased: rebased)
        default:
            throw mismatch("column '\(name)' has unsupported array elements")
        }
        return FilterMask(truth: truth, valid: validity(col))
    }
}

extension FilterEvaluator {
    /// For each row `lo + i` of the chunk: whether its elements satisfy `mode` over the distinct `targets`.
    /// Row `r`'s elements are `elements[offsets[r] - rebased ..< offsets[r + 1] - rebased]` (`rebased` is
    /// the first element of the chunk when `elements` holds only the chunk's elements, else 0).
    /// A short target list is scanned per element; a long one is hashed, so the cost per row stays
    /// O(elements) rather than O(elements × targets).
    @inline(__always)
    static func scan<E: Hashable>(
        _ rows: Int, _ lo: Int, _ offsets: [Int], _ elements: [E], _ mode: ContainsMode, _ targets: [E],
        rebased: Int
    ) -> [UInt64] {
        let count = targets.count
        if mode == .all && count == 0 { return FilterMask.constant(true, rows: rows).truth }
        if count == 0 { return FilterMask.constant(false, rows: rows).truth }
        let lookup: Set<E>? = count > 16 ? Set(targets) : nil
        return offsets.withUnsafeBufferPointer { off in
            elements.withUnsafeBufferPointer { el in
                targets.withUnsafeBufferPointer { tg in
                    FilterMask.build(rows) { i in
                        let start = off[lo &+ i] &- rebased, end = off[lo &+ i &+ 1] &- rebased
                        @inline(__always) func has(_ e: E) -> Bool {
                            if let lookup { return lookup.contains(e) }
                            var k = 0
                            while k < count {
                                if tg[k] == e { return true }
                                k &+= 1
                            }
                            return false
                        }
                        var j = start
                        switch mode {
                        case .one, .any:
                            if count == 1 {
                                // array_contains: one comparison per element.
                                let t = tg[0]
                                while j < end {
                                    if el[j] == t { return true }
                                    j &+= 1
                                }
                                return false
                            }
                            while j < end {
                                if has(el[j]) { return true }
                                j &+= 1
                            }
                            return false
                        case .all:
                            // Distinct targets cannot all occur in a shorter row.
                            guard count <= end &- start else { return false }
                            var seen = Set<E>()
                            while j < end {
                                if has(el[j]) { seen.insert(el[j]) }
                                j &+= 1
                            }
                            return seen.count == count
                        }
                    }
                }
            }
        }
    }
}

/// Element types with a placeholder for chunk rows that have no value (null or out of range).
protocol FilterPlaceholder { static var filterPlaceholder: Self { get } }
extension Bool: FilterPlaceholder { static var filterPlaceholder: Bool { false } }
extension Int64: FilterPlaceholder { static var filterPlaceholder: Int64 { 0 } }
extension Double: FilterPlaceholder { static var filterPlaceholder: Double { 0 } }
extension String: FilterPlaceholder { static var filterPlaceholder: String { "" } }

extension FieldValue {
    /// The class of values a filter compares with each other: numbers, strings, bools, or other.
    var comparisonKind: Int {
        switch self {
        case .int, .double: 1
        case .string: 2
        case .bool: 3
        default: 0
        }
    }
}
