/// Binary encoding of ``FieldValue`` (used inside the schema, row-batch and JSON-column encodings).
///
/// | tag (u8) | value | payload |
/// | --- | --- | --- |
/// | 0 | null | — |
/// | 1 / 2 | false / true | — |
/// | 3 | int | i64 |
/// | 4 | double | f64 bits |
/// | 5 | string | u32 length + UTF-8 |
/// | 6 | array | u32 count + values |
/// | 7 | object | u32 count + (u32 length + UTF-8 key, value)…, keys sorted |
/// | 8 | float vector | u32 count + f32… |
///
/// All integers little-endian. Decoding bounds nesting at ``maxDepth`` levels.
extension FieldValue {
    /// Deepest nesting accepted when decoding (deeper input is rejected, not recursed into).
    static let maxDepth = 64

    func encode(into sink: inout ByteSink) {
        switch self {
        case .null: sink.u8(0)
        case .bool(let b): sink.u8(b ? 2 : 1)
        case .int(let v): sink.u8(3); sink.i64(v)
        case .double(let v): sink.u8(4); sink.f64(v)
        case .string(let s): sink.u8(5); sink.string(s)
        case .array(let a):
            sink.u8(6)
            sink.count(a.count)
            for v in a { v.encode(into: &sink) }
        case .object(let o):
            sink.u8(7)
            sink.count(o.count)
            for k in o.keys.sorted() {
                sink.string(k)
                o[k]!.encode(into: &sink)
            }
        case .floatVector(let v):
            sink.u8(8)
            sink.count(v.count)
            sink.array(v)
        }
    }

    static func decode(from source: inout ByteSource, depth: Int = 0) throws(DecodeFailure) -> FieldValue {
        guard depth < maxDepth else { throw DecodeFailure(reason: "value nested deeper than \(maxDepth) levels") }
        let tag = try source.u8("value tag")
        switch tag {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try source.i64("int value"))
        case 4: return .double(try source.f64("double value"))
        case 5: return .string(try source.string("string value"))
        case 6:
            let n = try source.count("array count")
            var a: [FieldValue] = []
            a.reserveCapacity(n)
            for _ in 0..<n { a.append(try decode(from: &source, depth: depth + 1)) }
            return .array(a)
        case 7:
            let n = try source.count("object count", minItemBytes: 5)
            var o: [String: FieldValue] = [:]
            o.reserveCapacity(n)
            for _ in 0..<n {
                let k = try source.string("object key")
                let v = try decode(from: &source, depth: depth + 1)
                guard o.updateValue(v, forKey: k) == nil else {
                    throw DecodeFailure(reason: "duplicate object key '\(k)'")
                }
            }
            return .object(o)
        case 8:
            let n = try source.count("vector count", minItemBytes: 4)
            return .floatVector(try source.array(of: Float.self, count: n, "vector"))
        default:
            throw DecodeFailure(reason: "unknown value tag \(tag) at offset \(source.position - 1)")
        }
    }
}

extension FieldValue {
    /// The value's binary encoding (the format JSON columns use), for carrying values between nodes, e.g.
    /// filter template parameters.
    public func encoded() -> [UInt8] {
        var sink = ByteSink()
        encode(into: &sink)
        return sink.bytes
    }

    /// Decodes bytes written by ``encoded()``; every byte must be consumed.
    /// - Throws: ``RowBatchError/malformedEncoding(_:)`` naming what is wrong.
    public init(decoding bytes: [UInt8]) throws(RowBatchError) {
        var src = ByteSource(bytes)
        do throws(DecodeFailure) {
            self = try FieldValue.decode(from: &src)
            guard src.isAtEnd else { throw DecodeFailure(reason: "\(src.remaining) trailing bytes") }
        } catch {
            throw .malformedEncoding(error.reason)
        }
    }
}
