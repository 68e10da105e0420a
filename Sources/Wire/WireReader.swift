/// Reads a message body written by `WireWriter` (the encoding table is on `WireWriter`).
///
/// Every read is bounds-checked and throws `WireDecodingError`; nothing is allocated before the declared
/// length has been checked against the bytes actually present, so a hostile length costs nothing. Lengths
/// and counts can also be capped per field (`limit:` / `maxCount:`).
public struct WireReader: Sendable {
    @usableFromInline let storage: [UInt8]
    @usableFromInline var position: Int
    @usableFromInline let end: Int

    /// Reads `bytes` from the start.
    public init(_ bytes: [UInt8]) {
        storage = bytes
        position = 0
        end = bytes.count
    }

    /// Reads `storage[start..<storage.count]` without copying (a frame's body after its header).
    init(storage: [UInt8], start: Int) {
        self.storage = storage
        position = start
        end = storage.count
    }

    /// Bytes not read yet.
    @inlinable public var remaining: Int { end - position }

    /// Throws `trailingBytes` unless every byte has been read: call after decoding a whole message.
    @inlinable
    public func finish() throws(WireDecodingError) {
        if remaining != 0 { throw .trailingBytes(remaining) }
    }

    /// Consumes `n` bytes and returns their offset in `storage`.
    @inlinable
    mutating func take(_ n: Int) throws(WireDecodingError) -> Int {
        guard n >= 0, n <= remaining else { throw .truncated(needed: n, remaining: remaining) }
        let p = position
        position += n
        return p
    }

