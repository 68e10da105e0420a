/// Binary encoding of a ``CollectionSchema`` for the meta store and the wire, inside a
/// ``ChecksummedFrame`` with magic `VSCH`, version 1 or 2. Body (little-endian):
///
/// | field | encoding |
/// | --- | --- |
/// | flags | u8: bit 0 = enableDynamicField; other bits must be 0 |
/// | description | u32 length + UTF-8 |
/// | field count | u16 |
/// | per field: name | u32 length + UTF-8 |
/// | data type | u8 (``DataType`` raw value) |
/// | flags | u8: bit 0 primary key, 1 autoID, 2 nullable, 3 has default; other bits 0 |
/// | dimension, max_length | u32 each, 0 = absent |
/// | element type | u8, 0 = absent |
/// | max_capacity | u32, 0 = absent |
/// | description | u32 length + UTF-8 |
/// | default value | ``FieldValue`` encoding, only if flag bit 3 |
/// | *version 2 only:* function count | u16 |
/// | per function: name | u32 length + UTF-8 |
/// | type | u8 (``FunctionSchema/FunctionType`` raw value) |
/// | input, output field names | each: u16 count, then per name u32 length + UTF-8 |
/// | params | u16 count, then per entry (sorted by key) key and value, u32 length + UTF-8 each |
/// | description | u32 length + UTF-8 |
///
/// A schema without functions is written as version 1 (byte-identical to what older builds wrote and read);
/// one with functions as version 2. Version 1 decodes with no functions. Decoding also runs
/// ``CollectionSchema/validate()``: a stored schema is always a valid one.
extension CollectionSchema {
    static let magic: StaticString = "VSCH"
    /// The newest version this build writes (for schemas with functions) and reads.
    static let formatVersion: UInt16 = 2

    /// The encoded schema (see the type-level table).
    public func encode() -> [UInt8] {
        let version: UInt16 = functions.isEmpty ? 1 : 2
        var sink = ChecksummedFrame.begin(magic: Self.magic, version: version, reservingCapacity: 64 * (fields.count + functions.count))
        sink.u8(enableDynamicField ? 1 : 0)
        sink.string(description)
        sink.u16(UInt16(clamping: fields.count))
        for f in fields {
            sink.string(f.name)
            sink.u8(f.dataType.rawValue)
            var flags: UInt8 = 0
            if f.isPrimaryKey { flags |= 1 }
            if f.autoID { flags |= 2 }
            if f.nullable { flags |= 4 }
            if f.defaultValue != nil { flags |= 8 }
            sink.u8(flags)
            sink.u32(UInt32(clamping: f.dimension ?? 0))
            sink.u32(UInt32(clamping: f.maxLength ?? 0))
            sink.u8(f.elementType?.rawValue ?? 0)
            sink.u32(UInt32(clamping: f.maxCapacity ?? 0))
            sink.string(f.description)
            f.defaultValue?.encode(into: &sink)
        }
        if version >= 2 {
            sink.u16(UInt16(clamping: functions.count))
            for fn in functions {
                sink.string(fn.name)
                sink.u8(fn.type.rawValue)
                for names in [fn.inputFieldNames, fn.outputFieldNames] {
                    sink.u16(UInt16(clamping: names.count))
                    for n in names { sink.string(n) }
                }
                sink.u16(UInt16(clamping: fn.params.count))
                for key in fn.params.keys.sorted() {
                    sink.string(key)
                    sink.string(fn.params[key]!)
                }
                sink.string(fn.description)
            }
        }
        return ChecksummedFrame.finish(sink)
    }

