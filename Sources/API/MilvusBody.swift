import JSON
import Shard

/// A Milvus REST request body: the top-level JSON object with Milvus's lookup rules (keys match ignoring
/// ASCII case, numbers may arrive as strings) and typed getters that fail with Milvus's codes — 1802 for a
/// missing required key, 1100 for a value of the wrong type.
///
/// Search vectors take a fast path: when `vectorKey` is given, that key's `[[floats], …]` is decoded with
/// `JSONReader.readFloatArray` straight into one flat buffer (``vectors``) without building a tree.
struct MilvusBody {
    /// Every top-level member except a fast-path vector list.
    let object: JSONObject
    /// Flat query vectors (fast path), their count and dimension.
    private(set) var vectors: [Float] = []
    private(set) var vectorCount = 0
    private(set) var vectorDimension = 0
    /// Whether the fast path decoded `vectorKey`.
    private(set) var hasVectors = false

    /// Parses `bytes`. An empty body counts as `{}` (Milvus clients send `{}` for list endpoints).
    /// - Throws: 1801 when the bytes are not a JSON object; 1100 when fast-path vectors have unequal lengths.
    init(_ bytes: [UInt8], vectorKey: String? = nil) throws(APIError) {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) {
            object = JSONObject()
            return
        }
        var flat: [Float] = []
        var count = 0
        var dimension = 0
        var found = false
        let members: JSONObject
        do {
            members = try JSONReader.read(bytes) { r throws -> JSONObject in
                guard try r.peekKind() == .object else {
                    throw JSONError(.typeMismatch(expected: "a JSON object"), at: r.offset)
                }
                var obj = JSONObject()
                try r.beginObject()
                while let key = try r.nextKey() {
                    guard obj[key] == nil, !(found && key.lowercased() == vectorKey?.lowercased()) else {
                        throw JSONError(.duplicateKey(key), at: r.lastKeyOffset)
                    }
                    if let vk = vectorKey, !found, key.lowercased() == vk.lowercased(),
                        let v = try MilvusBody.readVectors(&r, into: &flat) {
                        (count, dimension, found) = (v.count, v.dimension, true)
                        continue
                    }
                    obj.append(key, try r.readValue())
                }
                return obj
            }
        } catch let e as JSONError {
            throw .malformedRequest("\(e)")
        } catch let e as APIError {
            throw e
        } catch {
            throw .malformedRequest("\(error)")
        }
        object = members
        vectors = flat
        vectorCount = count
        vectorDimension = dimension
        hasVectors = found
    }

    /// A body around an already-parsed object (nested objects use the same getters).
    init(object: JSONObject) {
        self.object = object
    }

    /// Reads `[[f, …], …]` into `flat`; nil (reader rewound) if the value has another shape, e.g. texts.
    private static func readVectors(_ r: inout JSONReader, into flat: inout [Float]) throws -> (count: Int, dimension: Int)? {
        let saved = r
        guard try r.peekKind() == .array else { return nil }
        var count = 0
        var dimension = -1
        do {
            try r.beginArray()
            while try r.nextElement() {
                guard try r.peekKind() == .array else { r = saved; return nil }
                let n = try r.readFloatArray(into: &flat)
                if dimension < 0 { dimension = n }
                guard n == dimension else {
                    throw APIError.invalidParameter("all query vectors must have the same dimension: vector 0 has \(dimension), vector \(count) has \(n)")
                }
                count += 1
                guard count <= MilvusRESTRoutes.Limits.maxQueries else {
                    throw APIError.invalidParameter("nq (number of query vectors) exceeds \(MilvusRESTRoutes.Limits.maxQueries)")
                }
            }
        } catch let e as JSONError {
            guard case .typeMismatch = e.kind else { throw e }
            r = saved
            flat.removeAll(keepingCapacity: true)
            return nil
        }
        return (count, max(dimension, 0))
    }

    /// The value for `key` ignoring ASCII case, treating JSON null as absent.
    func value(_ key: String) -> JSONValue? {
        guard let v = object.value(forKeyIgnoringCase: key), v != .null else { return nil }
        return v
    }

    func require(_ key: String) throws(APIError) -> JSONValue {
        guard let v = value(key) else { throw .missingParameter(key) }
        return v
    }

    /// A string; a required one must also be non-empty (Milvus's `binding:"required"`).
    func string(_ key: String) throws(APIError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.stringValue else { throw .invalidParameter("\(key) must be a string") }
        return s
    }

    func requiredString(_ key: String) throws(APIError) -> String {
        guard let s = try string(key), !s.isEmpty else { throw .missingParameter(key) }
        return s
    }

    /// The database name (`dbName`, default `"default"`).
    func database() throws(APIError) -> String {
        let s = try string("dbName") ?? ""
        return s.isEmpty ? "default" : s
    }

    func int(_ key: String) throws(APIError) -> Int? {
        guard let v = value(key) else { return nil }
        return try MilvusBody.int(v, name: key)
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let v = value(key) else { return nil }
        return try MilvusBody.bool(v, name: key)
    }

    func stringArray(_ key: String) throws(APIError) -> [String]? {
        guard let v = value(key) else { return nil }
        guard let a = v.arrayValue else { throw .invalidParameter("\(key) must be an array of strings") }
        var out: [String] = []
        for e in a {
            guard let s = e.stringValue else { throw .invalidParameter("\(key) must be an array of strings") }
            out.append(s)
        }
        return out
    }

    func objectValue(_ key: String) throws(APIError) -> JSONObject? {
        guard let v = value(key) else { return nil }
        guard let o = v.objectValue else { throw .invalidParameter("\(key) must be an object") }
        return o
    }

    /// `exprParams` as filter template values.
    func exprParams() throws(APIError) -> [String: FieldValue] {
        guard let o = try objectValue("exprParams") else { return [:] }
        var out: [String: FieldValue] = [:]
        for m in o { out[m.key] = FieldValue(json: m.value) }
        return out
    }

    /// An integer given as a number or a decimal string (Milvus accepts `"dim": "5"`).
    static func int(_ v: JSONValue, name: String) throws(APIError) -> Int {
        if let i = v.int64Value, let n = Int(exactly: i) { return n }
        if let s = v.stringValue, let n = Int(s.trimmingSpaces()) { return n }
        throw .invalidParameter("\(name) must be an integer, got \(v.kindName)")
    }

    static func double(_ v: JSONValue, name: String) throws(APIError) -> Double {
        if let d = v.doubleValue { return d }
        if let s = v.stringValue, let d = Double(s.trimmingSpaces()), d.isFinite { return d }
        throw .invalidParameter("\(name) must be a number, got \(v.kindName)")
    }

    /// A bool given as `true`/`false` or the strings `"true"`/`"false"`.
    static func bool(_ v: JSONValue, name: String) throws(APIError) -> Bool {
        if let b = v.boolValue { return b }
        switch v.stringValue?.lowercased() {
        case "true": return true
        case "false": return false
        default: throw .invalidParameter("\(name) must be a bool, got \(v.kindName)")
        }
    }

    /// Primary keys from a scalar or an array of Int64s / strings (Int64 exact).
    static func primaryKeys(_ v: JSONValue, name: String) throws(APIError) -> [PrimaryKey] {
        func one(_ e: JSONValue) throws(APIError) -> PrimaryKey {
            switch e {
            case .int(let i): return .int(i)
            case .string(let s): return .string(s)
            default: throw .invalidParameter("\(name) must hold Int64 or VarChar primary keys, got \(e.kindName)")
            }
        }
        if case .array(let a) = v {
            var out: [PrimaryKey] = []
            out.reserveCapacity(a.count)
            for e in a { out.append(try one(e)) }
            return out
        }
        return [try one(v)]
    }
}

