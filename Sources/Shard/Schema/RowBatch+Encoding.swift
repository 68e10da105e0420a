import VecCore

/// Binary encoding of a ``RowBatch`` for the log payload, inside a ``ChecksummedFrame`` with magic
/// `VRBT`, version 1. The schema is not included: the reader decodes against the collection's schema and
/// every column is checked against it. Body (little-endian):
///
/// | field | encoding |
/// | --- | --- |
/// | row count | u32 |
/// | column count | u16 |
/// | per column: name | u32 length + UTF-8 |
/// | data type | u8 (``DataType`` raw value) |
/// | has validity | u8 0/1; if 1: ⌈rows/64⌉ u64 words, bits past the row count zero |
/// | data | by type, below |
///
/// | type | data |
/// | --- | --- |
/// | Bool | one byte per row, 0 or 1 |
/// | Int8…Int64, Float, Double | rows × the type's width, raw |
/// | VarChar | per row: u32 length + UTF-8 |
/// | JSON | per row: a ``FieldValue`` encoding |
/// | Array | u8 element type; rows + 1 u32 offsets (first 0, non-decreasing); the elements as a column of that type with offsets[rows] entries |
/// | FloatVector / Float16Vector | u32 dimension; rows × dimension f32 / f16, raw |
///
/// Every count is checked against the bytes that remain before anything is allocated, so a decoder never
/// allocates more than about the input's size, and inputs over ``maxEncodedBytes`` are refused outright.
extension RowBatch {
    static let magic: StaticString = "VRBT"
    /// Largest encoded batch accepted by the decoder: 256 MiB, four times Milvus's 64 MB insert-request
    /// limit. Callers that build larger batches must split them (``slice(_:)``).
    public static let maxEncodedBytes = 256 << 20

    /// The encoded batch (see the type-level table).
    public func encode() -> [UInt8] {
        var sink = ChecksummedFrame.begin(magic: Self.magic, version: 1, reservingCapacity: 64 + rowCount * 16)
        sink.count(rowCount)
        sink.u16(UInt16(columns.count))
        for c in columns { Self.encode(column: c, into: &sink) }
        return ChecksummedFrame.finish(sink)
    }

    /// One column as the table above lays it out: name, type, validity, data. Shared with ``ShardRows``.
    static func encode(column c: Column, into sink: inout ByteSink) {
        sink.string(c.name)
        sink.u8(c.dataType.rawValue)
        if let v = c.validity {
            sink.u8(1)
            sink.array(v.words)
        } else {
            sink.u8(0)
        }
        encode(c.data, into: &sink)
    }

    /// Reads one column of `rows` rows written by ``encode(column:into:)``. `expect` gives the name and type
    /// the column must have (nil: accept any name, and take `field` for the type checks).
    static func decodeColumn(rows: Int, field: FieldSchema?, expect: (name: String, type: DataType)?,
                             from src: inout ByteSource) throws(DecodeFailure) -> Column {
        let name = try src.string("column name")
        let rawType = try src.u8("column type")
        guard let type = DataType(rawValue: rawType) else {
            throw DecodeFailure(reason: "column '\(name)': unknown data type \(rawType)")
        }
        if let expect, name != expect.name || type != expect.type {
            throw DecodeFailure(reason: "column '\(name)' (\(type)) is not the expected '\(expect.name)' (\(expect.type))")
        }
        if expect == nil, let field, field.dataType != type {
            throw DecodeFailure(reason: "column '\(name)' is \(type), the schema says \(field.dataType)")
        }
        var validity: Bitset?
        switch try src.u8("validity flag") {
        case 0: break
        case 1:
            let words = try src.array(of: UInt64.self, count: (rows + 63) / 64, "validity words")
            validity = try bitset(words: words, count: rows)
        default: throw DecodeFailure(reason: "column '\(name)': bad validity flag")
        }
        let data = try decodeData(type, rows: rows, field: field, from: &src, depth: 0)
        return Column(name: name, data: data, validity: validity)
    }

    private static func encode(_ data: ColumnData, into sink: inout ByteSink) {
        switch data {
        case .bool(let v): sink.bytes.append(contentsOf: v.map { $0 ? 1 : 0 })
        case .int8(let v): sink.array(v)
        case .int16(let v): sink.array(v)
        case .int32(let v): sink.array(v)
        case .int64(let v): sink.array(v)
        case .float(let v): sink.array(v)
        case .double(let v): sink.array(v)
        case .string(let v): for s in v { sink.string(s) }
        case .json(let v): for x in v { x.encode(into: &sink) }
        case .array(let a):
            sink.u8(a.elementType.rawValue)
            sink.array(a.offsets.map { UInt32($0) })
            encode(a.elements, into: &sink)
        case .floatVector(let d, let v):
            sink.count(d)
            sink.array(v)
        case .float16Vector(let d, let v):
            sink.count(d)
            sink.array(v.map(\.bitPattern))
        }
    }

