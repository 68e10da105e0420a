import TestSupport
import Testing
import JSON

func errorOf(_ text: String, _ options: JSONParseOptions = .init()) -> JSONError? {
    do { _ = try JSONValue.parse(text, options: options); return nil } catch let e as JSONError { return e } catch { return nil }
}

func errorOf(bytes: [UInt8]) -> JSONError? {
    do { _ = try JSONValue.parse(bytes); return nil } catch let e as JSONError { return e } catch { return nil }
}

@Suite struct JSONReaderTests {
    @Test func parsesEveryKind() throws {
        let v = try JSONValue.parse(#" {"a": [1, -2.5, true, false, null, "x\ny"], "b": {}, "c": [], "d": 1e2} "#)
        #expect(v["a"] == [1, -2.5, true, false, nil, "x\ny"])
        #expect(v["b"] == .object([:]))
        #expect(v["c"] == [])
        #expect(v["d"] == .double(100))
        #expect(v.objectValue?.map(\.key) == ["a", "b", "c", "d"])   // document order kept
    }

    @Test func int64IsExact() throws {
        for n in [Int64.max, Int64.min, 448_300_048_035_776_800, -1, 0, 9_007_199_254_740_993] {
            let v = try JSONValue.parse("[\(n)]")
            #expect(v[0] == .int(n))
            #expect(try JSONValue.parse(try v.serialized()) == v)
            #expect(try v.serializedString() == "[\(n)]")
        }
        // Beyond Int64, or with a fraction/exponent, a number is a Double.
        #expect(try JSONValue.parse("9223372036854775808") == .double(9223372036854775808.0))
        #expect(try JSONValue.parse("-9223372036854775809") == .double(-9223372036854775809.0))
        #expect(try JSONValue.parse("1.0") == .double(1))
        #expect(try JSONValue.parse("12e0").int64Value == 12)
    }

    @Test func doublesAreCorrectlyRounded() throws {
        let texts = ["0.1", "3.141592653589793", "1.7976931348623157e308", "5e-324", "2.2250738585072014e-308",
                     "0.30000000000000004", "123456789012345678901234567890", "1e-7", "-0.0", "0.000001234",
                     "0.1234567890123456789012", "1.00000000000000000001", "123.45678901234567",
                     "0.00000000000000000000000123456789012", "98765432.123456789e-3", "1234567890123456789"]
        for t in texts {
            let v = try JSONValue.parse(t)
            #expect(v.doubleValue == Double(t), "\(t)")
            #expect(try JSONValue.parse(try v.serialized()) == v, "\(t) round trip")
        }
    }

    @Test func errorOffsets() {
        #expect(errorOf("[1, 2,]") == JSONError(.unexpectedByte(UInt8(ascii: "]")), at: 6))
        #expect(errorOf(#"{"a" 1}"#) == JSONError(.unexpectedByte(UInt8(ascii: "1")), at: 5))
        #expect(errorOf("[1, 2") == JSONError(.unexpectedEndOfInput, at: 5))
        #expect(errorOf("01") == JSONError(.invalidNumber, at: 1))
        #expect(errorOf("1.") == JSONError(.unexpectedEndOfInput, at: 2))
        #expect(errorOf("-x") == JSONError(.invalidNumber, at: 1))
        #expect(errorOf("+1") == JSONError(.unexpectedByte(UInt8(ascii: "+")), at: 0))
        #expect(errorOf("tru") == JSONError(.unexpectedEndOfInput, at: 3))
        #expect(errorOf("nul1") == JSONError(.unexpectedByte(UInt8(ascii: "1")), at: 3))
        #expect(errorOf("[1] x") == JSONError(.trailingContent, at: 4))
        #expect(errorOf("\"a\u{01}\"") == JSONError(.controlCharacterInString, at: 2))
        #expect(errorOf(#""\x""#) == JSONError(.invalidEscape, at: 1))
        #expect(errorOf(#""\u12G4""#) == JSONError(.invalidEscape, at: 5))
        #expect(errorOf("NaN") == JSONError(.unexpectedByte(UInt8(ascii: "N")), at: 0))
        #expect(errorOf("1e999") == JSONError(.numberOutOfRange, at: 0))
        #expect(errorOf("") == JSONError(.unexpectedEndOfInput, at: 0))
        #expect(errorOf("// c\n1") != nil)
        #expect(errorOf("1").map(\.description) == nil)
        #expect(errorOf("[1, 2,]")?.description == "unexpected character ']' at byte 6")
    }

    @Test func utf8Validation() throws {
        #expect(try JSONValue.parse(Array("\"h\u{e9}llo \u{1F600}\"".utf8)) == .string("h\u{e9}llo \u{1F600}"))
        #expect(errorOf(bytes: [0x22, 0xff, 0x22]) == JSONError(.invalidUTF8, at: 1))
        #expect(errorOf(bytes: [0x22, 0xc0, 0xaf, 0x22]) == JSONError(.invalidUTF8, at: 1))        // overlong '/'
        #expect(errorOf(bytes: [0x22, 0xed, 0xa0, 0x80, 0x22]) == JSONError(.invalidUTF8, at: 1))  // encoded surrogate
        #expect(errorOf(bytes: [0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]) == JSONError(.invalidUTF8, at: 1)) // > U+10FFFF
        #expect(errorOf(bytes: [0x22, 0xe2, 0x82]) == JSONError(.invalidUTF8, at: 1))             // truncated
        #expect(errorOf(bytes: [0x22, 0x61, 0x5c, 0x6e, 0xe2, 0x28, 0xa1, 0x22]) == JSONError(.invalidUTF8, at: 4)) // after an escape
        #expect(errorOf(bytes: [0xef, 0xbb, 0xbf, 0x31]) != nil)                                  // BOM rejected
    }

    @Test func surrogateEscapes() throws {
        #expect(try JSONValue.parse(#""\ud83d\ude00 \u00e9 \u0041""#) == .string("\u{1F600} \u{e9} A"))
        #expect(errorOf(#""\ud83d""#) == JSONError(.loneSurrogate, at: 1))
        #expect(errorOf(#""\ude00""#) == JSONError(.loneSurrogate, at: 1))
        #expect(errorOf(#""\ud83d\u0041""#) == JSONError(.loneSurrogate, at: 1))
    }

    @Test func limits() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(errorOf(deep) == JSONError(.nestingTooDeep(limit: 256), at: 256))
        #expect(errorOf("[[[1]]]", JSONParseOptions(maxDepth: 2)) == JSONError(.nestingTooDeep(limit: 2), at: 2))
        #expect(errorOf("[1, 2, 3]", JSONParseOptions(maxBytes: 4)) == JSONError(.inputTooLarge(limit: 4), at: 0))
        // Far deeper than the stack could take without the limit: still a typed error, not a crash.
        #expect(errorOf(String(repeating: "[", count: 1_000_000))?.kind == .nestingTooDeep(limit: 256))
    }

