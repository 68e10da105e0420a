import VecCore

/// A Milvus boolean filter expression (`age > 30 and color in ["red", "blue"]`), parsed and type-checked
/// once against a collection schema, then evaluated over any number of columnar sources.
///
/// The supported grammar is documented in `docs/filter-expressions.md`. In short: comparisons
/// (`== != < <= > >=`, chained `1 < x <= 5`), `in` / `not in` lists, `like` with `%` and `_`,
/// `and`/`&&`, `or`/`||`, `not`/`!`, parentheses, `+ - * / % **` on numbers, JSON paths
/// (`meta["a"]["b"]`, `meta["tags"][0]`), dynamic-field keys by bare name, Array elements (`arr[0]`),
/// `json_contains[_all|_any]`, `array_contains[_all|_any]`, `array_length`, `exists`, `is [not] null`.
///
/// Nulls follow SQL three-valued logic: a comparison involving a null field, a missing JSON key, a JSON
/// value of another type, an out-of-range array index or a division by zero is *unknown*; unknown rows
/// never match, even under `not`; `and`/`or` follow Kleene logic (`false and unknown` is false,
/// `true or unknown` is true). `is null` / `is not null` are always known.
///
/// ```swift
/// let filter = try FilterExpression("age > 30 and meta[\"lang\"] == \"en\"", schema: schema)
/// let matches: Bitset = try filter.evaluate(on: batch)
/// ```
///
/// Thread-safety: immutable and `Sendable`; evaluate it from any thread (evaluation is CPU work — run it
/// on the caller's worker thread, not the cooperative pool).
public struct FilterExpression: Sendable, CustomStringConvertible {
    /// The expression text as given.
    public let text: String
    let predicate: Predicate
    /// Names of the columns evaluation reads (fields, and `$meta` for dynamic keys), sorted.
    public let referencedColumns: [String]

    /// Parses and type-checks `text` against `schema`. An empty text is an error: Milvus's "no filter"
    /// (`filter: ""`) is for the caller to handle by not filtering.
    /// - Throws: ``FilterError`` with the position of the problem: syntax errors, unknown fields, type
    ///   mismatches, unsupported Milvus features.
    /// - Parameter parameters: values for template parameters `{name}` in `text` (Milvus's `exprParams`):
    ///   numbers, strings, bools, or arrays of them (an array stands for a list literal).
    public init(_ text: String, schema: CollectionSchema, parameters: [String: FieldValue] = [:]) throws(FilterError) {
        let syntax = try FilterParser.parse(text, parameters: parameters)
        let predicate = try FilterChecker(schema: schema, text: text).checkRoot(syntax)
        self.text = text
        self.predicate = predicate
        var columns = Set<String>()
        predicate.collectColumns(into: &columns)
        self.referencedColumns = columns.sorted()
    }

    /// Whether the expression is the constant `true` (e.g. `1 == 1`) and evaluation can be skipped.
    public var isAlwaysTrue: Bool { predicate == .constant(true) }
    /// Whether the expression is the constant `false`.
    public var isAlwaysFalse: Bool { predicate == .constant(false) }

    public var description: String { text }

    /// The rows of `source` that match, as a bitset of `source.rowCount` positions.
    /// - Throws: ``FilterError`` of kind ``FilterError/Kind/sourceMismatch`` if the source lacks a
    ///   referenced column or holds it with another type or length.
    /// - Complexity: O(rows × operators) with word-at-a-time logic; JSON paths and array functions also
    ///   visit each row's value.
    public func evaluate(on source: some ColumnarSource) throws(FilterError) -> Bitset {
        try evaluate(on: source, chunkRows: FilterExpression.chunkRows)
    }

    /// Rows evaluated at a time: temporaries stay in cache (8192 × 8 bytes = 64 KiB per vector).
    static let chunkRows = 8192

    func evaluate(on source: some ColumnarSource, chunkRows: Int) throws(FilterError) -> Bitset {
        precondition(chunkRows > 0 && chunkRows % 64 == 0, "chunks must be whole words")
        let total = source.rowCount
        var out = Bitset(count: total)
        var lo = 0
        while lo < total {
            let rows = min(chunkRows, total - lo)
            let mask = try FilterEvaluator(source: source, lo: lo, rows: rows, total: total, expression: text).evaluate(predicate)
            // Bitset offers no bulk word store, so set bits are inserted one by one (O(matches)).
            for (wi, word) in mask.truth.enumerated() {
                var w = word
                while w != 0 {
                    out.insert(lo + (wi << 6 | w.trailingZeroBitCount))
                    w &= w &- 1
                }
            }
            lo += rows
        }
        return out
    }
}

extension Predicate {
    func collectColumns(into set: inout Set<String>) {
        switch self {
        case .constant: break
        case .and(let a, let b), .or(let a, let b), .boolEquals(let a, let b, _):
            a.collectColumns(into: &set)
            b.collectColumns(into: &set)
        case .not(let a), .boolIn(let a, _, _): a.collectColumns(into: &set)
        case .boolColumn(let c), .boolArrayElement(let c, _), .boolJSON(let c, _), .jsonIn(let c, _, _, _),
            .exists(let c, _), .arrayContains(let c, _, _), .jsonContains(let c, _, _, _),
            .isNull(.column(let c), _), .isNull(.json(let c, _), _):
            set.insert(c)
        case .compareJSONValues(_, let a, _, let b, _):
            set.insert(a)
            set.insert(b)
        case .compareNumeric(_, let a, let b):
            a.collectColumns(into: &set)
            b.collectColumns(into: &set)
        case .numericIn(let a, _, _): a.collectColumns(into: &set)
        case .compareString(_, let a, let b):
            a.collectColumns(into: &set)
            b.collectColumns(into: &set)
        case .stringIn(let a, _, _), .like(let a, _): a.collectColumns(into: &set)
        }
    }
}

extension NumericExpr {
    func collectColumns(into set: inout Set<String>) {
        switch self {
        case .column(let c, _), .arrayElement(let c, _, _), .json(let c, _), .arrayLength(let c), .jsonArrayLength(let c, _):
            set.insert(c)
        case .int, .float: break
        case .negate(let a): a.collectColumns(into: &set)
        case .arithmetic(_, let a, let b):
            a.collectColumns(into: &set)
            b.collectColumns(into: &set)
        }
    }
}

extension StringExpr {
    func collectColumns(into set: inout Set<String>) {
        switch self {
        case .column(let c), .arrayElement(let c, _), .json(let c, _): set.insert(c)
        case .constant: break
        }
    }
}

