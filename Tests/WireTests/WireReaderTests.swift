import Testing

@testable import Wire

/// A message using every codec feature, for round trips and truncation sweeps.
private struct Everything: WireCodable, Equatable {
    var u8: UInt8 = 0xAB
    var u16: UInt16 = 0xBEEF
    var u32: UInt32 = 0xDEAD_BEEF
    var u64: UInt64 = 0x0123_4567_89AB_CDEF
    var i8: Int8 = -5
    var i16: Int16 = -1234
    var i32: Int32 = Int32.min
    var i64: Int64 = -9_876_543_210
    var f: Float = -0.0
    var d: Double = .pi
    var flag = true
    var varint: UInt64 = 300
    var text = "héllo, 世界 🚀"
    var blob: [UInt8] = [0, 1, 2, 255]
    var vector: [Float] = [1.5, -2.25, .infinity, .leastNonzeroMagnitude, 3e38]
    var ids: [UInt64] = [1, 2, 3, UInt64.max]
    var note: String? = "present"
    var missing: String? = nil
    var names = ["a", "", "ccc"]

    func encode(into w: inout WireWriter) {
        w.writeUInt8(u8); w.writeUInt16(u16); w.writeUInt32(u32); w.writeUInt64(u64)
        w.writeInt8(i8); w.writeInt16(i16); w.writeInt32(i32); w.writeInt64(i64)
        w.writeFloat(f); w.writeDouble(d); w.writeBool(flag); w.writeVarUInt(varint)
        w.writeString(text); w.writeBytes(blob); w.writeFloats(vector); w.writeArray(ids)
        w.writeOptional(note); w.writeOptional(missing)
        w.writeArray(names) { w, s in w.writeString(s) }
    }

    init() {}

    init(from r: inout WireReader) throws(WireDecodingError) {
        u8 = try r.readUInt8(); u16 = try r.readUInt16(); u32 = try r.readUInt32(); u64 = try r.readUInt64()
        i8 = try r.readInt8(); i16 = try r.readInt16(); i32 = try r.readInt32(); i64 = try r.readInt64()
        f = try r.readFloat(); d = try r.readDouble(); flag = try r.readBool(); varint = try r.readVarUInt()
        text = try r.readString(); blob = try r.readBytes(); vector = try r.readFloats(); ids = try r.readArray(of: UInt64.self)
        note = try r.readOptional(String.self); missing = try r.readOptional(String.self)
        names = try r.readArray { (r: inout WireReader) throws(WireDecodingError) in try r.readString() }
    }
}

private func encoded(_ body: (inout WireWriter) -> Void) -> [UInt8] {
    var w = WireWriter()
    body(&w)
    return w.bytes
}

private func decodeError(_ bytes: [UInt8], _ body: (inout WireReader) throws(WireDecodingError) -> Void) -> WireDecodingError? {
    var r = WireReader(bytes)
    do {
        try body(&r)
        return nil
    } catch {
        return error
    }
}

@Suite struct WireReaderTests {
    @Test func everyTypeRoundTrips() throws {
        let value = Everything()
        let bytes = encoded { value.encode(into: &$0) }
        var r = WireReader(bytes)
        let back = try Everything(from: &r)
        try r.finish()
        #expect(back == value)
        #expect(back.f.sign == .minus)
    }

    @Test func integersAreLittleEndian() {
        #expect(encoded { $0.writeUInt32(0x0102_0304) } == [4, 3, 2, 1])
        #expect(encoded { $0.writeInt16(-2) } == [0xFE, 0xFF])
        #expect(encoded { $0.writeFloat(1.0) } == [0, 0, 0x80, 0x3F])
        #expect(encoded { $0.writeVarUInt(300) } == [0xAC, 0x02])
        #expect(encoded { $0.writeString("hi") } == [2, 0x68, 0x69])
        #expect(encoded { $0.writeFloats([1.0]) } == [1, 0, 0, 0x80, 0x3F])
        #expect(encoded { $0.writeOptional(Optional<UInt8>.none) } == [0])
    }

    @Test func floatBitPatternsSurvive() throws {
        let nan = Float(bitPattern: 0x7FC0_1234)
        let bytes = encoded { $0.writeFloats([nan, -.infinity, -0.0, .greatestFiniteMagnitude]) }
        var r = WireReader(bytes)
        let back = try r.readFloats()
        #expect(back.map(\.bitPattern) == [nan, -.infinity, -0.0, .greatestFiniteMagnitude].map(\.bitPattern))
    }

