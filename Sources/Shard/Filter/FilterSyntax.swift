/// The untyped tree the parser builds, before names and types are resolved against a schema.
/// Every node keeps the offset of the text it came from, for error messages.
indirect enum FilterSyntax: Equatable, Sendable {
    enum Literal: Equatable, Sendable {
        case int(Int64)
        case float(Double)
        case string(String)
        case bool(Bool)
    }
    enum ArithmeticOp: String, Sendable { case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "**" }
    enum ComparisonOp: String, Sendable {
        case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
        var isOrdering: Bool { self != .eq && self != .ne }
    }

    case literal(Literal, at: Int)
    /// `[a, b, …]`
    case list([FilterSyntax], at: Int)
    /// A field name, a dynamic-field key, or `$meta`.
    case identifier(String, at: Int)
    /// `base["key"]` or `base[3]`.
    case subscripted(FilterSyntax, JSONPathKey, at: Int)
    case negate(FilterSyntax, at: Int)
    case not(FilterSyntax, at: Int)
    case arithmetic(ArithmeticOp, FilterSyntax, FilterSyntax, at: Int)
    case comparison(ComparisonOp, FilterSyntax, FilterSyntax, at: Int)
    case and(FilterSyntax, FilterSyntax)
    case or(FilterSyntax, FilterSyntax)
    case inList(FilterSyntax, FilterSyntax, negated: Bool, at: Int)
    case like(FilterSyntax, pattern: String, at: Int)
    case isNull(FilterSyntax, negated: Bool, at: Int)
    case exists(FilterSyntax, at: Int)
    /// A function call; an all-upper-case name is lower-cased, other names are kept as written.
    case call(String, [FilterSyntax], at: Int)

    /// Where the node's text starts (for binary nodes, the operator).
    var position: Int {
        switch self {
        case .literal(_, let p), .list(_, let p), .identifier(_, let p), .subscripted(_, _, let p),
            .negate(_, let p), .not(_, let p), .arithmetic(_, _, _, let p), .comparison(_, _, _, let p),
            .inList(_, _, _, let p), .like(_, _, let p), .isNull(_, _, let p), .exists(_, let p),
            .call(_, _, let p):
            p
        case .and(let l, _), .or(let l, _): l.position
        }
    }
}
