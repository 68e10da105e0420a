/// A row's primary key: Int64 or VarChar, as the schema's primary-key field says.
public enum PrimaryKey: Hashable, Sendable, CustomStringConvertible {
    case int(Int64)
    case string(String)

    public var description: String {
        switch self {
        case .int(let v): String(v)
        case .string(let s): "\"\(s)\""
        }
    }

    /// The key as a field value (`.int` or `.string`).
    public var fieldValue: FieldValue {
        switch self {
        case .int(let v): .int(v)
        case .string(let s): .string(s)
        }
    }

    /// The keys of every row of a primary-key column, in row order; nil if the column is not Int64 or VarChar.
    static func keys(of column: Column) -> [PrimaryKey]? {
        switch column.data {
        case .int64(let v): v.map { .int($0) }
        case .string(let v): v.map { .string($0) }
        default: nil
        }
    }

    /// Row `i` of a primary-key column.
    static func key(of column: Column, at i: Int) -> PrimaryKey {
        switch column.data {
        case .int64(let v): .int(v[i])
        case .string(let v): .string(v[i])
        default: preconditionFailure("primary-key column must be Int64 or VarChar")
        }
    }
}
