import Testing
@testable import Shard

@Suite struct FunctionSchemaTests {
    static let id = FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true)
    static let text = FieldSchema(name: "text", dataType: .varChar, maxLength: 1_000)
    static let embedding = FieldSchema(name: "embedding", dataType: .floatVector, dimension: 384)
    static let embed = FunctionSchema.textEmbedding(name: "embed", input: "text", output: "embedding",
                                                    params: ["provider": "builtin", "model_name": "all-MiniLM-L6-v2"])

    /// The demo collection's schema: id, text, embedding and one TextEmbedding function.
    static let withFunction = CollectionSchema(fields: [id, text, embedding], functions: [embed])

    func failure(_ s: CollectionSchema, dimension: Int? = nil) -> String {
        do {
            try s.validate(textEmbeddingDimension: dimension)
            return "<valid>"
        } catch {
            return error.description
        }
    }

    func with(_ change: (inout CollectionSchema) -> Void) -> CollectionSchema {
        var s = Self.withFunction
        change(&s)
        return s
    }

    @Test func typeNames() {
        #expect(FunctionSchema.FunctionType(name: "TextEmbedding") == .textEmbedding)
        #expect(FunctionSchema.FunctionType(name: "textembedding") == nil)
        #expect(FunctionSchema.FunctionType(name: "BM25") == nil)
        #expect(FunctionSchema.FunctionType.textEmbedding.rawValue == 2)  // Milvus's schemapb.FunctionType
        #expect("\(FunctionSchema.FunctionType.textEmbedding)" == "TextEmbedding")
    }

    @Test func validFunctionPasses() throws {
        try Self.withFunction.validate()
        try Self.withFunction.validate(textEmbeddingDimension: 384)
        #expect(Self.withFunction.function(producing: "embedding")?.name == "embed")
        #expect(Self.withFunction.function(producing: "text") == nil)
        #expect(Self.withFunction.textEmbeddingFunctions.map(\.inputFieldName) == ["text"])
    }

    @Test func dimensionIsCheckedOnlyWhenGiven() {
        #expect(failure(Self.withFunction, dimension: 768)
            == "invalid schema: function 'embed': output field 'embedding' has dimension 384, but the text-embedding model produces 768")
        #expect(failure(Self.withFunction) == "<valid>")
    }

    @Test func fieldRules() {
        #expect(failure(with { $0.functions[0].inputFieldNames = ["nope"] })
            == "invalid schema: function 'embed': input field 'nope' does not exist")
        #expect(failure(with { $0.functions[0].outputFieldNames = ["nope"] })
            == "invalid schema: function 'embed': output field 'nope' does not exist")
        #expect(failure(with { $0.functions[0].inputFieldNames = ["id"] })
            == "invalid schema: function 'embed': input field 'id' must be VarChar, not Int64")
        #expect(failure(with { $0.functions[0].outputFieldNames = ["text"] })
            == "invalid schema: function 'embed': output field 'text' must be FloatVector, not VarChar")
        #expect(failure(with { $0.fields[2] = FieldSchema(name: "embedding", dataType: .float16Vector, dimension: 384) })
            == "invalid schema: function 'embed': output field 'embedding' must be FloatVector, not Float16Vector")
        #expect(failure(with { $0.fields[1].nullable = true })
            == "invalid schema: function 'embed': input field 'text' cannot be nullable (every row needs text to embed)")
        #expect(failure(with { $0.functions[0].inputFieldNames = ["text", "text"] })
            == "invalid schema: function 'embed': a TextEmbedding function takes exactly one input field, got 2")
        #expect(failure(with { $0.functions[0].outputFieldNames = [] })
            == "invalid schema: function 'embed': a TextEmbedding function has exactly one output field, got 0")
    }

    @Test func collectionWideRules() {
        #expect(failure(with { $0.functions.append(Self.embed) })
            == "invalid schema: function 'embed': duplicate function name")
        #expect(failure(with { s in
            var second = Self.embed
            second.name = "again"
            s.functions.append(second)
        }) == "invalid schema: function 'again': output field 'embedding' is already the output of another function")
        #expect(failure(with { $0.functions[0].name = "9lives" })
            == "invalid schema: function name '9lives' must start with a letter or '_'")
        #expect(failure(with { $0.functions = Array(repeating: Self.embed, count: 5) })
            == "invalid schema: 5 functions exceed the limit of 4")
        #expect(failure(with { $0.functions[0].params["x"] = String(repeating: "a", count: 5_000) })
            == "invalid schema: function 'embed': param 'x' is longer than 4096 bytes")
    }

    // MARK: - Encoding

    @Test func encodingRoundTripsFunctions() throws {
        var described = Self.withFunction
        described.functions[0].description = "text → MiniLM, ünïcode"
        described.functions[0].params["dim"] = "384"
        for s in [Self.withFunction, described, with { $0.functions[0].params = [:] }] {
            let bytes = s.encode()
            #expect(bytes[4] == 2 && bytes[5] == 0)  // version 2: has functions
            #expect(try CollectionSchema(decoding: bytes) == s)
        }
    }

    @Test func schemasWithoutFunctionsStayVersionOne() throws {
        // Older builds read only version 1: a schema without functions must still be written that way.
        let plain = with { $0.functions = [] }
        let bytes = plain.encode()
        #expect(bytes[4] == 1 && bytes[5] == 0)
        #expect(try CollectionSchema(decoding: bytes) == plain)
        #expect(try CollectionSchema(decoding: bytes).functions.isEmpty)
    }

    @Test func damagedFunctionBytesAreRejected() {
        let bytes = Self.withFunction.encode()
        for n in 0..<bytes.count {
            #expect(throws: SchemaError.self) { try CollectionSchema(decoding: Array(bytes.prefix(n))) }
        }
        for i in 0..<bytes.count {
            var damaged = bytes
            damaged[i] ^= 0x10
            #expect(throws: SchemaError.self) { try CollectionSchema(decoding: damaged) }
        }
    }

    @Test func wellChecksummedButInvalidFunctionsAreRejected() {
        // A decoded schema is validated, and unknown function types are refused.
        let broken = with { $0.functions[0].outputFieldNames = ["text"] }
        #expect(throws: SchemaError.invalid(field: nil, reason: "function 'embed': output field 'text' must be FloatVector, not VarChar")) {
            try CollectionSchema(decoding: broken.encode())
        }
        var bytes = Self.withFunction.encode()
        // The type byte follows the function count (u16) and the name ("embed": u32 length + 5 bytes).
        let fieldsOnly = with { $0.functions = [] }.encode()
        let typeOffset = fieldsOnly.count - 4 + 2 + 4 + 5
        #expect(bytes[typeOffset] == 2)
        bytes[typeOffset] = 1  // Milvus's BM25, which vecnode does not run
        bytes = reseal(bytes)
        #expect(throws: SchemaError.malformedEncoding("function 'embed': unknown function type 1")) {
            try CollectionSchema(decoding: bytes)
        }
    }

    /// Recomputes the CRC of an edited frame.
    func reseal(_ bytes: [UInt8]) -> [UInt8] {
        var sink = ByteSink()
        sink.bytes = Array(bytes.dropLast(4))
        return ChecksummedFrame.finish(sink)
    }
}
