/// Why a schema, an index spec, or their encoded bytes were rejected. Always the caller's fault (not
/// retriable); the message names the field and the rule, so it can be returned to a user as is.
public enum SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A field or collection property broke a rule; `field` is nil for collection-wide rules.
    case invalid(field: String?, reason: String)
    /// Encoded schema or index bytes are malformed (truncated, bad magic/version/checksum, bad value).
    case malformedEncoding(String)

    public var description: String {
        switch self {
        case .invalid(let field?, let reason): "invalid schema: field '\(field)': \(reason)"
        case .invalid(nil, let reason): "invalid schema: \(reason)"
        case .malformedEncoding(let reason): "malformed schema encoding: \(reason)"
        }
    }
}
