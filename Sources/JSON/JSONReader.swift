/// Limits and strictness for parsing.
///
/// The parser is strict RFC 8259: no comments, no trailing commas, no leading `+` or zeros, no NaN/Infinity
/// literals, no byte-order mark; strings must be valid UTF-8 without raw control characters; `\u` escapes
/// must pair surrogates correctly (a lone surrogate is an error, since a Swift `String` cannot hold one).
public struct JSONParseOptions: Sendable {
    /// Maximum nesting of arrays/objects (default 256). Deeper input is rejected, bounding stack use.
    public var maxDepth: Int
    /// Maximum input size in bytes (default 64 MiB, the HTTP body limit).
    public var maxBytes: Int
    /// When false (default) a repeated key in one object is an error; when true the last value wins
    /// (kept at the position of the first occurrence).
    public var allowDuplicateKeys: Bool

    public init(maxDepth: Int = 256, maxBytes: Int = 64 << 20, allowDuplicateKeys: Bool = false) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
        self.allowDuplicateKeys = allowDuplicateKeys
    }
}

/// 10^e for e in -66...66 (index e + 66) as correctly rounded Doubles; exact for 0...22. Written once at
/// initialization, read-only afterwards (hence nonisolated(unsafe) is sound).
nonisolated(unsafe) private let powersOfTen: UnsafeMutablePointer<Double> = {
    let p = UnsafeMutablePointer<Double>.allocate(capacity: 133)
    for e in -66...66 { p[e + 66] = Double("1e\(e)")! }
    return p
}()

/// A pull parser over a byte buffer, for hot paths that should not build a `JSONValue` tree.
///
/// Use it inside `JSONReader.read(_:options:_:)`, which checks that nothing but whitespace follows the
/// value. Walk objects with `beginObject()` / `nextKey()` and arrays with `beginArray()` / `nextElement()`;
/// each value must be consumed (`read…` or `skipValue()`) before asking for the next key/element.
/// `readFloatArray(into:)` decodes `[1, 2.5, …]` straight into a `[Float]`.
///
/// The reader points into the caller's bytes: it must not escape the `read` closure.
public struct JSONReader {
    private let base: UnsafePointer<UInt8>
    private let end: Int
    /// Current byte offset.
    public private(set) var offset: Int = 0
    private let options: JSONParseOptions
    private var depth = 0
    /// Per container: whether a member/element was already read (so a comma is needed next).
    private var started: [Bool] = []
    private var scratch: [UInt8] = []
    /// Offset of the opening quote of the key most recently returned by `nextKey()`.
    public private(set) var lastKeyOffset = 0

    /// `powersOfTen` (fetched once per reader, not per number).
    private let scaleTable: UnsafePointer<Double>

    private init(_ buf: UnsafeBufferPointer<UInt8>, options: JSONParseOptions) {
        scaleTable = UnsafePointer(powersOfTen)
        base = buf.baseAddress ?? UnsafePointer(bitPattern: 1)!
        end = buf.count
        self.options = options
    }

    /// Runs `body` with a reader over `bytes`, then requires that only whitespace remains.
    /// - Throws: `JSONError` from `body` or `.trailingContent` / `.inputTooLarge`.
    public static func read<T>(_ bytes: [UInt8], options: JSONParseOptions = .init(),
                               _ body: (inout JSONReader) throws -> T) throws -> T {
        guard bytes.count <= options.maxBytes else { throw JSONError(.inputTooLarge(limit: options.maxBytes), at: 0) }
        return try bytes.withUnsafeBufferPointer { buf in
            var r = JSONReader(buf, options: options)
            let v = try body(&r)
            r.skipWhitespace()
            guard r.offset == r.end else { throw JSONError(.trailingContent, at: r.offset) }
            return v
        }
    }

    // MARK: - Bytes

    @inline(__always) private func byte(_ i: Int) -> UInt8 { base[i] }

    @inline(__always) private mutating func skipWhitespace() {
        while offset < end {
            let b = base[offset]
            guard b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09 else { return }
            offset += 1
        }
    }