extension String {
    func trimmingSpaces() -> Substring {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}

extension JSONValue {
    /// A short name of the value's kind for error messages.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension FieldValue {
    /// The field value of a request JSON value: numbers keep their int/float kind (Int64 exact).
    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map(FieldValue.init(json:)))
        case .object(let o):
            var d: [String: FieldValue] = [:]
            for m in o { d[m.key] = FieldValue(json: m.value) }
            self = .object(d)
        }
    }
}

extension JSONWriter {
    /// Writes a field value: Float vectors in shortest Float form, object keys sorted (stable output).
    mutating func write(field value: FieldValue) throws {
        switch value {
        case .null: writeNull()
        case .bool(let b): write(b)
        case .int(let i): write(i)
        case .double(let d): try write(d)
        case .string(let s): write(s)
        case .array(let a):
            beginArray()
            for e in a { try write(field: e) }
            endArray()
        case .object(let o):
            beginObject()
            for k in o.keys.sorted() {
                key(k)
                try write(field: o[k]!)
            }
            endObject()
        case .floatVector(let v):
            beginArray()
            for f in v { try write(f) }
            endArray()
        }
    }

    /// Writes a row's members (keys sorted) into the current object.
    mutating func writeMembers(_ row: [String: FieldValue]) throws {
        for k in row.keys.sorted() {
            key(k)
            try write(field: row[k]!)
        }
    }

    mutating func write(key pk: PrimaryKey) {
        switch pk {
        case .int(let i): write(i)
        case .string(let s): write(s)
        }
    }
}
