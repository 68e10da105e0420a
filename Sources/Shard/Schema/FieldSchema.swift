/// One field (column) of a collection, as in Milvus's `FieldSchema`.
///
/// Type parameters are explicit properties rather than Milvus's string map: ``dimension`` for vector
/// fields, ``maxLength`` for VarChar fields and VarChar array elements, ``elementType`` and
/// ``maxCapacity`` for Array fields. ``CollectionSchema/validate()`` checks all of them.
public struct FieldSchema: Sendable, Equatable {
    /// Milvus-style identifier: letters, digits and `_`, starting with a letter or `_`, at most 255 chars.
    public var name: String
    public var dataType: DataType
    /// Exactly one field of a collection is the primary key (Int64 or VarChar).
    public var isPrimaryKey: Bool
    /// For an Int64 primary key: ids are assigned by the server, rows must not carry them.
    public var autoID: Bool
    /// Whether rows may omit the value (stored as null). Not allowed on primary keys or vectors.
    public var nullable: Bool
    /// Value used when a row omits the field. Not allowed on primary keys, vectors, JSON or Array fields.
    public var defaultValue: FieldValue?
    public var description: String
    /// Vector dimension (1…32,768); required for vector fields, nil otherwise.
    public var dimension: Int?
    /// Maximum length in UTF-8 bytes (1…65,535), as Milvus counts it; required for VarChar fields and
    /// for arrays of VarChar.
    public var maxLength: Int?
    /// Element type of an Array field (a scalar type other than JSON and Array).
    public var elementType: DataType?
    /// Maximum element count of an Array field (1…4,096).
    public var maxCapacity: Int?

    /// A field; see the property documentation for which parameters each type needs.
    public init(
        name: String, dataType: DataType, isPrimaryKey: Bool = false, autoID: Bool = false,
        nullable: Bool = false, defaultValue: FieldValue? = nil, description: String = "",
        dimension: Int? = nil, maxLength: Int? = nil, elementType: DataType? = nil, maxCapacity: Int? = nil
    ) {
        self.name = name
        self.dataType = dataType
        self.isPrimaryKey = isPrimaryKey
        self.autoID = autoID
        self.nullable = nullable
        self.defaultValue = defaultValue
        self.description = description
        self.dimension = dimension
        self.maxLength = maxLength
        self.elementType = elementType
        self.maxCapacity = maxCapacity
    }

    /// Whether a row may omit this field (it is nullable, has a default, or is an auto-ID key).
    public var isOptionalInRows: Bool { nullable || defaultValue != nil || (isPrimaryKey && autoID) }
}

extension FieldSchema {
    /// Limits Milvus enforces (`about/limitations.md`, `proxy.maxDimension`, array `max_capacity`).
    public enum Limits {
        public static let maxNameLength = 255
        public static let dimension = 1...32_768
        public static let maxLength = 1...65_535
        public static let maxCapacity = 1...4_096
    }

    /// Checks this field on its own (names, type parameters, default value); collection-wide rules are in
    /// ``CollectionSchema/validate()``.
    public func validate() throws(SchemaError) {
        try FieldSchema.validateName(name)
        func fail(_ reason: String) -> SchemaError { .invalid(field: name, reason: reason) }
        if dataType.isVector {
            guard let d = dimension else { throw fail("\(dataType) needs a dimension") }
            guard Limits.dimension.contains(d) else {
                throw fail("dimension \(d) is out of range \(Limits.dimension.lowerBound)…\(Limits.dimension.upperBound)")
            }
            if nullable { throw fail("vector fields cannot be nullable") }
            if defaultValue != nil { throw fail("vector fields cannot have a default value") }
        } else if dimension != nil {
            throw fail("dimension is only allowed on vector fields")
        }
        let needsMaxLength = dataType == .varChar || (dataType == .array && elementType == .varChar)
        if needsMaxLength {
            guard let m = maxLength else { throw fail("VarChar needs max_length") }
            guard Limits.maxLength.contains(m) else {
                throw fail("max_length \(m) is out of range \(Limits.maxLength.lowerBound)…\(Limits.maxLength.upperBound)")
            }
        } else if maxLength != nil {
            throw fail("max_length is only allowed on VarChar fields and arrays of VarChar")
        }
        if dataType == .array {
            guard let e = elementType else { throw fail("Array needs an element type") }
            guard e.isArrayElement else { throw fail("\(e) cannot be an Array element type") }
            guard let c = maxCapacity else { throw fail("Array needs max_capacity") }
            guard Limits.maxCapacity.contains(c) else {
                throw fail("max_capacity \(c) is out of range \(Limits.maxCapacity.lowerBound)…\(Limits.maxCapacity.upperBound)")
            }
            if defaultValue != nil { throw fail("Array fields cannot have a default value") }
        } else if elementType != nil || maxCapacity != nil {
            throw fail("element type and max_capacity are only allowed on Array fields")
        }
        if dataType == .json, defaultValue != nil { throw fail("JSON fields cannot have a default value") }
        if isPrimaryKey {
            guard dataType == .int64 || dataType == .varChar else {
                throw fail("a primary key must be Int64 or VarChar, not \(dataType)")
            }
            if nullable { throw fail("a primary key cannot be nullable") }
            if defaultValue != nil { throw fail("a primary key cannot have a default value") }
            if autoID, dataType != .int64 { throw fail("autoID is only supported on Int64 primary keys") }
        } else if autoID {
            throw fail("autoID is only allowed on the primary key")
        }
        if let d = defaultValue {
            if case .null = d { throw fail("the default value cannot be null (make the field nullable instead)") }
            do {
                _ = try ScalarCoercion.check(d, as: dataType, field: self)
            } catch {
                throw fail("default value: \(error.reason)")
            }
        }
    }

    /// Milvus's field-name rule: `[A-Za-z_][A-Za-z0-9_]*`, 1…255 characters.
    static func validateName(_ name: String, what: String = "field name") throws(SchemaError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty else { throw .invalid(field: nil, reason: "\(what) must not be empty") }
        guard bytes.count <= Limits.maxNameLength else {
            throw .invalid(field: nil, reason: "\(what) '\(name.prefix(32))…' is longer than \(Limits.maxNameLength) characters")
        }
        func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 }
        guard isLetter(bytes[0]) else {
            throw .invalid(field: nil, reason: "\(what) '\(name)' must start with a letter or '_'")
        }
        for b in bytes where !(isLetter(b) || (b >= 48 && b <= 57)) {
            throw .invalid(field: nil, reason: "\(what) '\(name)' may contain only letters, digits and '_'")
        }
    }
}
