/// Why rows or an encoded batch were rejected. Row errors are the caller's fault and name the row (0-based
/// position in the request) and the field, so the HTTP layer can pass them on unchanged.
public enum RowBatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A required field (not nullable, no default, not auto-ID) is absent or null.
    case missingField(row: Int, field: String)
    /// The value's kind does not fit the field's type.
    case wrongType(row: Int, field: String, expected: String, got: String)
    /// A vector has the wrong number of components.
    case wrongDimension(row: Int, field: String, expected: Int, got: Int)
    /// A vector component is NaN or infinite (or overflows Float16).
    case nonFiniteVector(row: Int, field: String, component: Int)
    /// A number does not fit the field's type (e.g. 300 for Int8).
    case outOfRange(row: Int, field: String, value: String)
    /// A VarChar (or VarChar array element) is longer than max_length UTF-8 bytes.
    case tooLong(row: Int, field: String, length: Int, maxLength: Int)
    /// An array has more than max_capacity elements.
    case tooManyElements(row: Int, field: String, count: Int, maxCapacity: Int)
    /// A key that is not a field, while the dynamic field is disabled (or a reserved key).
    case unknownField(row: Int, field: String)
    /// A row carries a value for an auto-ID primary key.
    case autoIDProvided(row: Int, field: String)
    /// The number of server-assigned ids does not match the number of rows.
    case autoIDCountMismatch(expected: Int, got: Int)
    /// Columns given directly do not match the schema (names, types, lengths, null masks, dimensions).
    case columnMismatch(String)
    /// Encoded batch bytes are damaged or do not match the schema.
    case malformedEncoding(String)

    public var description: String {
        switch self {
        case .missingField(let r, let f): "row \(r): field '\(f)' is required but missing or null"
        case .wrongType(let r, let f, let e, let g): "row \(r): field '\(f)' expects \(e), got \(g)"
        case .wrongDimension(let r, let f, let e, let g): "row \(r): field '\(f)' expects a vector of dimension \(e), got \(g)"
        case .nonFiniteVector(let r, let f, let c): "row \(r): field '\(f)' has a NaN or infinite component at index \(c)"
        case .outOfRange(let r, let f, let v): "row \(r): field '\(f)' value \(v) is out of range for its type"
        case .tooLong(let r, let f, let l, let m): "row \(r): field '\(f)' is \(l) bytes long, over max_length \(m)"
        case .tooManyElements(let r, let f, let c, let m): "row \(r): field '\(f)' has \(c) elements, over max_capacity \(m)"
        case .unknownField(let r, let f):
            "row \(r): '\(f)' is not a field of the collection (enable the dynamic field to keep extra keys; '$meta' is reserved)"
        case .autoIDProvided(let r, let f): "row \(r): primary key '\(f)' is auto-generated and must not be given"
        case .autoIDCountMismatch(let e, let g): "expected \(e) auto-generated ids, got \(g)"
        case .columnMismatch(let m): "columns do not match the schema: \(m)"
        case .malformedEncoding(let m): "malformed row batch encoding: \(m)"
        }
    }
}
