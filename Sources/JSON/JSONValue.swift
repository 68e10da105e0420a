/// A JSON document as a value.
///
/// Numbers keep their kind: an integer literal (no fraction, no exponent) that fits in `Int64` is `.int`
/// and round-trips exactly (Milvus ids are Int64); every other number is `.double`. Objects keep their
/// members in document order (`JSONObject`).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object: members in insertion/document order. Lookups are linear, which is fastest for the
/// small objects of an API body; keys are unique when produced by the parser (see `JSONParseOptions`).
public struct JSONObject: Sendable, Equatable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// One `"key": value` pair.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) { self.key = key; self.value = value }
    }

    public private(set) var members: [Member]

    public init() { members = [] }
    public init(_ members: [Member]) { self.members = members }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { Member(key: $0.0, value: $0.1) }
    }

    public var startIndex: Int { members.startIndex }
    public var endIndex: Int { members.endIndex }
    public subscript(position: Int) -> Member { members[position] }

    /// The value of the first member whose key equals `key` exactly; setting replaces it in place or appends.
    public subscript(key: String) -> JSONValue? {
        get { members.first(where: { $0.key == key })?.value }
        set {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let v = newValue { members[i].value = v } else { members.remove(at: i) }
            } else if let v = newValue {
                members.append(Member(key: key, value: v))
            }
        }
    }

    /// Appends a member without checking for an existing key (the caller guarantees uniqueness).
    public mutating func append(_ key: String, _ value: JSONValue) { members.append(Member(key: key, value: value)) }

    /// Milvus-style lookup: an exact key match wins, else the first key equal ignoring ASCII case.
    public func value(forKeyIgnoringCase key: String) -> JSONValue? {
        if let v = self[key] { return v }
        return members.first(where: { asciiCaseInsensitiveEquals($0.key, key) })?.value
    }
}

/// ASCII case-insensitive comparison (non-ASCII bytes must match exactly).
func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in
        b.withUTF8 { y in
            guard x.count == y.count else { return false }
            for i in 0..<x.count where x[i] != y[i] {
                let l = x[i] | 0x20
                guard l == y[i] | 0x20, l >= 0x61, l <= 0x7a else { return false }
            }
            return true
        }
    }
}

extension JSONValue {
    /// Parses a complete JSON document (see `JSONParseOptions` for limits and strictness).
    /// - Throws: `JSONError` with the byte offset of the first problem.
    public static func parse(_ bytes: [UInt8], options: JSONParseOptions = .init()) throws -> JSONValue {
        try JSONReader.read(bytes, options: options) { try $0.readValue() }
    }

    /// Parses a JSON document from a string's UTF-8.
    public static func parse(_ text: String, options: JSONParseOptions = .init()) throws -> JSONValue {
        try parse(Array(text.utf8), options: options)
    }

    /// Member of an object by exact key (nil for non-objects or a missing key).
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// Element of an array (nil for non-arrays or out of range).
    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    /// Member of an object by key, exact match first, then ignoring ASCII case (Milvus accepts both).
    public func value(forKeyIgnoringCase key: String) -> JSONValue? {
        if case .object(let o) = self { return o.value(forKeyIgnoringCase: key) }
        return nil
    }

    public var isNull: Bool { self == .null }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// The value as an exact Int64: `.int`, or a `.double` that is integral and within Int64's range.
    public var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.rounded(.towardZero) == d, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else { return nil }
            return Int64(d)
        default: return nil
        }
    }

    /// The value as a Double (`.int` converts, possibly rounding beyond 2^53).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// An array of numbers as `[Float]` (nil if any element is not a number). For request bodies prefer
    /// `JSONReader.readFloatArray`, which never builds the intermediate `[JSONValue]`.
    public func floatArray() -> [Float]? {
        guard case .array(let a) = self else { return nil }
        var out = [Float]()
        out.reserveCapacity(a.count)
        for v in a {
            switch v {
            case .int(let i): out.append(Float(i))
            case .double(let d): out.append(Float(d))
            default: return nil
            }
        }
        return out
    }

    /// Serializes to compact JSON bytes.
    /// - Throws: `JSONError(.nonFiniteNumber)` for NaN or infinity (JSON cannot represent them).
    public func serialized() throws -> [UInt8] {
        var w = JSONWriter()
        try w.write(self)
        return w.bytes
    }

    /// Serializes to a compact JSON string.
    public func serializedString() throws -> String { String(decoding: try serialized(), as: UTF8.self) }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { JSONObject.Member(key: $0.0, value: $0.1) }))
    }
}
