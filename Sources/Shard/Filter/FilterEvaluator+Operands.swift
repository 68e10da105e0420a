/// Numeric values of an operand for the rows of a chunk (a vector) or one constant.
enum NumericValues {
    case ints([Int64])
    case doubles([Double])
    case int(Int64)
    case double(Double)

    var isInteger: Bool {
        switch self {
        case .ints, .int: true
        default: false
        }
    }

    /// A numeric column widened to Int64 (integer types) or Double (Float, Double).
    static func widen(_ data: ColumnData, _ range: Range<Int>? = nil) -> NumericValues {
        switch data {
        case .int8(let v): .ints(convert(v, range) { Int64($0) })
        case .int16(let v): .ints(convert(v, range) { Int64($0) })
        case .int32(let v): .ints(convert(v, range) { Int64($0) })
        case .int64(let v): .ints(range.map { Array(v[$0]) } ?? v)
        case .float(let v): .doubles(convert(v, range) { Double($0) })
        case .double(let v): .doubles(range.map { Array(v[$0]) } ?? v)
        default: .ints([])
        }
    }

    /// `v.map(f)` over raw buffers (a plain `map` measured 4× slower here).
    @inline(__always)
    static func convert<S, T>(_ v: [S], _ range: Range<Int>? = nil, _ f: (S) -> T) -> [T] {
        v.withUnsafeBufferPointer { full in
            let p = range.map { UnsafeBufferPointer(rebasing: full[$0]) } ?? full
            return [T](unsafeUninitializedCapacity: p.count) { out, initialized in
                for i in 0..<p.count { out[i] = f(p[i]) }
                initialized = p.count
            }
        }
    }

    /// The constant of `.int` (0 otherwise; callers switch first).
    var intConstant: Int64 { if case .int(let c) = self { c } else { 0 } }
    /// The constant of `.double` (0 otherwise; callers switch first).
    var doubleConstant: Double { if case .double(let c) = self { c } else { 0 } }

    var intsOrEmpty: [Int64] { if case .ints(let v) = self { v } else { [] } }
    var doublesOrEmpty: [Double] { if case .doubles(let v) = self { v } else { [] } }

    /// Constants repeated to `rows` entries; vectors unchanged.
    func materialized(_ rows: Int) -> NumericValues {
        switch self {
        case .int(let v): .ints([Int64](repeating: v, count: rows))
        case .double(let v): .doubles([Double](repeating: v, count: rows))
        default: self
        }
    }

    /// As Double values (vector or constant).
    var asDoubles: NumericValues {
        switch self {
        case .ints(let v): .doubles(NumericValues.convert(v) { Double($0) })
        case .int(let v): .double(Double(v))
        default: self
        }
    }
}

/// A numeric operand evaluated for the rows of a chunk; `valid` nil means no nulls.
struct NumericVector {
    var values: NumericValues
    var valid: [UInt64]?
}

extension FilterEvaluator {
    func numeric(_ e: NumericExpr) throws(FilterError) -> NumericVector {
        switch e {
        case .int(let v): return NumericVector(values: .int(v), valid: nil)
        case .float(let v): return NumericVector(values: .double(v), valid: nil)
        case .column(let name, let type):
            let c = try column(name, type)
            return NumericVector(values: .widen(c.data, range), valid: validity(c))
        case .arrayElement(let name, let type, let index):
            if type.isInteger {
                let (v, valid) = try arrayElements(name, index: index) { elements, at -> Int64 in
                    if case .int(let x) = elements.value(at: at) { return x }
                    return 0
                }
                return NumericVector(values: .ints(v), valid: valid)
            }
            let (v, valid) = try arrayElements(name, index: index) { elements, at -> Double in
                elements.value(at: at).numericValue ?? 0
            }
            return NumericVector(values: .doubles(v), valid: valid)
        case .json(let c, let path):
            // JSON numbers enter arithmetic as Double, whatever their neighbours hold, so a row's result
            // never depends on other rows. (A direct comparison with an integer literal is exact; see
            // compareNumeric.)
            let docs = try jsonLookup(c, path)
            let valid = FilterMask.build(rows) { docs[$0]?.numericValue != nil }
            return NumericVector(values: .doubles(docs.map { $0?.numericValue ?? 0 }), valid: valid)
        case .arrayLength(let name):
            let c = try column(name, .array)
            guard case .array(let a) = c.data else { throw mismatch("column '\(name)' is not an Array") }
            let lengths = range.map { Int64(a.offsets[$0 + 1] - a.offsets[$0]) }
            return NumericVector(values: .ints(lengths), valid: validity(c))
        case .jsonArrayLength(let c, let path):
            let docs = try jsonLookup(c, path)
            let valid = FilterMask.build(rows) { if case .array = docs[$0] { true } else { false } }
            let lengths = docs.map { d -> Int64 in if case .array(let a) = d { Int64(a.count) } else { 0 } }
            return NumericVector(values: .ints(lengths), valid: valid)
        case .negate(let inner):
            let v = try numeric(inner)
            switch v.values {
            case .ints(let x): return NumericVector(values: .ints(x.map { 0 &- $0 }), valid: v.valid)
            case .doubles(let x): return NumericVector(values: .doubles(x.map { -$0 }), valid: v.valid)
            case .int(let x): return NumericVector(values: .int(0 &- x), valid: v.valid)
            case .double(let x): return NumericVector(values: .double(-x), valid: v.valid)
            }
        case .arithmetic(let op, let l, let r):
            return arithmetic(op, try numeric(l), try numeric(r))
        }
    }