    @Test func duplicateKeys() throws {
        #expect(errorOf(#"{"a": 1, "b": 2, "a": 3}"#) == JSONError(.duplicateKey("a"), at: 17))
        let many = "{" + (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ",") + ", \"k7\": 0}"
        #expect(errorOf(many)?.kind == .duplicateKey("k7"))
        let v = try JSONValue.parse(#"{"a": 1, "b": 2, "a": 3}"#, options: JSONParseOptions(allowDuplicateKeys: true))
        #expect(v == ["a": 3, "b": 2])
    }

    @Test func floatArrayFastPath() throws {
        let floats: [Float] = [0, -0.5, 1, 3.1415927, 1e-7, -2.5e10, 0.1, .leastNormalMagnitude, .greatestFiniteMagnitude]
        let text = "[" + floats.map { "\($0)" }.joined(separator: ", ") + "]"
        let parsed = try JSONReader.read(Array(text.utf8)) { try $0.readFloatArray() }
        #expect(parsed == floats)
        // Double-precision spellings (as numpy/Python print them) land on the nearest Float.
        let doubles: [Double] = [0.12345678901234568, -0.987654321098765, 1.0000000000000002, 6.103515625e-05]
        let dtext = "[" + doubles.map { "\($0)" }.joined(separator: ",") + "]"
        #expect(try JSONReader.read(Array(dtext.utf8)) { try $0.readFloatArray() } == doubles.map { Float($0) })
        // Long digit runs take the eight-digits-at-a-time path; results match correctly rounded Floats.
        let long = ["0.1234567890123456789012", "-1.00000000000000000001", "123.45678901234567", "0.000012345678901234567",
                    "98765432.123456789e-3", "1234567890123456789", "3.40282346638528859811704183484516925440e+38"]
        let ltext = "[" + long.joined(separator: ",") + "]"
        #expect(try JSONReader.read(Array(ltext.utf8)) { try $0.readFloatArray() } == long.map { Float($0)! })
        #expect(throws: JSONError.self) { try JSONReader.read(Array("[1, \"x\"]".utf8)) { try $0.readFloatArray() } }
        #expect(throws: JSONError.self) { try JSONReader.read(Array("[1e39]".utf8)) { try $0.readFloatArray() } }
        #expect(throws: JSONError.self) { try JSONReader.read(Array("{}".utf8)) { try $0.readFloatArray() } }
    }

    @Test func seededRandomFloatsRoundTripExactly() throws {
        var rng = SplitMix64(seed: 42)
        var floats: [Float] = []
        for _ in 0..<10_000 {
            let bits = UInt32(truncatingIfNeeded: rng.next())
            let f = Float(bitPattern: bits)
            if f.isFinite { floats.append(f) }
        }
        let text = "[" + floats.map { "\($0)" }.joined(separator: ",") + "]"
        let parsed = try JSONReader.read(Array(text.utf8)) { try $0.readFloatArray() }
        #expect(parsed.count == floats.count)
        #expect(zip(parsed, floats).allSatisfy { $0.bitPattern == $1.bitPattern || ($0 == 0 && $1 == 0) }, "seed 42")
    }

    @Test func pullParsingASearchBody() throws {
        let body = #"{"collectionName": "c", "data": [[0.1, 0.2], [0.3, 0.4]], "limit": 3, "outputFields": ["a"]}"#
        var vectors: [Float] = []
        var limit: Int64 = 0, rows = 0
        var name = ""
        try JSONReader.read(Array(body.utf8)) { r in
            try r.beginObject()
            while let key = try r.nextKey() {
                switch key {
                case "collectionName": name = try r.readString()
                case "data":
                    try r.beginArray()
                    while try r.nextElement() { try r.readFloatArray(into: &vectors); rows += 1 }
                case "limit": limit = try r.readInt64()
                default: try r.skipValue()
                }
            }
        }
        #expect(name == "c" && limit == 3 && rows == 2)
        #expect(vectors == [0.1, 0.2, 0.3, 0.4])
    }
}

/// Seeded generator for reproducible tests.
