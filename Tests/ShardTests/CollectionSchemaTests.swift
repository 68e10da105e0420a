import Testing
@testable import Shard

@Suite struct CollectionSchemaTests {
    static let id = FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true)
    static let vec = FieldSchema(name: "vec", dataType: .floatVector, dimension: 8)

    func schema(_ extra: [FieldSchema], dynamic: Bool = false) -> CollectionSchema {
        CollectionSchema(fields: [Self.id, Self.vec] + extra, enableDynamicField: dynamic)
    }

    /// The message of the SchemaError `body` throws (or a marker when it does not throw).
    func failure(_ s: CollectionSchema) -> String {
        do {
            try s.validate()
            return "<valid>"
        } catch {
            return error.description
        }
    }

    @Test func validSchemasPass() throws {
        try SchemaFixtures.people.validate()
        try schema([]).validate()
        try CollectionSchema(fields: [
            FieldSchema(name: "_pk", dataType: .varChar, isPrimaryKey: true, maxLength: 65_535),
            FieldSchema(name: "v1", dataType: .floatVector, dimension: 1),
            FieldSchema(name: "v2", dataType: .float16Vector, dimension: 32_768),
            FieldSchema(name: "v3", dataType: .floatVector, dimension: 3),
            FieldSchema(name: "v4", dataType: .floatVector, dimension: 4),
        ]).validate()
    }

    @Test func primaryKeyRules() {
        #expect(failure(CollectionSchema(fields: [Self.vec])) == "invalid schema: a collection needs a primary key field (Int64 or VarChar)")
        #expect(failure(schema([FieldSchema(name: "id2", dataType: .int64, isPrimaryKey: true)]))
            == "invalid schema: a collection has exactly one primary key, found 2: id, id2")
        #expect(failure(CollectionSchema(fields: [FieldSchema(name: "id", dataType: .int32, isPrimaryKey: true), Self.vec]))
            == "invalid schema: field 'id': a primary key must be Int64 or VarChar, not Int32")
        #expect(failure(CollectionSchema(fields: [FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true, nullable: true), Self.vec]))
            == "invalid schema: field 'id': a primary key cannot be nullable")
        #expect(failure(CollectionSchema(fields: [FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true, defaultValue: .int(1)), Self.vec]))
            == "invalid schema: field 'id': a primary key cannot have a default value")
        #expect(failure(CollectionSchema(fields: [FieldSchema(name: "id", dataType: .varChar, isPrimaryKey: true, autoID: true, maxLength: 10), Self.vec]))
            == "invalid schema: field 'id': autoID is only supported on Int64 primary keys")
        #expect(failure(schema([FieldSchema(name: "x", dataType: .int64, autoID: true)]))
            == "invalid schema: field 'x': autoID is only allowed on the primary key")
    }

    @Test func vectorFieldRules() {
        #expect(failure(CollectionSchema(fields: [Self.id])) == "invalid schema: a collection needs at least one vector field")
        let five = (1...4).map { FieldSchema(name: "v\($0)", dataType: .floatVector, dimension: 4) }
        #expect(failure(schema(five)) == "invalid schema: 5 vector fields exceed the limit of 4")
        #expect(failure(schema([FieldSchema(name: "w", dataType: .floatVector)])) == "invalid schema: field 'w': FloatVector needs a dimension")
        #expect(failure(schema([FieldSchema(name: "w", dataType: .floatVector, dimension: 0)]))
            == "invalid schema: field 'w': dimension 0 is out of range 1…32768")
        #expect(failure(schema([FieldSchema(name: "w", dataType: .float16Vector, dimension: 32_769)]))
            == "invalid schema: field 'w': dimension 32769 is out of range 1…32768")
        #expect(failure(schema([FieldSchema(name: "w", dataType: .floatVector, nullable: true, dimension: 4)]))
            == "invalid schema: field 'w': vector fields cannot be nullable")
        #expect(failure(schema([FieldSchema(name: "n", dataType: .int32, dimension: 4)]))
            == "invalid schema: field 'n': dimension is only allowed on vector fields")
    }

    @Test func fieldCountAndNames() {
        let many = (0..<63).map { FieldSchema(name: "f\($0)", dataType: .bool) }
        #expect(failure(schema(many)) == "invalid schema: 65 fields exceed the limit of 64")
        #expect(failure(schema(Array(many.prefix(62)))) == "<valid>")
        #expect(failure(schema([FieldSchema(name: "id", dataType: .bool)])) == "invalid schema: field 'id': duplicate field name")
        #expect(failure(schema([FieldSchema(name: "", dataType: .bool)])) == "invalid schema: field name must not be empty")
        #expect(failure(schema([FieldSchema(name: "1abc", dataType: .bool)])) == "invalid schema: field name '1abc' must start with a letter or '_'")
        #expect(failure(schema([FieldSchema(name: "a-b", dataType: .bool)])) == "invalid schema: field name 'a-b' may contain only letters, digits and '_'")
        #expect(failure(schema([FieldSchema(name: "$meta", dataType: .json)])) == "invalid schema: field name '$meta' must start with a letter or '_'")
        #expect(failure(schema([FieldSchema(name: "é", dataType: .bool)])) == "invalid schema: field name 'é' must start with a letter or '_'")
        #expect(failure(schema([FieldSchema(name: String(repeating: "a", count: 255), dataType: .bool)])) == "<valid>")
        #expect(failure(schema([FieldSchema(name: String(repeating: "a", count: 256), dataType: .bool)])).hasSuffix("is longer than 255 characters"))
    }

    @Test func varCharAndArrayParameters() {
        #expect(failure(schema([FieldSchema(name: "s", dataType: .varChar)])) == "invalid schema: field 's': VarChar needs max_length")
        #expect(failure(schema([FieldSchema(name: "s", dataType: .varChar, maxLength: 0)]))
            == "invalid schema: field 's': max_length 0 is out of range 1…65535")
        #expect(failure(schema([FieldSchema(name: "s", dataType: .varChar, maxLength: 65_536)]))
            == "invalid schema: field 's': max_length 65536 is out of range 1…65535")
        #expect(failure(schema([FieldSchema(name: "n", dataType: .int64, maxLength: 5)]))
            == "invalid schema: field 'n': max_length is only allowed on VarChar fields and arrays of VarChar")
        #expect(failure(schema([FieldSchema(name: "a", dataType: .array, maxCapacity: 4)])) == "invalid schema: field 'a': Array needs an element type")
        #expect(failure(schema([FieldSchema(name: "a", dataType: .array, elementType: .int64)])) == "invalid schema: field 'a': Array needs max_capacity")
        #expect(failure(schema([FieldSchema(name: "a", dataType: .array, elementType: .json, maxCapacity: 4)]))
            == "invalid schema: field 'a': JSON cannot be an Array element type")
        #expect(failure(schema([FieldSchema(name: "a", dataType: .array, elementType: .floatVector, maxCapacity: 4)]))
            == "invalid schema: field 'a': FloatVector cannot be an Array element type")
        #expect(failure(schema([FieldSchema(name: "a", dataType: .array, elementType: .int64, maxCapacity: 4097)]))
            == "invalid schema: field 'a': max_capacity 4097 is out of range 1…4096")
        #expect(failure(schema([FieldSchema(name: "a", dataType: .array, elementType: .varChar, maxCapacity: 4)]))
            == "invalid schema: field 'a': VarChar needs max_length")
        #expect(failure(schema([FieldSchema(name: "n", dataType: .int64, elementType: .int64)]))
            == "invalid schema: field 'n': element type and max_capacity are only allowed on Array fields")
    }

    @Test func defaultValues() {
        #expect(failure(schema([FieldSchema(name: "n", dataType: .int8, defaultValue: .int(7))])) == "<valid>")
        #expect(failure(schema([FieldSchema(name: "n", dataType: .int8, defaultValue: .int(300))]))
            == "invalid schema: field 'n': default value: value 300 for Int8 is out of range")
        #expect(failure(schema([FieldSchema(name: "n", dataType: .int64, defaultValue: .string("x"))]))
            == "invalid schema: field 'n': default value: expects an integer (Int64), got string")
        #expect(failure(schema([FieldSchema(name: "s", dataType: .varChar, defaultValue: .string("toolong"), maxLength: 3)]))
            == "invalid schema: field 's': default value: 7 bytes exceed max_length 3")
        #expect(failure(schema([FieldSchema(name: "n", dataType: .double, defaultValue: .null)]))
            == "invalid schema: field 'n': the default value cannot be null (make the field nullable instead)")
        #expect(failure(schema([FieldSchema(name: "j", dataType: .json, defaultValue: .object([:]))]))
            == "invalid schema: field 'j': JSON fields cannot have a default value")
        #expect(failure(schema([FieldSchema(name: "a", dataType: .array, defaultValue: .array([]), elementType: .int8, maxCapacity: 2)]))
            == "invalid schema: field 'a': Array fields cannot have a default value")
        #expect(failure(schema([FieldSchema(name: "n", dataType: .float, nullable: true, defaultValue: .int(2))])) == "<valid>")
    }

    @Test func indexSpecsAgainstSchema() throws {
        let s = schema([FieldSchema(name: "n", dataType: .int64)])
        try s.validate(indexes: [IndexSpec(fieldName: "vec", kind: .hnsw(m: 16, efConstruction: 200), metric: .cosine)])
        #expect(throws: SchemaError.invalid(field: "nope", reason: "index on a field that does not exist")) {
            try s.validate(indexes: [IndexSpec(fieldName: "nope", kind: .flat, metric: .l2)])
        }
        #expect(throws: SchemaError.invalid(field: "n", reason: "FLAT indexes need a vector field, not Int64")) {
            try s.validate(indexes: [IndexSpec(fieldName: "n", kind: .flat, metric: .l2)])
        }
        #expect(throws: SchemaError.invalid(field: "vec", reason: "a field can have only one index")) {
            try s.validate(indexes: [IndexSpec(fieldName: "vec", kind: .flat, metric: .l2), IndexSpec(fieldName: "vec", kind: .flat, metric: .innerProduct)])
        }
        #expect(throws: SchemaError.invalid(field: "vec", reason: "HNSW M 1 is out of range 2…2048")) {
            try s.validate(indexes: [IndexSpec(fieldName: "vec", kind: .hnsw(m: 1, efConstruction: 10), metric: .l2)])
        }
    }

    @Test func dataTypeNames() {
        for t in DataType.allCases { #expect(DataType(name: t.name) == t) }
        #expect(DataType(name: "int64") == nil)  // case-sensitive, like Milvus
        #expect(IndexSpec.Metric(name: "cosine") == .cosine)
        #expect(IndexSpec.Metric(name: "IP") == .innerProduct)
    }

    // MARK: - Encoding

    @Test func encodingRoundTrips() throws {
        let original = SchemaFixtures.people
        var described = original
        described.description = "people, with ünïcode"
        described.fields[2].description = "age in years"
        for s in [original, described, schema([FieldSchema(name: "h", dataType: .float16Vector, dimension: 3)], dynamic: true)] {
            #expect(try CollectionSchema(decoding: s.encode()) == s)
        }
    }

    @Test func everyTruncationIsRejected() {
        let bytes = SchemaFixtures.people.encode()
        for n in 0..<bytes.count {
            #expect(throws: SchemaError.self) { try CollectionSchema(decoding: Array(bytes.prefix(n))) }
        }
    }

    @Test func everySingleBitFlipIsRejected() {
        let bytes = SchemaFixtures.people.encode()
        for i in 0..<bytes.count {
            for bit in [0, 3, 7] {
                var damaged = bytes
                damaged[i] ^= 1 << UInt8(bit)
                #expect(throws: SchemaError.self) { try CollectionSchema(decoding: damaged) }
            }
        }
    }

    @Test func wellChecksummedButInvalidContentIsRejected() throws {
        // Re-seal a body with a wrong version, unknown type, and a schema that breaks a rule.
        var sink = ChecksummedFrame.begin(magic: "VSCH", version: 3)
        sink.u8(0)
        let v3 = ChecksummedFrame.finish(sink)
        #expect(throws: SchemaError.malformedEncoding("schema format version 3 is not supported (supported: 1…2)")) {
            try CollectionSchema(decoding: v3)
        }
        let noVector = CollectionSchema(fields: [Self.id]).encode()
        #expect(throws: SchemaError.invalid(field: nil, reason: "a collection needs at least one vector field")) {
            try CollectionSchema(decoding: noVector)
        }
        var other = ChecksummedFrame.begin(magic: "VRBT", version: 1)
        other.u8(0)
        #expect(throws: SchemaError.malformedEncoding("schema has the wrong magic bytes")) {
            try CollectionSchema(decoding: ChecksummedFrame.finish(other))
        }
    }
}
