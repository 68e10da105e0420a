/// A schema function, in Milvus 2.6's terms (`schema.functions`): a rule that derives an output field from
/// input fields, computed by the server rather than sent by clients.
///
/// vecnode supports one type, ``FunctionType/textEmbedding``: one VarChar input field whose text is embedded
/// into one FloatVector output field, at insert time (rows carry the text, the server fills the vector) and at
/// search time (a search passes text, the server embeds it). The model is the server's (all-MiniLM-L6-v2,
/// module `Functions`); ``params`` may name it but cannot choose another.
///
/// Structural rules are checked by ``CollectionSchema/validate(textEmbeddingDimension:)``; the output
/// dimension is checked only when the caller (who knows the model) passes it, so this module does not depend
/// on the embedding model.
public struct FunctionSchema: Sendable, Equatable {
    /// The function types vecnode runs. Raw values are Milvus's `schemapb.FunctionType` numbers, so they are
    /// stable on disk and on the wire.
    public enum FunctionType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        /// Text → dense vector with the server's sentence-embedding model.
        case textEmbedding = 2

        /// The Milvus REST name (`"TextEmbedding"`).
        public var name: String {
            switch self {
            case .textEmbedding: "TextEmbedding"
            }
        }

        /// Parses a Milvus function type name (case-sensitive, as Milvus spells it); nil for others
        /// (including Milvus's `BM25` and `Rerank`, which vecnode does not run).
        public init?(name: String) {
            guard let t = FunctionType.allCases.first(where: { $0.name == name }) else { return nil }
            self = t
        }

        public var description: String { name }
    }

    /// Limits on a function's declaration (the counts bound the binary encoding too).
    public enum Limits {
        /// Functions per collection: each output is a distinct vector field, and a collection has at most
        /// ``CollectionSchema/Limits/maxVectorFields`` of those.
        public static let maxFunctions = CollectionSchema.Limits.maxVectorFields
        /// `params` entries per function.
        public static let maxParams = 64
        /// Bytes per parameter key or value.
        public static let maxParamBytes = 4_096
    }

    /// Identifier, unique within the collection (same rule as field names).
    public var name: String
    public var type: FunctionType
    /// Fields the function reads (TextEmbedding: exactly one VarChar field).
    public var inputFieldNames: [String]
    /// Fields the function writes (TextEmbedding: exactly one FloatVector field). Clients never send them.
    public var outputFieldNames: [String]
    /// Milvus's free-form `params` (TextEmbedding: e.g. `provider`, `model_name`, `dim`), values as strings.
    /// Which keys are accepted is the function runner's decision (module `Functions`).
    public var params: [String: String]
    public var description: String

    public init(
        name: String, type: FunctionType, inputFieldNames: [String], outputFieldNames: [String],
        params: [String: String] = [:], description: String = ""
    ) {
        self.name = name
        self.type = type
        self.inputFieldNames = inputFieldNames
        self.outputFieldNames = outputFieldNames
        self.params = params
        self.description = description
    }

    /// A TextEmbedding function from `input` to `output`.
    public static func textEmbedding(
        name: String, input: String, output: String, params: [String: String] = [:]
    ) -> FunctionSchema {
        FunctionSchema(name: name, type: .textEmbedding, inputFieldNames: [input], outputFieldNames: [output], params: params)
    }

    /// The single input field of a TextEmbedding function (``CollectionSchema/validate()`` guarantees one).
    public var inputFieldName: String { inputFieldNames.first ?? "" }
    /// The single output field of a TextEmbedding function.
    public var outputFieldName: String { outputFieldNames.first ?? "" }
}

extension CollectionSchema {
    /// The function, if any, that computes field `name`.
    public func function(producing name: String) -> FunctionSchema? {
        functions.first { $0.outputFieldNames.contains(name) }
    }

    /// The TextEmbedding functions, in declaration order.
    public var textEmbeddingFunctions: [FunctionSchema] { functions.filter { $0.type == .textEmbedding } }

    /// Checks ``functions`` against the fields: unique valid names; a TextEmbedding function has exactly one
    /// input, a non-nullable VarChar field, and exactly one output, a FloatVector field that is not the primary
    /// key, not an input of any function and the output of no other function; when `textEmbeddingDimension`
    /// is given, every TextEmbedding output has that dimension.
    func validateFunctions(textEmbeddingDimension: Int?) throws(SchemaError) {
        guard functions.count <= FunctionSchema.Limits.maxFunctions else {
            throw .invalid(field: nil, reason: "\(functions.count) functions exceed the limit of \(FunctionSchema.Limits.maxFunctions)")
        }
        var names = Set<String>()
        var outputs = Set<String>()
        let inputs = Set(functions.flatMap(\.inputFieldNames))
        for fn in functions {
            try FieldSchema.validateName(fn.name, what: "function name")
            func fail(_ reason: String) -> SchemaError { .invalid(field: nil, reason: "function '\(fn.name)': \(reason)") }
            guard names.insert(fn.name).inserted else { throw fail("duplicate function name") }
            guard fn.params.count <= FunctionSchema.Limits.maxParams else {
                throw fail("\(fn.params.count) params exceed the limit of \(FunctionSchema.Limits.maxParams)")
            }
            for (k, v) in fn.params where k.utf8.count > FunctionSchema.Limits.maxParamBytes || v.utf8.count > FunctionSchema.Limits.maxParamBytes {
                throw fail("param '\(k.prefix(32))' is longer than \(FunctionSchema.Limits.maxParamBytes) bytes")
            }
            switch fn.type {
            case .textEmbedding:
                guard fn.inputFieldNames.count == 1 else {
                    throw fail("a TextEmbedding function takes exactly one input field, got \(fn.inputFieldNames.count)")
                }
                guard fn.outputFieldNames.count == 1 else {
                    throw fail("a TextEmbedding function has exactly one output field, got \(fn.outputFieldNames.count)")
                }
                let inName = fn.inputFieldNames[0], outName = fn.outputFieldNames[0]
                guard let input = field(named: inName) else { throw fail("input field '\(inName)' does not exist") }
                guard input.dataType == .varChar else {
                    throw fail("input field '\(inName)' must be VarChar, not \(input.dataType)")
                }
                guard !input.nullable else { throw fail("input field '\(inName)' cannot be nullable (every row needs text to embed)") }
                guard let output = field(named: outName) else { throw fail("output field '\(outName)' does not exist") }
                guard output.dataType == .floatVector else {
                    throw fail("output field '\(outName)' must be FloatVector, not \(output.dataType)")
                }
                guard !output.isPrimaryKey else { throw fail("output field '\(outName)' cannot be the primary key") }
                guard !inputs.contains(outName) else { throw fail("output field '\(outName)' is also a function input") }
                guard outputs.insert(outName).inserted else {
                    throw fail("output field '\(outName)' is already the output of another function")
                }
                if let dim = textEmbeddingDimension, output.dimension != dim {
                    throw fail("output field '\(outName)' has dimension \(output.dimension ?? 0), but the text-embedding model produces \(dim)")
                }
            }
        }
    }
}
