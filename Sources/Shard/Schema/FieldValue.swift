/// A dynamically typed value: one cell of an incoming row, a JSON document, or a default value.
///
/// The HTTP layer turns request JSON into `FieldValue`s and ``RowBatch/init(schema:rows:autoIDs:)`` checks
/// them against the schema and packs them into typed columns; nothing on a hot path works on `FieldValue`
/// except JSON columns, whose content is dynamic by nature.
///
/// Numbers keep the integer/float distinction of their source (`1` is `.int`, `1.0` is `.double`), so
/// Int64 primary keys survive without rounding. Objects are dictionaries; their binary encoding sorts keys
/// so equal values encode to equal bytes.
public enum FieldValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([FieldValue])
    case object([String: FieldValue])
    /// A dense vector given in-process (the HTTP layer may instead pass `.array` of numbers).
    case floatVector([Float])

    /// A short name of the value's kind for error messages ("string", "integer", …).
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "integer"
        case .double: "float"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        case .floatVector: "float vector"
        }
    }

    /// The value as a Double when it is a number.
    public var numericValue: Double? {
        switch self {
        case .int(let v): Double(v)
        case .double(let v): v
        default: nil
        }
    }

    /// Follows a JSON path: string keys index objects, integer keys index arrays. Nil when absent.
    public func lookup(_ path: [JSONPathKey]) -> FieldValue? {
        var current = self
        for key in path {
            switch key {
            case .key(let k):
                guard case .object(let o) = current, let next = o[k] else { return nil }
                current = next
            case .index(let i):
                guard case .array(let a) = current, i >= 0, i < a.count else { return nil }
                current = a[i]
            }
        }
        return current
    }
}

/// One step of a JSON path such as `meta["user"]["tags"][0]`.
public enum JSONPathKey: Sendable, Hashable, CustomStringConvertible {
    case key(String)
    case index(Int)

    public var description: String {
        switch self {
        case .key(let k): "[\"\(k)\"]"
        case .index(let i): "[\(i)]"
        }
    }
}