    /// Decodes and validates bytes produced by ``encode()``.
    /// - Throws: ``SchemaError/malformedEncoding(_:)`` for damaged bytes, ``SchemaError/invalid(field:reason:)``
    ///   if they decode to a schema that breaks a rule.
    public init(decoding bytes: [UInt8]) throws(SchemaError) {
        do throws(DecodeFailure) {
            let opened = try ChecksummedFrame.open(bytes, magic: Self.magic, supportedVersions: 1...Self.formatVersion, what: "schema")
            var src = opened.0
            let version = opened.1
            let flags = try src.u8("schema flags")
            guard flags & ~1 == 0 else { throw DecodeFailure(reason: "unknown schema flags \(flags)") }
            let description = try src.string("schema description")
            let n = Int(try src.u16("field count"))
            var fields: [FieldSchema] = []
            for _ in 0..<n {
                let name = try src.string("field name")
                let rawType = try src.u8("data type")
                guard let type = DataType(rawValue: rawType) else {
                    throw DecodeFailure(reason: "field '\(name)': unknown data type \(rawType)")
                }
                let ff = try src.u8("field flags")
                guard ff & ~15 == 0 else { throw DecodeFailure(reason: "field '\(name)': unknown flags \(ff)") }
                let dim = Int(try src.u32("dimension"))
                let maxLength = Int(try src.u32("max_length"))
                let rawElement = try src.u8("element type")
                var element: DataType?
                if rawElement != 0 {
                    guard let e = DataType(rawValue: rawElement) else {
                        throw DecodeFailure(reason: "field '\(name)': unknown element type \(rawElement)")
                    }
                    element = e
                }
                let capacity = Int(try src.u32("max_capacity"))
                let fieldDescription = try src.string("field description")
                let defaultValue = ff & 8 != 0 ? try FieldValue.decode(from: &src) : nil
                fields.append(FieldSchema(
                    name: name, dataType: type, isPrimaryKey: ff & 1 != 0, autoID: ff & 2 != 0,
                    nullable: ff & 4 != 0, defaultValue: defaultValue, description: fieldDescription,
                    dimension: dim == 0 ? nil : dim, maxLength: maxLength == 0 ? nil : maxLength,
                    elementType: element, maxCapacity: capacity == 0 ? nil : capacity))
            }
            let functions = version >= 2 ? try Self.decodeFunctions(&src) : []
            guard src.isAtEnd else {
                throw DecodeFailure(reason: "\(src.remaining) unexpected bytes after the last \(version >= 2 ? "function" : "field")")
            }
            self.init(fields: fields, enableDynamicField: flags & 1 != 0, description: description, functions: functions)
        } catch {
            throw .malformedEncoding(error.reason)
        }
        try validate()
    }

    /// The version-2 function list (see the type-level table).
    private static func decodeFunctions(_ src: inout ByteSource) throws(DecodeFailure) -> [FunctionSchema] {
        let n = Int(try src.u16("function count"))
        guard n <= FunctionSchema.Limits.maxFunctions else {
            throw DecodeFailure(reason: "\(n) functions exceed the limit of \(FunctionSchema.Limits.maxFunctions)")
        }
        var functions: [FunctionSchema] = []
        for _ in 0..<n {
            let name = try src.string("function name")
            let rawType = try src.u8("function type")
            guard let type = FunctionSchema.FunctionType(rawValue: rawType) else {
                throw DecodeFailure(reason: "function '\(name)': unknown function type \(rawType)")
            }
            var lists: [[String]] = []
            for _ in 0..<2 {
                let count = Int(try src.u16("function field count"))
                guard count <= Limits.maxFields else {
                    throw DecodeFailure(reason: "function '\(name)': \(count) field names exceed the limit of \(Limits.maxFields)")
                }
                var names: [String] = []
                for _ in 0..<count { names.append(try src.string("function field name")) }
                lists.append(names)
            }
            let paramCount = Int(try src.u16("function param count"))
            guard paramCount <= FunctionSchema.Limits.maxParams else {
                throw DecodeFailure(reason: "function '\(name)': \(paramCount) params exceed the limit of \(FunctionSchema.Limits.maxParams)")
            }
            var params: [String: String] = [:]
            for _ in 0..<paramCount {
                let key = try src.string("function param key")
                guard params[key] == nil else { throw DecodeFailure(reason: "function '\(name)': duplicate param '\(key)'") }
                params[key] = try src.string("function param value")
            }
            let description = try src.string("function description")
            functions.append(FunctionSchema(name: name, type: type, inputFieldNames: lists[0], outputFieldNames: lists[1],
                                            params: params, description: description))
        }
        return functions
    }
}