    /// Decodes bytes produced by ``encode()`` for a collection with `schema`.
    /// - Throws: ``RowBatchError/malformedEncoding(_:)`` for damaged or foreign bytes, or the row error a
    ///   decoded value violates (the same checks as ``init(schema:columns:)``).
    public init(decoding bytes: [UInt8], schema: CollectionSchema) throws(RowBatchError) {
        guard bytes.count <= Self.maxEncodedBytes else {
            throw .malformedEncoding("\(bytes.count) bytes exceed the \(Self.maxEncodedBytes)-byte batch limit")
        }
        var columns: [Column] = []
        do throws(DecodeFailure) {
            var (src, _) = try ChecksummedFrame.open(bytes, magic: Self.magic, supportedVersions: 1...1, what: "row batch")
            let rows = Int(try src.u32("row count"))
            let n = Int(try src.u16("column count"))
            let expected = schema.fields.count + (schema.enableDynamicField ? 1 : 0)
            guard n == expected else { throw DecodeFailure(reason: "\(n) columns, the schema has \(expected)") }
            for i in 0..<n {
                let field = i < schema.fields.count ? schema.fields[i] : nil
                let expect = (name: field?.name ?? CollectionSchema.dynamicFieldName, type: field?.dataType ?? DataType.json)
                columns.append(try Self.decodeColumn(rows: rows, field: field, expect: expect, from: &src))
            }
            guard src.isAtEnd else { throw DecodeFailure(reason: "\(src.remaining) unexpected bytes after the last column") }
        } catch {
            throw .malformedEncoding(error.reason)
        }
        try self.init(schema: schema, columns: columns)
    }

    private static func bitset(words: [UInt64], count: Int) throws(DecodeFailure) -> Bitset {
        var b = Bitset(count: count)
        for (wi, word) in words.enumerated() {
            var w = word
            while w != 0 {
                let bit = wi << 6 | w.trailingZeroBitCount
                guard bit < count else { throw DecodeFailure(reason: "validity bit \(bit) set past row count \(count)") }
                b.insert(bit)
                w &= w &- 1
            }
        }
        return b
    }

    private static func decodeData(
        _ type: DataType, rows: Int, field: FieldSchema?, from src: inout ByteSource, depth: Int
    ) throws(DecodeFailure) -> ColumnData {
        switch type {
        case .bool:
            let raw = try src.array(of: UInt8.self, count: rows, "bool column")
            guard raw.allSatisfy({ $0 <= 1 }) else { throw DecodeFailure(reason: "bool byte other than 0 or 1") }
            return .bool(raw.map { $0 == 1 })
        case .int8: return .int8(try src.array(of: Int8.self, count: rows, "int8 column"))
        case .int16: return .int16(try src.array(of: Int16.self, count: rows, "int16 column"))
        case .int32: return .int32(try src.array(of: Int32.self, count: rows, "int32 column"))
        case .int64: return .int64(try src.array(of: Int64.self, count: rows, "int64 column"))
        case .float: return .float(try src.array(of: Float.self, count: rows, "float column"))
        case .double: return .double(try src.array(of: Double.self, count: rows, "double column"))
        case .varChar:
            guard rows <= src.remaining / 4 else { throw DecodeFailure(reason: "VarChar column truncated") }
            var out: [String] = []
            out.reserveCapacity(rows)
            for _ in 0..<rows { out.append(try src.string("VarChar value")) }
            return .string(out)
        case .json:
            guard rows <= src.remaining else { throw DecodeFailure(reason: "JSON column truncated") }
            var out: [FieldValue] = []
            out.reserveCapacity(rows)
            for _ in 0..<rows { out.append(try FieldValue.decode(from: &src)) }
            return .json(out)
        case .array:
            guard depth == 0 else { throw DecodeFailure(reason: "nested array column") }
            let rawElement = try src.u8("array element type")
            guard let element = DataType(rawValue: rawElement), element.isArrayElement, element == field?.elementType else {
                throw DecodeFailure(reason: "array element type \(rawElement) does not match the schema")
            }
            guard rows < Int(UInt32.max) else { throw DecodeFailure(reason: "too many rows") }
            let offsets = try src.array(of: UInt32.self, count: rows + 1, "array offsets").map { Int($0) }
            guard offsets[0] == 0, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw DecodeFailure(reason: "array offsets do not start at 0 or decrease")
            }
            let elements = try decodeData(element, rows: offsets[rows], field: field, from: &src, depth: depth + 1)
            return .array(ArrayColumn(offsets: offsets, elements: elements))
        case .floatVector, .float16Vector:
            let d = Int(try src.u32("dimension"))
            guard d == field?.dimension else { throw DecodeFailure(reason: "vector dimension \(d) does not match the schema") }
            let width = type == .floatVector ? 4 : 2
            guard rows <= src.remaining / (d * width) else { throw DecodeFailure(reason: "vector column truncated") }
            if type == .floatVector {
                return .floatVector(dimension: d, values: try src.array(of: Float.self, count: rows * d, "vectors"))
            }
            let bits = try src.array(of: UInt16.self, count: rows * d, "vectors")
            return .float16Vector(dimension: d, values: bits.map { Float16(bitPattern: $0) })
        }
    }
}
