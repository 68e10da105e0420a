/// Header fields of a request or response, in order, with case-insensitive name lookup.
///
/// Backed by one byte array plus offsets, so a parsed request's headers cost one allocation and a lookup
/// compares bytes without building Strings. Names compare ASCII-case-insensitively; values are returned
/// with surrounding whitespace trimmed. Values added by handlers have CR, LF and NUL replaced by spaces,
/// so a value echoed from user input can never inject a header or split a response.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    struct Field: Sendable {
        var nameStart: Int32, nameEnd: Int32, valueStart: Int32, valueEnd: Int32
    }

    var storage: [UInt8]
    var fields: [Field]

    /// Empty headers.
    public init() {
        storage = []
        fields = []
    }

    init(storage: [UInt8], fields: [Field]) {
        self.storage = storage
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init()
        for (n, v) in elements { add(name: n, value: v) }
    }

    /// Number of fields (repeated names count separately).
    public var count: Int { fields.count }

    /// Appends a field. Names must be non-empty RFC 9110 tokens (API misuse otherwise: precondition).
    public mutating func add(name: String, value: String) {
        precondition(!name.isEmpty && name.utf8.allSatisfy(isTokenByte), "invalid HTTP header name '\(name)'")
        let ns = Int32(storage.count)
        storage.append(contentsOf: name.utf8)
        let ne = Int32(storage.count)
        var vs = storage.count
        for b in value.utf8 { storage.append(b == 0x0d || b == 0x0a || b == 0 ? 0x20 : b) }
        var ve = storage.count
        while vs < ve, storage[vs] == 0x20 || storage[vs] == 0x09 { vs += 1 }
        while ve > vs, storage[ve - 1] == 0x20 || storage[ve - 1] == 0x09 { ve -= 1 }
        fields.append(Field(nameStart: ns, nameEnd: ne, valueStart: Int32(vs), valueEnd: Int32(ve)))
    }

    /// Replaces every field named `name` with one field (or removes them when `value` is nil).
    public mutating func set(name: String, value: String?) {
        remove(name: name)
        if let value { add(name: name, value: value) }
    }

    /// Removes every field named `name` (storage bytes are left in place; they are never serialized).
    public mutating func remove(name: String) {
        let keep = fields.filter { !nameEquals($0, name) }
        fields = keep
    }

    /// The first value for `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        guard let f = fields.first(where: { nameEquals($0, name) }) else { return nil }
        return string(f.valueStart, f.valueEnd)
    }

    /// Every value for `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { nameEquals($0, name) }.map { string($0.valueStart, $0.valueEnd) }
    }

    /// True when a field named `name` is present.
    public func contains(_ name: String) -> Bool { fields.contains { nameEquals($0, name) } }

    /// Iterates `(name, value)` pairs in order.
    public func makeIterator() -> AnyIterator<(name: String, value: String)> {
        var i = 0
        return AnyIterator {
            guard i < fields.count else { return nil }
            let f = fields[i]
            i += 1
            return (string(f.nameStart, f.nameEnd), string(f.valueStart, f.valueEnd))
        }
    }

    private func string(_ s: Int32, _ e: Int32) -> String {
        storage.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[Int(s)..<Int(e)]), as: UTF8.self) }
    }

    func nameEquals(_ f: Field, _ name: String) -> Bool {
        var name = name
        return name.withUTF8 { n in nameEquals(f, n) }
    }

    @inline(__always)
    func nameEquals(_ f: Field, _ n: UnsafeBufferPointer<UInt8>) -> Bool {
        let len = Int(f.nameEnd - f.nameStart)
        guard len == n.count else { return false }
        return storage.withUnsafeBufferPointer { s in
            let base = Int(f.nameStart)
            for i in 0..<len where asciiLower(s[base + i]) != asciiLower(n[i]) { return false }
            return true
        }
    }

    /// Calls `body` with each field's name and value bytes (no String allocation).
    func forEachRaw(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
        storage.withUnsafeBufferPointer { s in
            for f in fields {
                body(UnsafeBufferPointer(rebasing: s[Int(f.nameStart)..<Int(f.nameEnd)]),
                     UnsafeBufferPointer(rebasing: s[Int(f.valueStart)..<Int(f.valueEnd)]))
            }
        }
    }
}

@inline(__always)
func asciiLower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

/// RFC 9110 `tchar`.
@inline(__always)
func isTokenByte(_ b: UInt8) -> Bool {
    switch b {
    case 0x30...0x39, 0x41...0x5a, 0x61...0x7a: return true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
         UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
         UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default: return false
    }
}

/// Case-insensitive comparison of raw bytes with a lowercase ASCII literal.
@inline(__always)
func equalsLowercase(_ p: UnsafeBufferPointer<UInt8>, _ lit: StaticString) -> Bool {
    guard p.count == lit.utf8CodeUnitCount else { return false }
    let l = lit.utf8Start
    for i in 0..<p.count where asciiLower(p[i]) != l[i] { return false }
    return true
}
