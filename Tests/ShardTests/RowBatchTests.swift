import Testing
import VecCore
@testable import Shard

@Suite struct RowBatchTests {
    let schema = SchemaFixtures.people
    typealias Row = [String: FieldValue]

    func build(_ rows: [Row], schema: CollectionSchema? = nil, autoIDs: [Int64]? = nil) throws(RowBatchError) -> RowBatch {
        try RowBatch(schema: schema ?? self.schema, rows: rows, autoIDs: autoIDs)
    }

    func error(_ rows: [Row], schema: CollectionSchema? = nil, autoIDs: [Int64]? = nil) -> RowBatchError? {
        do {
            _ = try build(rows, schema: schema, autoIDs: autoIDs)
            return nil
        } catch {
            return error
        }
    }

    @Test func columnsAreTypedAndContiguous() throws {
        let b = try SchemaFixtures.peopleBatch()
        #expect(b.rowCount == 8)
        #expect(b.columns.map(\.name) == schema.fields.map(\.name) + ["$meta"])
        guard case .floatVector(let dim, let values) = b.column(named: "vec")!.data else {
            Issue.record("vec is not a float vector column")
            return
        }
        #expect(dim == 2 && values.count == 16 && values[6] == 3 && values[7] == 1)
        guard case .int32(let ages) = b.column(named: "age")!.data else {
            Issue.record("age is not Int32")
            return
        }
        #expect(ages == [20, 35, 0, 50, 5, -7, 35, 100])
        #expect(b.column(named: "age")!.validity!.popcount == 7 && b.column(named: "age")!.isNull(2))
        #expect(b.column(named: "id")!.validity == nil)
        guard case .array(let nums) = b.column(named: "nums")!.data, case .int64(let flat) = nums.elements else {
            Issue.record("nums is not an Int64 array")
            return
        }
        #expect(nums.offsets == [0, 3, 4, 4, 6, 6, 6, 9, 9])
        #expect(flat == [1, 2, 3, 4, 3, 3, -1, 10, 100])
    }

    @Test func defaultsNullsAndDynamicKeys() throws {
        let b = try build([SchemaFixtures.row(1, ["extra": .string("x"), "age": .null, "rank": .null])])
        let row = b.row(0)
        #expect(row["rank"] == .int(3))  // default for a missing/null non-nullable field
        #expect(row["ratio"] == .double(0.5))
        #expect(row["age"] == .null && row["name"] == .null && row["meta"] == .null)
        #expect(row["extra"] == .string("x"))
        #expect(b.column(named: "$meta")!.value(at: 0) == .object(["extra": .string("x")]))
    }

    @Test func vectorsGivenAsNumberArrays() throws {
        let b = try build([SchemaFixtures.row(1, ["vec": .array([.int(1), .double(2.5)])])])
        #expect(b.row(0)["vec"] == .floatVector([1, 2.5]))
    }