    @inline(__always) private mutating func peekByte() throws -> UInt8 {
        skipWhitespace()
        guard offset < end else { throw JSONError(.unexpectedEndOfInput, at: offset) }
        return base[offset]
    }

    private func unexpected() -> JSONError {
        offset < end ? JSONError(.unexpectedByte(base[offset]), at: offset) : JSONError(.unexpectedEndOfInput, at: offset)
    }

    // MARK: - Kinds

    /// The kind of the next value.
    public enum Kind: Sendable { case null, bool, number, string, array, object }

    /// Peeks at the kind of the next value without consuming it.
    public mutating func peekKind() throws -> Kind {
        switch try peekByte() {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw unexpected()
        }
    }

    // MARK: - Containers

    /// Consumes `{`.
    public mutating func beginObject() throws {
        guard try peekByte() == UInt8(ascii: "{") else { throw JSONError(.typeMismatch(expected: "an object"), at: offset) }
        try push()
    }

    /// Returns the next key of the current object (consuming the `:`), or nil after consuming `}`.
    public mutating func nextKey() throws -> String? {
        var b = try peekByte()
        if b == UInt8(ascii: "}") { offset += 1; pop(); return nil }
        if started[started.count - 1] {
            guard b == UInt8(ascii: ",") else { throw unexpected() }
            offset += 1
            b = try peekByte()
        } else {
            started[started.count - 1] = true
        }
        guard b == UInt8(ascii: "\"") else { throw unexpected() }
        lastKeyOffset = offset
        let key = try readStringBody()
        guard try peekByte() == UInt8(ascii: ":") else { throw unexpected() }
        offset += 1
        return key
    }

    /// Consumes `[`.
    public mutating func beginArray() throws {
        guard try peekByte() == UInt8(ascii: "[") else { throw JSONError(.typeMismatch(expected: "an array"), at: offset) }
        try push()
    }

    /// True when another element follows (consuming the comma); false after consuming `]`.
    public mutating func nextElement() throws -> Bool {
        let b = try peekByte()
        if b == UInt8(ascii: "]") { offset += 1; pop(); return false }
        if started[started.count - 1] {
            guard b == UInt8(ascii: ",") else { throw unexpected() }
            offset += 1
            _ = try peekByte()
        } else {
            started[started.count - 1] = true
        }
        return true
    }

    private mutating func push() throws {
        guard depth < options.maxDepth else { throw JSONError(.nestingTooDeep(limit: options.maxDepth), at: offset) }
        depth += 1
        offset += 1
        started.append(false)
    }

    private mutating func pop() {
        depth -= 1
        started.removeLast()
    }

    // MARK: - Scalars

    /// Reads `null` if it is next and returns true; otherwise consumes nothing and returns false.
    public mutating func readNullIfPresent() throws -> Bool {
        guard try peekByte() == UInt8(ascii: "n") else { return false }
        try expectLiteral("null")
        return true
    }

    /// Reads `true` or `false`.
    public mutating func readBool() throws -> Bool {
        switch try peekByte() {
        case UInt8(ascii: "t"): try expectLiteral("true"); return true
        case UInt8(ascii: "f"): try expectLiteral("false"); return false
        default: throw JSONError(.typeMismatch(expected: "a boolean"), at: offset)
        }
    }

    private mutating func expectLiteral(_ lit: StaticString) throws {
        let n = lit.utf8CodeUnitCount
        let p = lit.utf8Start
        for i in 0..<n {
            guard offset + i < end else { throw JSONError(.unexpectedEndOfInput, at: offset + i) }
            guard base[offset + i] == p[i] else { throw JSONError(.unexpectedByte(base[offset + i]), at: offset + i) }
        }
        offset += n
    }

    /// Reads a string.
    public mutating func readString() throws -> String {
        guard try peekByte() == UInt8(ascii: "\"") else { throw JSONError(.typeMismatch(expected: "a string"), at: offset) }
        return try readStringBody()
    }