    @inlinable
    mutating func readFixed<T: FixedWidthInteger>(_: T.Type) throws(WireDecodingError) -> T {
        let p = try take(MemoryLayout<T>.size)
        return storage.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: p, as: T.self)) }
    }

    @inlinable public mutating func readUInt8() throws(WireDecodingError) -> UInt8 {
        let p = try take(1)
        return storage[p]
    }
    @inlinable public mutating func readUInt16() throws(WireDecodingError) -> UInt16 { try readFixed(UInt16.self) }
    @inlinable public mutating func readUInt32() throws(WireDecodingError) -> UInt32 { try readFixed(UInt32.self) }
    @inlinable public mutating func readUInt64() throws(WireDecodingError) -> UInt64 { try readFixed(UInt64.self) }
    @inlinable public mutating func readInt8() throws(WireDecodingError) -> Int8 { try readFixed(Int8.self) }
    @inlinable public mutating func readInt16() throws(WireDecodingError) -> Int16 { try readFixed(Int16.self) }
    @inlinable public mutating func readInt32() throws(WireDecodingError) -> Int32 { try readFixed(Int32.self) }
    @inlinable public mutating func readInt64() throws(WireDecodingError) -> Int64 { try readFixed(Int64.self) }
    @inlinable public mutating func readFloat() throws(WireDecodingError) -> Float {
        Float(bitPattern: try readFixed(UInt32.self))
    }
    @inlinable public mutating func readDouble() throws(WireDecodingError) -> Double {
        Double(bitPattern: try readFixed(UInt64.self))
    }

    /// Reads a Bool byte; any value other than 0 or 1 is rejected.
    @inlinable
    public mutating func readBool() throws(WireDecodingError) -> Bool {
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let b: throw .invalidValue("Bool byte \(b), expected 0 or 1")
        }
    }

    /// Reads an unsigned LEB128 integer (at most 10 bytes, no overflow past 64 bits).
    @inlinable
    public mutating func readVarUInt() throws(WireDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readUInt8()
            if shift == 63 && byte > 1 { throw .malformedVarint }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw .malformedVarint }
        }
    }

    /// Reads a varint length, checks it against `limit` and the remaining bytes (times `unit` bytes each).
    @inlinable
    mutating func readLength(limit: Int, unit: Int) throws(WireDecodingError) -> Int {
        let declared = try readVarUInt()
        guard declared <= UInt64(limit) else { throw .lengthOverLimit(length: declared, limit: limit) }
        let (bytes, overflow) = Int(declared).multipliedReportingOverflow(by: unit)
        guard !overflow, bytes <= remaining else {
            throw .truncated(needed: overflow ? Int.max : bytes, remaining: remaining)
        }
        return Int(declared)
    }

    /// Reads a length-prefixed UTF-8 string of at most `limit` bytes, validating the UTF-8.
    @inlinable
    public mutating func readString(limit: Int = Int(UInt32.max)) throws(WireDecodingError) -> String {
        let n = try readLength(limit: limit, unit: 1)
        let p = try take(n)
        let s = storage.withUnsafeBufferPointer { String(validating: $0[p..<(p + n)], as: UTF8.self) }
        guard let s else { throw .invalidUTF8(length: n) }
        return s
    }

    /// Reads a length-prefixed byte blob of at most `limit` bytes.
    @inlinable
    public mutating func readBytes(limit: Int = Int(UInt32.max)) throws(WireDecodingError) -> [UInt8] {
        let n = try readLength(limit: limit, unit: 1)
        let p = try take(n)
        return Array(storage[p..<(p + n)])
    }

    /// Reads a count-prefixed Float32 vector of at most `maxCount` elements with one bulk copy.
    @inlinable
    public mutating func readFloats(maxCount: Int = Int(UInt32.max)) throws(WireDecodingError) -> [Float] {
        var out: [Float] = []
        try readFloats(maxCount: maxCount, appendingTo: &out)
        return out
    }

    /// Reads a count-prefixed Float32 vector and appends it to `buffer` (one bulk copy) — for batches of
    /// vectors kept in one flat contiguous array. Returns the number of floats appended.
    @inlinable
    @discardableResult
    public mutating func readFloats(
        maxCount: Int = Int(UInt32.max), appendingTo buffer: inout [Float]
    ) throws(WireDecodingError) -> Int {
        let n = try readLength(limit: maxCount, unit: 4)
        let p = try take(n * 4)
        let old = buffer.count
        buffer.reserveCapacity(old + n)
        #if _endian(little)
        storage.withUnsafeBytes { src in
            buffer.append(contentsOf: repeatElement(0, count: n))
            buffer.withUnsafeMutableBytes { dst in
                dst.baseAddress!.advanced(by: old * 4).copyMemory(
                    from: src.baseAddress!.advanced(by: p), byteCount: n * 4)
            }
        }
        #else
        for i in 0..<n {
            buffer.append(storage.withUnsafeBytes {
                Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: p + 4 * i, as: UInt32.self)))
            })
        }
        #endif
        return n
    }

    /// Reads a count-prefixed array of at most `maxCount` elements, each with `decode`. Every element must
    /// encode to at least one byte, so the count is also bounded by the remaining bytes.
    @inlinable
    public mutating func readArray<T>(
        maxCount: Int = Int(UInt32.max), _ decode: (inout WireReader) throws(WireDecodingError) -> T
    ) throws(WireDecodingError) -> [T] {
        let n = try readLength(limit: maxCount, unit: 1)
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try decode(&self)) }
        return out
    }

    /// Reads a count-prefixed array of `WireCodable` values (see `readArray(maxCount:_:)`).
    @inlinable
    public mutating func readArray<T: WireCodable>(
        of _: T.Type, maxCount: Int = Int(UInt32.max)
    ) throws(WireDecodingError) -> [T] {
        try readArray(maxCount: maxCount) { (r: inout WireReader) throws(WireDecodingError) -> T in try T(from: &r) }
    }

    /// Reads a presence byte (0 or 1) and, if present, the value.
    @inlinable
    public mutating func readOptional<T: WireCodable>(_: T.Type) throws(WireDecodingError) -> T? {
        switch try readUInt8() {
        case 0: return nil
        case 1: return try T(from: &self)
        case let b: throw .invalidValue("optional presence byte \(b), expected 0 or 1")
        }
    }
}
