/// The type of a collection field, in Milvus's terms.
///
/// Raw values are Milvus's `schemapb.DataType` numbers, so they are stable on disk and on the wire and a
/// Milvus-literate reader recognises them. ``name`` is the case-sensitive string the Milvus REST API uses
/// (`"Int64"`, `"VarChar"`, `"FloatVector"` …).
public enum DataType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case bool = 1
    case int8 = 2
    case int16 = 3
    case int32 = 4
    case int64 = 5
    case float = 10
    case double = 11
    case varChar = 21
    case array = 22
    case json = 23
    case floatVector = 101
    case float16Vector = 102

    /// The Milvus REST name, e.g. `"VarChar"`.
    public var name: String {
        switch self {
        case .bool: "Bool"
        case .int8: "Int8"
        case .int16: "Int16"
        case .int32: "Int32"
        case .int64: "Int64"
        case .float: "Float"
        case .double: "Double"
        case .varChar: "VarChar"
        case .array: "Array"
        case .json: "JSON"
        case .floatVector: "FloatVector"
        case .float16Vector: "Float16Vector"
        }
    }

    /// Parses a Milvus REST type name (case-sensitive, as Milvus does). Returns nil for unknown names.
    public init?(name: String) {
        guard let t = DataType.allCases.first(where: { $0.name == name }) else { return nil }
        self = t
    }

    public var description: String { name }

    /// Whether the type is a dense vector (FloatVector or Float16Vector).
    public var isVector: Bool { self == .floatVector || self == .float16Vector }
    /// Whether the type is Int8…Int64.
    public var isInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64: true
        default: false
        }
    }
    /// Whether the type is an integer or a floating-point scalar.
    public var isNumeric: Bool { isInteger || self == .float || self == .double }
    /// Whether the type can be the element type of an `Array` field.
    public var isArrayElement: Bool { isNumeric || self == .bool || self == .varChar }

    /// The inclusive value range of an integer type (used to reject out-of-range inputs).
    var integerRange: ClosedRange<Int64>? {
        switch self {
        case .int8: Int64(Int8.min)...Int64(Int8.max)
        case .int16: Int64(Int16.min)...Int64(Int16.max)
        case .int32: Int64(Int32.min)...Int64(Int32.max)
        case .int64: Int64.min...Int64.max
        default: nil
        }
    }
}