    /// Reads an integer that fits Int64 exactly (`12`, `-3`; also `1e3` or `12.0` when integral).
    public mutating func readInt64() throws -> Int64 {
        let start = offset
        guard try peekKind() == .number else { throw JSONError(.typeMismatch(expected: "an integer"), at: offset) }
        switch try readNumber() {
        case .int(let i): return i
        case let v:
            guard let i = v.int64Value else { throw JSONError(.typeMismatch(expected: "an integer"), at: start) }
            return i
        }
    }

    /// Reads any number as a Double.
    public mutating func readDouble() throws -> Double {
        guard try peekKind() == .number else { throw JSONError(.typeMismatch(expected: "a number"), at: offset) }
        return try readNumber().doubleValue!
    }

    /// Reads an array of numbers, appending each as a Float to `out`; returns how many were appended.
    /// No `JSONValue` is built. Values are within 1 ulp of Float of the exact decimal (usually exact).
    /// - Throws: `.typeMismatch` when the value is not an array of numbers, `.numberOutOfRange` beyond Float.
    @discardableResult
    public mutating func readFloatArray(into out: inout [Float]) throws -> Int {
        try beginArray()
        var n = 0
        while try nextElement() {
            let b = base[offset]
            guard b == UInt8(ascii: "-") || (b >= 0x30 && b <= 0x39) else {
                throw JSONError(.typeMismatch(expected: "a number"), at: offset)
            }
            let start = offset
            let f = Float(try scanNumber(forFloat: true).double)
            guard f.isFinite else { throw JSONError(.numberOutOfRange, at: start) }
            out.append(f)
            n += 1
        }
        return n
    }

    /// Reads an array of numbers as `[Float]`.
    public mutating func readFloatArray() throws -> [Float] {
        var out = [Float]()
        try readFloatArray(into: &out)
        return out
    }

    /// Skips the next value of any kind (validating it).
    public mutating func skipValue() throws { _ = try readValue() }

    /// Reads the next value as a `JSONValue` tree.
    public mutating func readValue() throws -> JSONValue {
        switch try peekKind() {
        case .null: try expectLiteral("null"); return .null
        case .bool: return .bool(try readBool())
        case .number: return try readNumber()
        case .string: return .string(try readStringBody())
        case .array:
            try beginArray()
            var a = [JSONValue]()
            while try nextElement() { a.append(try readValue()) }
            return .array(a)
        case .object:
            try beginObject()
            var members = [JSONObject.Member]()
            var seen: Set<String>? = nil
            while true {
                guard let k = try nextKey() else { break }
                let keyOffset = lastKeyOffset
                let v = try readValue()
                // Duplicate detection: linear for small objects, a set once they grow (bounded cost).
                var dupIndex: Int? = nil
                if members.count < 16 {
                    dupIndex = members.firstIndex(where: { $0.key == k })
                } else {
                    if seen == nil { seen = Set(members.map(\.key)) }
                    if !seen!.insert(k).inserted { dupIndex = members.firstIndex(where: { $0.key == k }) }
                }
                if let d = dupIndex {
                    guard options.allowDuplicateKeys else { throw JSONError(.duplicateKey(k), at: keyOffset) }
                    members[d].value = v
                } else {
                    members.append(JSONObject.Member(key: k, value: v))
                }
            }
            return .object(JSONObject(members))
        }
    }

    // MARK: - Numbers


    private mutating func readNumber() throws -> JSONValue {
        let r = try scanNumber(forFloat: false)
        if r.isInt { return .int(r.int) }
        return .double(r.double)
    }