    /// Element-wise `a op b`; rows where either side is null, or a divisor is zero, are null.
    /// A constant side is not materialised (one pass, one output allocation).
    func arithmetic(_ op: FilterSyntax.ArithmeticOp, _ a: NumericVector, _ b: NumericVector) -> NumericVector {
        var valid = intersectValidity(a.valid, b.valid)
        if a.values.isInteger && b.values.isInteger && op != .pow {
            let out: [Int64]
            switch op {
            case .add: out = combine(a.values, b.values, int: { $0 &+ $1 })
            case .sub: out = combine(a.values, b.values, int: { $0 &- $1 })
            case .mul: out = combine(a.values, b.values, int: { $0 &* $1 })
            default:
                out = combine(a.values, b.values, int: { NumericKernels.intOp(op, $0, $1) ?? 0 })
                valid = intersectValidity(valid, nonZero(b.values))
            }
            return NumericVector(values: .ints(out), valid: valid)
        }
        let x = a.values.asDoubles, y = b.values.asDoubles
        let out: [Double]
        switch op {
        case .add: out = combine(x, y, double: { $0 + $1 })
        case .sub: out = combine(x, y, double: { $0 - $1 })
        case .mul: out = combine(x, y, double: { $0 * $1 })
        case .pow: out = combine(x, y, double: { NumericKernels.doubleOp(.pow, $0, $1)! })
        case .div, .mod:
            out = combine(x, y, double: { NumericKernels.doubleOp(op, $0, $1) ?? 0 })
            valid = intersectValidity(valid, nonZero(y))
        }
        return NumericVector(values: .doubles(out), valid: valid)
    }

    /// Rows where a divisor is non-zero (nil: all of them).
    private func nonZero(_ v: NumericValues) -> [UInt64]? {
        switch v {
        case .ints(let q): return q.withUnsafeBufferPointer { p in FilterMask.build(rows) { p[$0] != 0 } }
        case .doubles(let q): return q.withUnsafeBufferPointer { p in FilterMask.build(rows) { p[$0] != 0 } }
        case .int(let c): return c != 0 ? nil : FilterMask.constant(false, rows: rows).truth
        case .double(let c): return c != 0 ? nil : FilterMask.constant(false, rows: rows).truth
        }
    }

    @inline(__always)
    private func combine(_ a: NumericValues, _ b: NumericValues, int f: (Int64, Int64) -> Int64) -> [Int64] {
        switch (a, b) {
        case (.ints(let x), .ints(let y)): return FilterEvaluator.zip(x, y, f)
        case (.ints(let x), .int(let c)): return NumericValues.convert(x) { f($0, c) }
        case (.int(let c), .ints(let y)): return NumericValues.convert(y) { f(c, $0) }
        default: return [Int64](repeating: f(a.intConstant, b.intConstant), count: rows)
        }
    }

    @inline(__always)
    private func combine(_ a: NumericValues, _ b: NumericValues, double f: (Double, Double) -> Double) -> [Double] {
        switch (a, b) {
        case (.doubles(let x), .doubles(let y)): return FilterEvaluator.zip(x, y, f)
        case (.doubles(let x), .double(let c)): return NumericValues.convert(x) { f($0, c) }
        case (.double(let c), .doubles(let y)): return NumericValues.convert(y) { f(c, $0) }
        default: return [Double](repeating: f(a.doubleConstant, b.doubleConstant), count: rows)
        }
    }

    /// `f(x[i], y[i])` for every row, over raw buffers (no per-element bounds or uniqueness checks).
    @inline(__always)
    static func zip<T>(_ x: [T], _ y: [T], _ f: (T, T) -> T) -> [T] {
        x.withUnsafeBufferPointer { p in
            y.withUnsafeBufferPointer { q in
                [T](unsafeUninitializedCapacity: p.count) { out, initialized in
                    for i in 0..<p.count { out[i] = f(p[i], q[i]) }
                    initialized = p.count
                }
            }
        }
    }