    @Test func readFloatsAppendsToAFlatBuffer() throws {
        let bytes = encoded { $0.writeFloats([1, 2, 3]); $0.writeFloats([4, 5, 6]) }
        var r = WireReader(bytes)
        var flat: [Float] = []
        #expect(try r.readFloats(appendingTo: &flat) == 3)
        #expect(try r.readFloats(appendingTo: &flat) == 3)
        #expect(flat == [1, 2, 3, 4, 5, 6])
    }

    @Test func everyTruncationPointIsRejected() throws {
        let bytes = encoded { Everything().encode(into: &$0) }
        for cut in 0..<bytes.count {
            let error = decodeError(Array(bytes[..<cut])) { (r) throws(WireDecodingError) in _ = try Everything(from: &r) }
            guard case .truncated = error else {
                Issue.record("prefix of \(cut) of \(bytes.count) bytes: expected truncated, got \(String(describing: error))")
                continue
            }
        }
    }

    @Test func trailingBytesAreRejectedByFinish() throws {
        var r = WireReader(encoded { $0.writeUInt8(1); $0.writeUInt8(2) })
        _ = try r.readUInt8()
        #expect(throws: WireDecodingError.trailingBytes(1)) { try r.finish() }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(decodeError([2, 0xC3, 0x28]) { (r) throws(WireDecodingError) in _ = try r.readString() } == .invalidUTF8(length: 2))
        #expect(decodeError([1, 0xFF]) { (r) throws(WireDecodingError) in _ = try r.readString() } == .invalidUTF8(length: 1))
    }

    @Test func lengthsOverTheFieldLimitAreRejected() {
        let bytes = encoded { $0.writeString("hello") }
        #expect(decodeError(bytes) { (r) throws(WireDecodingError) in _ = try r.readString(limit: 3) } == .lengthOverLimit(length: 5, limit: 3))
        let floats = encoded { $0.writeFloats([1, 2, 3]) }
        #expect(decodeError(floats) { (r) throws(WireDecodingError) in _ = try r.readFloats(maxCount: 2) } == .lengthOverLimit(length: 3, limit: 2))
        let array = encoded { $0.writeArray([UInt64(1), 2]) }
        #expect(decodeError(array) { (r) throws(WireDecodingError) in _ = try r.readArray(of: UInt64.self, maxCount: 1) } == .lengthOverLimit(length: 2, limit: 1))
    }

    @Test func hugeDeclaredLengthsFailWithoutAllocating() {
        // 2^31 bytes / elements declared (within the default limits), 0 present: "truncated", not an
        // allocation; a count whose byte size overflows Int is "truncated" too.
        let huge = encoded { $0.writeVarUInt(1 << 31) }
        guard case .truncated = decodeError(huge, { (r) throws(WireDecodingError) in _ = try r.readBytes() }) else {
            Issue.record("bytes"); return
        }
        let overflow = encoded { $0.writeVarUInt(UInt64(Int.max) / 2) }
        guard case .truncated = decodeError(overflow, { (r) throws(WireDecodingError) in _ = try r.readFloats(maxCount: .max) }) else {
            Issue.record("floats"); return
        }
        guard case .truncated = decodeError(huge, { (r) throws(WireDecodingError) in _ = try r.readArray(of: UInt8.self) }) else {
            Issue.record("array"); return
        }
    }

    @Test func malformedVarintsAreRejected() throws {
        #expect(decodeError([UInt8](repeating: 0x80, count: 11)) { (r) throws(WireDecodingError) in _ = try r.readVarUInt() } == .malformedVarint)
        #expect(decodeError([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]) { (r) throws(WireDecodingError) in _ = try r.readVarUInt() } == .malformedVarint)
        var r = WireReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(try r.readVarUInt() == UInt64.max)
    }

    @Test func invalidBoolAndOptionalTagsAreRejected() {
        guard case .invalidValue = decodeError([2], { (r) throws(WireDecodingError) in _ = try r.readBool() }) else {
            Issue.record("bool"); return
        }
        guard case .invalidValue = decodeError([7, 1], { (r) throws(WireDecodingError) in _ = try r.readOptional(UInt8.self) }) else {
            Issue.record("optional"); return
        }
    }

    @Test func wireErrorRoundTrips() throws {
        let e = WireError(WireError.Code(1234), retriable: true, "try again")
        var w = WireWriter()
        e.encode(into: &w)
        var r = WireReader(w.bytes)
        #expect(try WireError(from: &r) == e)
        #expect(e.description == "code 1234 (retriable): try again")
    }
}