    /// Scans an RFC 8259 number at `offset`.
    private mutating func scanNumber(forFloat: Bool) throws -> (isInt: Bool, int: Int64, double: Double) {
        let start = offset
        var i = offset
        var negative = false
        if base[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0          // significant digits accumulated into mantissa
        var dropped = 0         // integer digits beyond the 19 that fit
        var truncated = false   // a non-zero digit did not fit
        guard i < end, base[i] >= 0x30, base[i] <= 0x39 else { offset = i; throw numberError(i) }
        if base[i] == 0x30 {
            i += 1
            if i < end, base[i] >= 0x30, base[i] <= 0x39 { throw JSONError(.invalidNumber, at: i) }
        } else {
            while i < end, base[i] >= 0x30, base[i] <= 0x39 {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(base[i] &- 0x30)
                    digits += 1
                } else {
                    dropped += 1
                    if base[i] != 0x30 { truncated = true }
                }
                i += 1
            }
        }
        var exp10 = dropped
        var isInt = true
        if i < end, base[i] == UInt8(ascii: ".") {
            isInt = false
            i += 1
            guard i < end, base[i] >= 0x30, base[i] <= 0x39 else { throw numberError(i) }
            while i < end, base[i] >= 0x30, base[i] <= 0x39 {
                // Eight digits at a time while they fit the 19-digit mantissa (SWAR, as in fast_float).
                if mantissa != 0, digits <= 11, i + 8 <= end {
                    let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    if JSONReader.isEightDigits(w) {
                        mantissa = mantissa &* 100_000_000 &+ JSONReader.eightDigits(w)
                        digits += 8
                        exp10 -= 8
                        i += 8
                        continue
                    }
                }
                if digits < 19 {
                    if mantissa == 0 && base[i] == 0x30 {
                        exp10 &-= 1         // leading fractional zeros are not significant
                    } else {
                        mantissa = mantissa &* 10 &+ UInt64(base[i] &- 0x30)
                        digits &+= 1
                        exp10 &-= 1
                    }
                } else if base[i] != 0x30 {
                    truncated = true
                }
                i &+= 1
            }
        }
        if i < end, base[i] == UInt8(ascii: "e") || base[i] == UInt8(ascii: "E") {
            isInt = false
            i += 1
            var eneg = false
            if i < end, base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-") {
                eneg = base[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < end, base[i] >= 0x30, base[i] <= 0x39 else { throw numberError(i) }
            var e = 0
            while i < end, base[i] >= 0x30, base[i] <= 0x39 {
                if e < 100_000 { e = e * 10 + Int(base[i] - 0x30) }
                i += 1
            }
            exp10 += eneg ? -e : e
        }
        offset = i
        if isInt && !forFloat && dropped == 0 {
            if negative {
                if mantissa <= UInt64(Int64.max) + 1 {
                    return (true, mantissa == UInt64(Int64.max) + 1 ? Int64.min : -Int64(mantissa), 0)
                }
            } else if mantissa <= UInt64(Int64.max) {
                return (true, Int64(mantissa), 0)
            }
        }
        var d: Double
        if mantissa == 0 {
            d = negative ? -0.0 : 0.0
        } else if forFloat, exp10 >= -66, exp10 <= 66 {
            // Float target: one multiplication by a correctly rounded 10^e keeps the Double within ~1.5 ulp,
            // far inside Float's precision, so the Float is the nearest one except in vanishingly rare
            // near-ties (probability ~2^-29). No division: its latency dominated vector parsing.
            d = Double(mantissa) * scaleTable[exp10 + 66]
            if negative { d = -d }
        } else if !truncated, mantissa <= (1 << 53), exp10 >= -22, exp10 <= 22 {
            // Clinger's fast path: exact when the mantissa fits 53 bits and the power of ten is exact.
            d = Double(mantissa)
            d = exp10 < 0 ? d / scaleTable[66 - exp10] : d * scaleTable[66 + exp10]
            if negative { d = -d }
        } else {
            // Correctly rounded slow path (rare: > 15 significant digits or large exponents).
            let text = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
            guard let v = Double(text) else { throw JSONError(.invalidNumber, at: start) }
            d = v
        }
        guard d.isFinite else { throw JSONError(.numberOutOfRange, at: start) }
        return (false, 0, d)
    }

    /// True when all eight little-endian bytes of `v` are ASCII digits.
    @inline(__always)
    private static func isEightDigits(_ v: UInt64) -> Bool {
        (v & 0xF0F0_F0F0_F0F0_F0F0) | (((v &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4) == 0x3333_3333_3333_3333
    }

    /// The value of eight ASCII digits loaded little-endian (first digit in the low byte).
    @inline(__always)
    private static func eightDigits(_ v: UInt64) -> UInt64 {
        var val = v &- 0x3030_3030_3030_3030
        val = (val &* 10) &+ (val >> 8)
        val = (((val & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32)))
            &+ (((val >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32)))) >> 32
        return val
    }

    private func numberError(_ i: Int) -> JSONError {
        i < end ? JSONError(.invalidNumber, at: i) : JSONError(.unexpectedEndOfInput, at: i)
    }

    // MARK: - Strings

    /// Reads a string whose opening quote is at `offset`.
    private mutating func readStringBody() throws -> String {
        offset += 1
        let start = offset
        var i = offset
        // Fast scan: plain ASCII/UTF-8 without escapes becomes a String directly.
        while i < end {
            let b = base[i]
            if b == UInt8(ascii: "\"") {
                offset = i + 1
                return String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw JSONError(.controlCharacterInString, at: i) }
            if b >= 0x80 { i = try validateUTF8(at: i) } else { i += 1 }
        }
        guard i < end else { throw JSONError(.unexpectedEndOfInput, at: i) }
        // Slow path with escapes: decode into the scratch buffer.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: i - start))
        while i < end {
            let b = base[i]
            if b == UInt8(ascii: "\"") {
                offset = i + 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if b < 0x20 { throw JSONError(.controlCharacterInString, at: i) }
            if b >= 0x80 {
                let next = try validateUTF8(at: i)
                scratch.append(contentsOf: UnsafeBufferPointer(start: base + i, count: next - i))
                i = next
                continue
            }
            if b != UInt8(ascii: "\\") { scratch.append(b); i += 1; continue }
            guard i + 1 < end else { throw JSONError(.unexpectedEndOfInput, at: i + 1) }
            let e = base[i + 1]
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(e)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0c)
            case UInt8(ascii: "n"): scratch.append(0x0a)
            case UInt8(ascii: "r"): scratch.append(0x0d)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: i + 2)
                var consumed = 6
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard i + 7 < end, base[i + 6] == UInt8(ascii: "\\"), base[i + 7] == UInt8(ascii: "u") else {
                        throw JSONError(.loneSurrogate, at: i)
                    }
                    let low = try hex4(at: i + 8)
                    guard low >= 0xDC00 && low <= 0xDFFF else { throw JSONError(.loneSurrogate, at: i) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    consumed = 12
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw JSONError(.loneSurrogate, at: i)
                }
                appendUTF8(scalar)
                i += consumed
                continue
            default:
                throw JSONError(.invalidEscape, at: i)
            }
            i += 2
        }
        throw JSONError(.unexpectedEndOfInput, at: i)
    }