    @Test func validationErrors() {
        let r = SchemaFixtures.row
        #expect(error([["vec": .floatVector([1, 2]), "nums": .array([])]]) == .missingField(row: 0, field: "id"))
        #expect(error([r(0, [:]), ["id": .int(1), "nums": .array([])]]) == .missingField(row: 1, field: "vec"))
        #expect(error([r(0, ["age": .string("x")])]) == .wrongType(row: 0, field: "age", expected: "an integer (Int32)", got: "string"))
        #expect(error([r(0, ["age": .double(1.5)])]) == .wrongType(row: 0, field: "age", expected: "an integer (Int32)", got: "float"))
        #expect(error([r(0, ["rank": .int(128)])]) == .outOfRange(row: 0, field: "rank", value: "128 for Int8"))
        #expect(error([r(0, ["ratio": .double(1e300)])]) == .outOfRange(row: 0, field: "ratio", value: "1e+300 for Float"))
        #expect(error([r(0, ["active": .int(1)])]) == .wrongType(row: 0, field: "active", expected: "a bool", got: "integer"))
        #expect(error([r(0, ["vec": .floatVector([1, 2, 3])])]) == .wrongDimension(row: 0, field: "vec", expected: 2, got: 3))
        #expect(error([r(0, ["vec": .floatVector([1, .nan])])]) == .nonFiniteVector(row: 0, field: "vec", component: 1))
        #expect(error([r(0, ["vec": .floatVector([.infinity, 1])])]) == .nonFiniteVector(row: 0, field: "vec", component: 0))
        #expect(error([r(0, ["vec": .array([.int(1), .string("2")])])])
            == .wrongType(row: 0, field: "vec", expected: "a vector of numbers", got: "string at index 1"))
        #expect(error([r(0, ["name": .string(String(repeating: "é", count: 33))])])
            == .tooLong(row: 0, field: "name", length: 66, maxLength: 64))  // max_length counts UTF-8 bytes
        #expect(error([r(0, ["tags": .array(Array(repeating: .string("a"), count: 9))])])
            == .tooManyElements(row: 0, field: "tags", count: 9, maxCapacity: 8))
        #expect(error([r(0, ["tags": .array([.string("a"), .int(1)])])])
            == .wrongType(row: 0, field: "tags", expected: "a string", got: "integer"))
        #expect(error([r(0, ["tags": .array([.null])])]) == .wrongType(row: 0, field: "tags", expected: "VarChar array elements", got: "null"))
        #expect(error([r(0, ["tags": .array([.string(String(repeating: "x", count: 17))])])])
            == .tooLong(row: 0, field: "tags", length: 17, maxLength: 16))
        #expect(error([r(0, ["meta": .floatVector([1])])]) == .wrongType(row: 0, field: "meta", expected: "a JSON value", got: "float vector"))
        #expect(error([r(0, ["$meta": .object([:])])]) == .unknownField(row: 0, field: "$meta"))
        var closed = schema
        closed.enableDynamicField = false
        #expect(error([r(0, ["extra": .int(1)])], schema: closed) == .unknownField(row: 0, field: "extra"))
    }

    @Test func deepJSONIsRejected() {
        var deep = FieldValue.int(1)
        for _ in 0..<70 { deep = .array([deep]) }
        #expect(error([SchemaFixtures.row(0, ["meta": deep])]) == .outOfRange(row: 0, field: "meta", value: "JSON nested deeper than 64 levels"))
        #expect(error([SchemaFixtures.row(0, ["extra": deep])]) == .outOfRange(row: 0, field: "extra", value: "JSON nested deeper than 63 levels"))
    }

    @Test func autoIDs() throws {
        let s = CollectionSchema(fields: [
            FieldSchema(name: "pk", dataType: .int64, isPrimaryKey: true, autoID: true),
            FieldSchema(name: "v", dataType: .float16Vector, dimension: 2),
        ])
        let rows: [Row] = [["v": .floatVector([1, 2])], ["v": .floatVector([0.5, -1])]]
        let b = try build(rows, schema: s, autoIDs: [100, 101])
        #expect(b.row(1)["pk"] == .int(101))
        #expect(b.row(1)["v"] == .floatVector([0.5, -1]))
        #expect(error(rows, schema: s) == .autoIDCountMismatch(expected: 2, got: 0))
        #expect(error([["pk": .int(1), "v": .floatVector([1, 2])]], schema: s, autoIDs: [5]) == .autoIDProvided(row: 0, field: "pk"))
        #expect(error([["v": .floatVector([70000, 1])]], schema: s, autoIDs: [5]) == .nonFiniteVector(row: 0, field: "v", component: 0))
        #expect(error([SchemaFixtures.row(0)], autoIDs: [1]) == .columnMismatch("1 auto ids given but the primary key is not auto-ID"))
    }

    @Test func selectingAndSlicing() throws {
        let b = try SchemaFixtures.peopleBatch()
        let picked = b.selecting([7, 2, 2, 0])
        #expect(picked.rowCount == 4)
        for (i, p) in [7, 2, 2, 0].enumerated() { #expect(picked.row(i) == b.row(p)) }
        #expect(picked.column(named: "age")!.isNull(1) && picked.column(named: "age")!.isNull(2))
        let slice = b.slice(3..<6)
        #expect((0..<3).allSatisfy { slice.row($0) == b.row($0 + 3) })
        #expect(b.selecting([]).rowCount == 0)
        // Selected batches are still valid batches.
        #expect(try RowBatch(schema: schema, columns: picked.columns) == picked)
    }

    @Test func columnarInitChecksColumns() throws {
        let b = try SchemaFixtures.peopleBatch()
        var cols = b.columns
        cols.swapAt(2, 3)
        #expect(throws: RowBatchError.columnMismatch("column 2 is 'score', the schema says 'age'")) {
            try RowBatch(schema: schema, columns: cols)
        }
        cols = b.columns
        cols[2] = Column(name: "age", data: .int32([1, 2]), validity: Bitset(count: 2, allSet: true))
        #expect(throws: RowBatchError.columnMismatch("column 'age' has 2 rows, the first has 8")) {
            try RowBatch(schema: schema, columns: cols)
        }
        cols = b.columns
        cols[2] = Column(name: "age", data: .int64(Array(repeating: 1, count: 8)), validity: Bitset(count: 8, allSet: true))
        #expect(throws: RowBatchError.columnMismatch("column 'age' holds Int64, the schema says Int32")) {
            try RowBatch(schema: schema, columns: cols)
        }
        cols = b.columns
        cols[2] = Column(name: "age", data: .int32(Array(repeating: 1, count: 8)))
        #expect(throws: RowBatchError.columnMismatch("column 'age' needs a validity bitset")) {
            try RowBatch(schema: schema, columns: cols)
        }
        cols = b.columns
        cols[1] = Column(name: "vec", data: .floatVector(dimension: 2, values: Array(repeating: .nan, count: 16)))
        #expect(throws: RowBatchError.nonFiniteVector(row: 0, field: "vec", component: 0)) {
            try RowBatch(schema: schema, columns: cols)
        }
    }

    // MARK: - Encoding

    @Test func encodingRoundTrips() throws {
        let b = try SchemaFixtures.peopleBatch()
        #expect(try RowBatch(decoding: b.encode(), schema: schema) == b)
        let empty = try build([])
        #expect(try RowBatch(decoding: empty.encode(), schema: schema) == empty)
        let s = CollectionSchema(fields: [
            FieldSchema(name: "pk", dataType: .varChar, isPrimaryKey: true, maxLength: 8),
            FieldSchema(name: "h", dataType: .float16Vector, dimension: 3),
            FieldSchema(name: "i16", dataType: .int16, nullable: true),
            FieldSchema(name: "flags", dataType: .array, nullable: true, elementType: .bool, maxCapacity: 3),
            FieldSchema(name: "ds", dataType: .array, elementType: .double, maxCapacity: 3),
        ])
        let h = try build([
            ["pk": .string("a"), "h": .floatVector([1, 0.5, -2]), "i16": .int(-300), "flags": .array([.bool(true), .bool(false)]), "ds": .array([.double(0.25)])],
            ["pk": .string("bé"), "h": .floatVector([0, 0, 0]), "ds": .array([])],
        ], schema: s)
        #expect(try RowBatch(decoding: h.encode(), schema: s) == h)
    }

    @Test func everyTruncationAndBitFlipIsRejected() throws {
        let bytes = try SchemaFixtures.peopleBatch().slice(0..<3).encode()
        for n in 0..<bytes.count {
            #expect(throws: RowBatchError.self) { try RowBatch(decoding: Array(bytes.prefix(n)), schema: schema) }
        }
        for i in 0..<bytes.count {
            var damaged = bytes
            damaged[i] ^= 0x04
            #expect(throws: RowBatchError.self) { try RowBatch(decoding: damaged, schema: schema) }
        }
    }

    @Test func checksummedGarbageIsRejectedWithoutHugeAllocations() throws {
        // Bodies with valid envelopes but hostile counts: each must be a typed error, quickly.
        func sealed(_ body: (inout ByteSink) -> Void) -> [UInt8] {
            var sink = ChecksummedFrame.begin(magic: "VRBT", version: 1)
            body(&sink)
            return ChecksummedFrame.finish(sink)
        }
        let hugeRows = sealed { $0.u32(UInt32.max); $0.u16(12) }
        #expect(throws: RowBatchError.self) { try RowBatch(decoding: hugeRows, schema: schema) }
        let wrongColumns = sealed { $0.u32(1); $0.u16(3) }
        #expect(throws: RowBatchError.malformedEncoding("3 columns, the schema has 12")) { try RowBatch(decoding: wrongColumns, schema: schema) }
        let hugeString = sealed {
            $0.u32(1); $0.u16(12); $0.string("id"); $0.u8(DataType.int64.rawValue); $0.u8(0); $0.i64(1)
            $0.string("vec"); $0.u8(DataType.floatVector.rawValue); $0.u8(0); $0.u32(2); $0.array([Float(1), 2])
            $0.string("age"); $0.u8(DataType.int32.rawValue); $0.u8(7)
        }
        #expect(throws: RowBatchError.malformedEncoding("column 'age': bad validity flag")) { try RowBatch(decoding: hugeString, schema: schema) }
        let otherSchema = try build([SchemaFixtures.row(0)]).encode()
        let s2 = CollectionSchema(fields: [FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true), FieldSchema(name: "vec", dataType: .floatVector, dimension: 2)])
        #expect(throws: RowBatchError.malformedEncoding("12 columns, the schema has 2")) { try RowBatch(decoding: otherSchema, schema: s2) }
    }
}