    func compareNumeric(_ op: FilterSyntax.ComparisonOp, _ a: NumericExpr, _ b: NumericExpr) throws(FilterError) -> FilterMask {
        // Fast path: a numeric column against a constant runs one loop over the column's own storage.
        if case .column(let name, let type) = a, b.isConstant {
            return try compareColumn(try column(name, type), op, b)
        }
        if case .column(let name, let type) = b, a.isConstant {
            return try compareColumn(try column(name, type), op.flipped, a)
        }
        // A JSON path against an integer literal compares integer JSON values exactly (ids beyond 2^53).
        if case .json(let c, let path) = a, case .int(let k) = b { return try compareJSON(c, path, op, k) }
        if case .json(let c, let path) = b, case .int(let k) = a { return try compareJSON(c, path, op.flipped, k) }
        let x = try numeric(a), y = try numeric(b)
        let valid = intersectValidity(x.valid, y.valid)
        let truth: [UInt64]
        switch (x.values, y.values) {
        case (.ints(let p), .int(let c)): truth = NumericKernels.compare(p, nil, op, c)
        case (.int(let c), .ints(let q)): truth = NumericKernels.compare(q, nil, op.flipped, c)
        case (.ints(let p), .ints(let q)): truth = NumericKernels.compare(p, op, q)
        default:
            switch (x.values.asDoubles, y.values.asDoubles) {
            case (.doubles(let p), .double(let c)): truth = NumericKernels.compare(p, nil, op, c)
            case (.double(let c), .doubles(let q)): truth = NumericKernels.compare(q, nil, op.flipped, c)
            case (.doubles(let p), .doubles(let q)): truth = NumericKernels.compare(p, op, q)
            case (.double(let c), .double(let d)): truth = FilterMask.constant(op.holds(c, d), rows: rows).truth
            default: preconditionFailure("asDoubles yields doubles")
            }
        }
        return FilterMask(truth: truth, valid: valid)
    }

    /// `json[path] op k` per row: integers compared as Int64, floats as Double, anything else unknown.
    func compareJSON(_ c: String, _ path: [JSONPathKey], _ op: FilterSyntax.ComparisonOp, _ k: Int64) throws(FilterError) -> FilterMask {
        let docs = try jsonLookup(c, path)
        let kd = Double(k)
        let valid = FilterMask.build(rows) { docs[$0]?.numericValue != nil }
        let truth = FilterMask.build(rows) { i in
            switch docs[i] {
            case .int(let x)?: op.holds(x, k)
            case .double(let d)?: op.holds(d, kd)
            default: false
            }
        }
        return FilterMask(truth: truth, valid: valid)
    }

    func compareColumn(_ c: Column, _ op: FilterSyntax.ComparisonOp, _ constant: NumericExpr) throws(FilterError) -> FilterMask {
        let valid = validity(c)
        let range = self.range
        func integer<T: FixedWidthInteger>(_ v: [T]) -> [UInt64] {
            switch constant {
            case .int(let k): return NumericKernels.compare(v, range, op, k)
            default:
                switch NumericKernels.integerComparison(op, constant.constantValue!) {
                case .compare(let op2, let k): return NumericKernels.compare(v, range, op2, k)
                case .all(let b): return FilterMask.constant(b, rows: rows).truth
                }
            }
        }
        let truth: [UInt64]
        switch c.data {
        case .int8(let v): truth = integer(v)
        case .int16(let v): truth = integer(v)
        case .int32(let v): truth = integer(v)
        case .int64(let v): truth = integer(v)
        case .float(let v): truth = NumericKernels.compare(v, range, op, constant.constantValue!)
        case .double(let v): truth = NumericKernels.compare(v, range, op, constant.constantValue!)
        default: throw mismatch("column '\(c.name)' is not numeric")
        }
        return FilterMask(truth: truth, valid: valid)
    }

    /// A string operand for the chunk (constants repeated) as a slice — index it from `startIndex` — with
    /// its validity. Column data is sliced, not copied.
    func strings(_ e: StringExpr) throws(FilterError) -> (ArraySlice<String>, [UInt64]?) {
        switch e {
        case .constant(let s): return ([String](repeating: s, count: rows)[...], nil)
        case .column(let name):
            let c = try column(name, .varChar)
            guard case .string(let v) = c.data else { throw mismatch("column '\(name)' is not VarChar") }
            return (v[range], validity(c))
        case .arrayElement(let name, let index):
            let (v, valid) = try arrayElements(name, index: index) { elements, at -> String in
                if case .string(let s) = elements { return s[at] }
                return ""
            }
            return (v[...], valid)
        case .json(let c, let path):
            let docs = try jsonLookup(c, path)
            let valid = FilterMask.build(rows) { if case .string = docs[$0] { true } else { false } }
            return (docs.map { d -> String in if case .string(let s) = d { s } else { "" } }[...], valid)
        }
    }

    func compareString(_ op: FilterSyntax.ComparisonOp, _ a: StringExpr, _ b: StringExpr) throws(FilterError) -> FilterMask {
        if case .constant(let k) = b {
            let (v, valid) = try strings(a)
            return FilterMask(truth: NumericKernels.compare(v, op, k), valid: valid)
        }
        if case .constant(let k) = a {
            let (v, valid) = try strings(b)
            return FilterMask(truth: NumericKernels.compare(v, op.flipped, k), valid: valid)
        }
        let (x, vx) = try strings(a), (y, vy) = try strings(b)
        return FilterMask(truth: NumericKernels.compare(Array(x), op, Array(y)), valid: intersectValidity(vx, vy))
    }
}