/// Binary encoding of an ``IndexSpec`` inside a ``ChecksummedFrame`` with magic `VIDX`, version 1.
/// Body: field name (u32 length + UTF-8), kind u8 (1 FLAT, 2 HNSW, 3 HNSW_SQ8, 4 IVF_FLAT, 5 IVF_SQ8), metric u8
/// (``IndexSpec/Metric`` raw value), then for HNSW and HNSW_SQ8 M and efConstruction as u32 each, for IVF_FLAT
/// and IVF_SQ8 nlist as u32. Kinds 3–5 were added without a version bump: encodings of kinds 1–2 are unchanged,
/// so older specs decode as before (an older build refuses the new kinds as "unknown index kind").
extension IndexSpec {
    static let magic: StaticString = "VIDX"

    /// The encoded spec.
    public func encode() -> [UInt8] {
        var sink = ChecksummedFrame.begin(magic: Self.magic, version: 1)
        sink.string(fieldName)
        switch kind {
        case .flat:
            sink.u8(1)
            sink.u8(metric.rawValue)
        case .hnsw(let m, let ef):
            sink.u8(2)
            sink.u8(metric.rawValue)
            sink.u32(UInt32(clamping: m))
            sink.u32(UInt32(clamping: ef))
        case .hnswSQ8(let m, let ef):
            sink.u8(3)
            sink.u8(metric.rawValue)
            sink.u32(UInt32(clamping: m))
            sink.u32(UInt32(clamping: ef))
        case .ivfFlat(let nlist):
            sink.u8(4)
            sink.u8(metric.rawValue)
            sink.u32(UInt32(clamping: nlist))
        case .ivfSQ8(let nlist):
            sink.u8(5)
            sink.u8(metric.rawValue)
            sink.u32(UInt32(clamping: nlist))
        }
        return ChecksummedFrame.finish(sink)
    }

    /// Decodes and validates bytes produced by ``encode()``.
    public init(decoding bytes: [UInt8]) throws(SchemaError) {
        do throws(DecodeFailure) {
            var (src, _) = try ChecksummedFrame.open(bytes, magic: Self.magic, supportedVersions: 1...1, what: "index spec")
            let name = try src.string("index field name")
            let rawKind = try src.u8("index kind")
            let rawMetric = try src.u8("metric")
            guard let metric = Metric(rawValue: rawMetric) else { throw DecodeFailure(reason: "unknown metric \(rawMetric)") }
            let kind: Kind
            switch rawKind {
            case 1: kind = .flat
            case 2: kind = .hnsw(m: Int(try src.u32("HNSW M")), efConstruction: Int(try src.u32("HNSW efConstruction")))
            case 3: kind = .hnswSQ8(m: Int(try src.u32("HNSW_SQ8 M")), efConstruction: Int(try src.u32("HNSW_SQ8 efConstruction")))
            case 4: kind = .ivfFlat(nlist: Int(try src.u32("IVF_FLAT nlist")))
            case 5: kind = .ivfSQ8(nlist: Int(try src.u32("IVF_SQ8 nlist")))
            default: throw DecodeFailure(reason: "unknown index kind \(rawKind)")
            }
            guard src.isAtEnd else { throw DecodeFailure(reason: "\(src.remaining) unexpected bytes after the index spec") }
            self.init(fieldName: name, kind: kind, metric: metric)
        } catch {
            throw .malformedEncoding(error.reason)
        }
        try validate()
    }
}