    private func hex4(at i: Int) throws -> UInt32 {
        guard i + 4 <= end else { throw JSONError(.unexpectedEndOfInput, at: end) }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = base[i + k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: throw JSONError(.invalidEscape, at: i + k)
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    private mutating func appendUTF8(_ s: UInt32) {
        if s < 0x80 {
            scratch.append(UInt8(s))
        } else if s < 0x800 {
            scratch.append(UInt8(0xC0 | (s >> 6))); scratch.append(UInt8(0x80 | (s & 0x3F)))
        } else if s < 0x10000 {
            scratch.append(UInt8(0xE0 | (s >> 12))); scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        } else {
            scratch.append(UInt8(0xF0 | (s >> 18))); scratch.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F))); scratch.append(UInt8(0x80 | (s & 0x3F)))
        }
    }

    /// Validates one multi-byte UTF-8 sequence starting at `i` (lead byte ≥ 0x80); returns the next offset.
    /// Rejects overlong forms, surrogates (U+D800–DFFF) and code points above U+10FFFF.
    private func validateUTF8(at i: Int) throws -> Int {
        let b0 = base[i]
        var need: Int
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: throw JSONError(.invalidUTF8, at: i)
        }
        guard i + need < end else { throw JSONError(.invalidUTF8, at: i) }
        let b1 = base[i + 1]
        guard b1 >= lo && b1 <= hi else { throw JSONError(.invalidUTF8, at: i) }
        need -= 1
        var k = 2
        while need > 0 {
            let b = base[i + k]
            guard b & 0xC0 == 0x80 else { throw JSONError(.invalidUTF8, at: i) }
            k += 1
            need -= 1
        }
        return i + k
    }
}
