/// The typed, schema-checked form of a filter expression that the evaluator runs. Built once by
/// ``FilterChecker``; every field reference is resolved to a column name and its storage type, and every
/// literal to the type it is compared with, so evaluation never re-checks types per row.
indirect enum Predicate: Equatable, Sendable {
    case constant(Bool)
    case and(Predicate, Predicate)
    case or(Predicate, Predicate)
    case not(Predicate)
    /// A Bool field used as a predicate.
    case boolColumn(String)
    /// `arr[i]` of a Bool array; unknown when the row's array is shorter.
    case boolArrayElement(String, index: Int)
    /// A JSON value used as a predicate; unknown unless it is a bool.
    case boolJSON(String, [JSONPathKey])
    /// `a == b` (or `!=` when negated) between two boolean operands.
    case boolEquals(Predicate, Predicate, negated: Bool)
    /// `a in [true, false…]` on a boolean operand.
    case boolIn(Predicate, Set<Bool>, negated: Bool)
    case compareNumeric(FilterSyntax.ComparisonOp, NumericExpr, NumericExpr)
    case compareString(FilterSyntax.ComparisonOp, StringExpr, StringExpr)
    /// Two JSON values compared row by row: numbers with numbers, strings with strings, bools with bools
    /// (== and != only); any other pairing is unknown.
    case compareJSONValues(FilterSyntax.ComparisonOp, String, [JSONPathKey], String, [JSONPathKey])
    case numericIn(NumericExpr, NumericSet, negated: Bool)
    case stringIn(StringExpr, Set<String>, negated: Bool)
    /// `json["k"] in [...]` with literals of mixed types.
    case jsonIn(String, [JSONPathKey], [FieldValue], negated: Bool)
    case like(StringExpr, LikePattern)
    /// `field is null` (a whole column) or `json["k"] is null` (missing or JSON null).
    case isNull(NullTarget, negated: Bool)
    /// `exists json["k"]`: the key is present.
    case exists(String, [JSONPathKey])
    /// array_contains / _all / _any on a typed Array field; values already of the element's kind.
    case arrayContains(String, ContainsMode, [FieldValue])
    /// json_contains / _all / _any (or array_contains on a JSON path).
    case jsonContains(String, [JSONPathKey], ContainsMode, [FieldValue])
}

enum ContainsMode: Equatable, Sendable {
    /// One value (array_contains).
    case one
    /// Every listed value occurs (…_contains_all).
    case all
    /// At least one listed value occurs (…_contains_any).
    case any
}

enum NullTarget: Equatable, Sendable {
    case column(String)
    case json(String, [JSONPathKey])
}

/// A numeric operand; evaluated to Int64 or Double per row, null where an input is null, a JSON value is
/// not a number, an array index is out of range, or a divisor is zero.
indirect enum NumericExpr: Equatable, Sendable {
    case column(String, DataType)
    case arrayElement(String, DataType, index: Int)
    case json(String, [JSONPathKey])
    case arrayLength(String)
    case jsonArrayLength(String, [JSONPathKey])
    case int(Int64)
    case float(Double)
    case negate(NumericExpr)
    case arithmetic(FilterSyntax.ArithmeticOp, NumericExpr, NumericExpr)

    var isConstant: Bool {
        switch self {
        case .int, .float: true
        default: false
        }
    }
}

/// A string operand.
enum StringExpr: Equatable, Sendable {
    case column(String)
    case arrayElement(String, index: Int)
    case json(String, [JSONPathKey])
    case constant(String)
}

/// The numbers of an `in` list; an integer and a float are equal when their values are (1 == 1.0).
/// Kept as sorted arrays: short lists are scanned, long ones binary-searched — both cheaper per row than
/// hashing.
struct NumericSet: Equatable, Sendable {
    private(set) var ints: [Int64] = []
    private(set) var doubles: [Double] = []

    init(ints: [Int64] = [], doubles: [Double] = []) {
        self.ints = Array(Set(ints)).sorted()
        self.doubles = Array(Set(doubles)).sorted()
    }

    @inline(__always)
    static func has<T: Comparable>(_ sorted: [T], _ v: T) -> Bool {
        if sorted.count <= 16 { return sorted.contains(v) }
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if sorted[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == v
    }

    func contains(_ v: Int64) -> Bool {
        NumericSet.has(ints, v) || (!doubles.isEmpty && NumericSet.has(doubles, Double(v)))
    }

    func contains(_ d: Double) -> Bool {
        if NumericSet.has(doubles, d) { return true }
        guard let i = Int64(exactly: d) else { return false }
        return NumericSet.has(ints, i)
    }
}

extension FieldValue {
    /// Equality as filters see it: numbers compare by value across int and float, everything else
    /// structurally.
    func filterEquals(_ other: FieldValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a == b
        case (.int, .double), (.double, .int), (.double, .double):
            return numericValue! == other.numericValue!
        default: return self == other
        }
    }
}
