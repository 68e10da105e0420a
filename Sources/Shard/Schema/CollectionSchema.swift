/// The schema of a collection, in Milvus's terms: its fields and whether undeclared keys are kept.
///
/// Rules checked by ``validate()`` (Milvus's, from `about/limitations.md` and the proxy's checks):
/// exactly one primary key (Int64 or VarChar); at least one and at most 4 vector fields; at most 64
/// fields; unique names; every field valid on its own (``FieldSchema/validate()``); every function valid
/// against the fields (``FunctionSchema``).
///
/// With ``enableDynamicField`` row keys that are not fields are kept, as a JSON object per row, in the
/// reserved dynamic column ``dynamicFieldName`` (`$meta`), and filter expressions can address them by
/// bare name or as `$meta["key"]`.
public struct CollectionSchema: Sendable, Equatable {
    /// Name of the reserved column that holds undeclared keys (Milvus's `$meta`).
    public static let dynamicFieldName = "$meta"
    /// Collection-wide limits (Milvus defaults: `maxFieldNum`, `maxVectorFieldNum`).
    public enum Limits {
        public static let maxFields = 64
        public static let maxVectorFields = 4
    }

    public var fields: [FieldSchema]
    public var enableDynamicField: Bool
    public var description: String
    /// Functions that compute fields from other fields (Milvus's `schema.functions`), e.g. a TextEmbedding
    /// function filling a vector field from a text field.
    public var functions: [FunctionSchema]

    public init(fields: [FieldSchema], enableDynamicField: Bool = false, description: String = "",
                functions: [FunctionSchema] = []) {
        self.fields = fields
        self.enableDynamicField = enableDynamicField
        self.description = description
        self.functions = functions
    }

    /// The field named `name`, if any.
    public func field(named name: String) -> FieldSchema? { fields.first { $0.name == name } }

    /// Position of the field named `name` in ``fields``.
    public func fieldIndex(named name: String) -> Int? { fields.firstIndex { $0.name == name } }

    /// The primary-key field (the first one marked; ``validate()`` guarantees exactly one).
    public var primaryKey: FieldSchema? { fields.first { $0.isPrimaryKey } }

    /// The vector fields, in declaration order.
    public var vectorFields: [FieldSchema] { fields.filter { $0.dataType.isVector } }

    /// Checks every rule above; throws the first violation found, naming the field.
    /// - Parameter textEmbeddingDimension: the dimension the server's text-embedding model produces; when
    ///   given, every TextEmbedding function's output field must have it (the code that owns the model passes
    ///   it; decoding a stored schema does not).
    public func validate(textEmbeddingDimension: Int? = nil) throws(SchemaError) {
        guard !fields.isEmpty else { throw .invalid(field: nil, reason: "a collection needs at least one field") }
        guard fields.count <= Limits.maxFields else {
            throw .invalid(field: nil, reason: "\(fields.count) fields exceed the limit of \(Limits.maxFields)")
        }
        var seen = Set<String>()
        for f in fields {
            try f.validate()
            guard seen.insert(f.name).inserted else {
                throw .invalid(field: f.name, reason: "duplicate field name")
            }
        }
        let keys = fields.filter(\.isPrimaryKey)
        guard keys.count == 1 else {
            throw .invalid(field: nil, reason: keys.isEmpty
                ? "a collection needs a primary key field (Int64 or VarChar)"
                : "a collection has exactly one primary key, found \(keys.count): \(keys.map(\.name).joined(separator: ", "))")
        }
        let vectors = vectorFields.count
        guard vectors >= 1 else { throw .invalid(field: nil, reason: "a collection needs at least one vector field") }
        guard vectors <= Limits.maxVectorFields else {
            throw .invalid(field: nil, reason: "\(vectors) vector fields exceed the limit of \(Limits.maxVectorFields)")
        }
        try validateFunctions(textEmbeddingDimension: textEmbeddingDimension)
    }

    /// Checks index specs against this schema: each names an existing vector field, at most one per field,
    /// and each is valid on its own (``IndexSpec/validate()``).
    public func validate(indexes: [IndexSpec]) throws(SchemaError) {
        var indexed = Set<String>()
        for spec in indexes {
            guard let f = field(named: spec.fieldName) else {
                throw .invalid(field: spec.fieldName, reason: "index on a field that does not exist")
            }
            guard f.dataType.isVector else {
                throw .invalid(field: spec.fieldName, reason: "\(spec.kind.name) indexes need a vector field, not \(f.dataType)")
            }
            guard indexed.insert(spec.fieldName).inserted else {
                throw .invalid(field: spec.fieldName, reason: "a field can have only one index")
            }
            try spec.validate()
        }
    }
}
