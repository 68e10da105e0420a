#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scalar arithmetic with the filter's rules, and the column-vs-constant comparison loops.
///
/// Integer `+ - *` wrap on overflow (no trap on user data); integer `/` truncates; `/` and `%` by zero give
/// null (nil). `**` is always computed in Double.
enum NumericKernels {
    @inline(__always)
    static func intOp(_ op: FilterSyntax.ArithmeticOp, _ a: Int64, _ b: Int64) -> Int64? {
        switch op {
        case .add: return a &+ b
        case .sub: return a &- b
        case .mul: return a &* b
        case .div: return b == 0 ? nil : a.dividedReportingOverflow(by: b).partialValue
        case .mod: return b == 0 ? nil : a.remainderReportingOverflow(dividingBy: b).partialValue
        case .pow: return nil
        }
    }

    @inline(__always)
    static func doubleOp(_ op: FilterSyntax.ArithmeticOp, _ a: Double, _ b: Double) -> Double? {
        switch op {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return b == 0 ? nil : a / b
        case .mod: return b == 0 ? nil : a.truncatingRemainder(dividingBy: b)
        case .pow: return pow(a, b)
        }
    }

    /// The outcome of comparing an integer column with a Double constant, reduced to integer terms.
    enum IntegerComparison {
        case compare(FilterSyntax.ComparisonOp, Int64)
        case all(Bool)
    }

    /// Rewrites `x op d` for integer `x` exactly: `x < 2.5` ⇔ `x <= 2`, `x == 2.5` is never true, and
    /// constants beyond Int64 make the result constant.
    static func integerComparison(_ op: FilterSyntax.ComparisonOp, _ d: Double) -> IntegerComparison {
        let two63 = 9.223372036854775808e18
        switch op {
        case .eq, .ne:
            guard d.rounded(.towardZero) == d, d >= -two63, d < two63 else { return .all(op == .ne) }
            return .compare(op, Int64(d))
        case .lt, .le:
            // x < d ⇔ x <= ceil(d) - 1 for integral d, x <= floor(d) otherwise; likewise for <=.
            let f = op == .lt && d.rounded(.down) == d ? d - 1 : d.rounded(.down)
            if f >= two63 { return .all(true) }
            if f < -two63 { return .all(false) }
            return .compare(.le, Int64(f))
        case .gt, .ge:
            let c = op == .gt && d.rounded(.up) == d ? d + 1 : d.rounded(.up)
            if c >= two63 { return .all(false) }
            if c <= -two63 { return .all(true) }
            return .compare(.ge, Int64(c))
        }
    }

    /// `values[i] op c` for every row of `range` (all rows when nil) of an integer column, widening each
    /// element to Int64.
    static func compare<T: FixedWidthInteger>(
        _ values: [T], _ range: Range<Int>? = nil, _ op: FilterSyntax.ComparisonOp, _ c: Int64
    ) -> [UInt64] {
        values.withUnsafeBufferPointer { full in
            let p = range.map { UnsafeBufferPointer(rebasing: full[$0]) } ?? full
            return switch op {
            case .eq: FilterMask.build(p.count) { Int64(truncatingIfNeeded: p[$0]) == c }
            case .ne: FilterMask.build(p.count) { Int64(truncatingIfNeeded: p[$0]) != c }
            case .lt: FilterMask.build(p.count) { Int64(truncatingIfNeeded: p[$0]) < c }
            case .le: FilterMask.build(p.count) { Int64(truncatingIfNeeded: p[$0]) <= c }
            case .gt: FilterMask.build(p.count) { Int64(truncatingIfNeeded: p[$0]) > c }
            case .ge: FilterMask.build(p.count) { Int64(truncatingIfNeeded: p[$0]) >= c }
            }
        }
    }

    /// `values[i] op c` for every row of `range` of a Float column, compared in Double.
    static func compare(_ values: [Float], _ range: Range<Int>? = nil, _ op: FilterSyntax.ComparisonOp, _ c: Double) -> [UInt64] {
        values.withUnsafeBufferPointer { full in
            let p = range.map { UnsafeBufferPointer(rebasing: full[$0]) } ?? full
            return switch op {
            case .eq: FilterMask.build(p.count) { Double(p[$0]) == c }
            case .ne: FilterMask.build(p.count) { Double(p[$0]) != c }
            case .lt: FilterMask.build(p.count) { Double(p[$0]) < c }
            case .le: FilterMask.build(p.count) { Double(p[$0]) <= c }
            case .gt: FilterMask.build(p.count) { Double(p[$0]) > c }
            case .ge: FilterMask.build(p.count) { Double(p[$0]) >= c }
            }
        }
    }

    /// `values[i] op c` for every row of `range` of a Double vector.
    static func compare(_ values: [Double], _ range: Range<Int>? = nil, _ op: FilterSyntax.ComparisonOp, _ c: Double) -> [UInt64] {
        values.withUnsafeBufferPointer { full in
            let p = range.map { UnsafeBufferPointer(rebasing: full[$0]) } ?? full
            return switch op {
            case .eq: FilterMask.build(p.count) { p[$0] == c }
            case .ne: FilterMask.build(p.count) { p[$0] != c }
            case .lt: FilterMask.build(p.count) { p[$0] < c }
            case .le: FilterMask.build(p.count) { p[$0] <= c }
            case .gt: FilterMask.build(p.count) { p[$0] > c }
            case .ge: FilterMask.build(p.count) { p[$0] >= c }
            }
        }
    }

    /// `a[i] op b[i]` row by row.
    static func compare<T: Comparable>(_ a: [T], _ op: FilterSyntax.ComparisonOp, _ b: [T]) -> [UInt64] {
        a.withUnsafeBufferPointer { p in
            b.withUnsafeBufferPointer { q in
                switch op {
                case .eq: FilterMask.build(p.count) { p[$0] == q[$0] }
                case .ne: FilterMask.build(p.count) { p[$0] != q[$0] }
                case .lt: FilterMask.build(p.count) { p[$0] < q[$0] }
                case .le: FilterMask.build(p.count) { p[$0] <= q[$0] }
                case .gt: FilterMask.build(p.count) { p[$0] > q[$0] }
                case .ge: FilterMask.build(p.count) { p[$0] >= q[$0] }
                }
            }
        }
    }

    /// `a[i] op c` for a slice of strings and a constant.
    static func compare(_ a: ArraySlice<String>, _ op: FilterSyntax.ComparisonOp, _ c: String) -> [UInt64] {
        let s = a.startIndex
        return switch op {
        case .eq: FilterMask.build(a.count) { a[s &+ $0] == c }
        case .ne: FilterMask.build(a.count) { a[s &+ $0] != c }
        case .lt: FilterMask.build(a.count) { a[s &+ $0] < c }
        case .le: FilterMask.build(a.count) { a[s &+ $0] <= c }
        case .gt: FilterMask.build(a.count) { a[s &+ $0] > c }
        case .ge: FilterMask.build(a.count) { a[s &+ $0] >= c }
        }
    }
}
