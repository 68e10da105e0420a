/// Appends little-endian integers, floats, strings and whole numeric arrays to a byte buffer.
///
/// The writing half of the binary encodings of ``CollectionSchema``, ``IndexSpec``, ``FieldValue`` and
/// ``RowBatch``. Numeric arrays are copied in bulk on little-endian hosts (every platform Swift ships on).
struct ByteSink {
    var bytes: [UInt8] = []

    init(reservingCapacity n: Int = 0) { bytes.reserveCapacity(n) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    /// A count or length, which every format bounds to 32 bits.
    mutating func count(_ n: Int) { u32(UInt32(n)) }

    /// u32 byte length, then the UTF-8 bytes.
    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// The raw little-endian bytes of a numeric array (no length prefix).
    mutating func array<T: FixedWidthInteger>(_ values: [T]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in values { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        #endif
    }

    /// The raw little-endian bytes of a floating-point array (no length prefix).
    mutating func array<T: BinaryFloatingPoint>(_ values: [T]) where T.RawSignificand: FixedWidthInteger {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        #error("vecnode encodings assume a little-endian host")
        #endif
    }
}

/// Why bytes could not be decoded; each domain maps it to its own error type with context.
struct DecodeFailure: Error {
    var reason: String
}

/// Reads what ``ByteSink`` wrote, checking every length against the bytes that remain before allocating,
/// so hostile input can neither crash nor make it allocate more than the input's size.
struct ByteSource {
    let bytes: [UInt8]
    private(set) var position: Int

    init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }
    var isAtEnd: Bool { position == bytes.count }

    private mutating func take(_ n: Int, _ what: StaticString) throws(DecodeFailure) -> Int {
        guard n >= 0, n <= remaining else {
            throw DecodeFailure(reason: "truncated: \(what) needs \(n) bytes at offset \(position), \(remaining) left")
        }
        defer { position += n }
        return position
    }

    private mutating func load<T: FixedWidthInteger>(_: T.Type, _ what: StaticString) throws(DecodeFailure) -> T {
        let at = try take(MemoryLayout<T>.size, what)
        var v: T = 0
        withUnsafeMutableBytes(of: &v) { dst in
            for i in 0..<MemoryLayout<T>.size { dst[i] = bytes[at + i] }
        }
        return T(littleEndian: v)
    }

    mutating func u8(_ what: StaticString = "byte") throws(DecodeFailure) -> UInt8 {
        bytes[try take(1, what)]
    }
    mutating func u16(_ what: StaticString = "u16") throws(DecodeFailure) -> UInt16 { try load(UInt16.self, what) }
    mutating func u32(_ what: StaticString = "u32") throws(DecodeFailure) -> UInt32 { try load(UInt32.self, what) }
    mutating func u64(_ what: StaticString = "u64") throws(DecodeFailure) -> UInt64 { try load(UInt64.self, what) }
    mutating func i64(_ what: StaticString = "i64") throws(DecodeFailure) -> Int64 {
        Int64(bitPattern: try load(UInt64.self, what))
    }
    mutating func f64(_ what: StaticString = "f64") throws(DecodeFailure) -> Double {
        Double(bitPattern: try load(UInt64.self, what))
    }

    /// A u32 count of items each at least `minItemBytes` long; rejected if the rest cannot hold them.
    mutating func count(_ what: StaticString, minItemBytes: Int = 1) throws(DecodeFailure) -> Int {
        let n = Int(try u32(what))
        guard n <= remaining / max(minItemBytes, 1) else {
            throw DecodeFailure(reason: "\(what) \(n) exceeds the \(remaining) bytes left at offset \(position)")
        }
        return n
    }

    mutating func string(_ what: StaticString = "string") throws(DecodeFailure) -> String {
        let n = try count(what)
        let at = try take(n, what)
        guard let s = String(validating: bytes[at..<at + n], as: UTF8.self) else {
            throw DecodeFailure(reason: "\(what) at offset \(at) is not valid UTF-8")
        }
        return s
    }

    /// `n` little-endian integers.
    mutating func array<T: FixedWidthInteger>(of _: T.Type, count n: Int, _ what: StaticString) throws(DecodeFailure) -> [T] {
        let size = MemoryLayout<T>.size
        guard n <= remaining / size else {
            throw DecodeFailure(reason: "truncated: \(what) needs \(n) × \(size) bytes at offset \(position), \(remaining) left")
        }
        let at = try take(n * size, what)
        return [T](unsafeUninitializedCapacity: n) { buf, initialized in
            bytes.withUnsafeBytes { src in
                UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[at..<at + n * size]))
            }
            #if !_endian(little)
            for i in 0..<n { buf[i] = T(littleEndian: buf[i]) }
            #endif
            initialized = n
        }
    }

    /// `n` little-endian IEEE floats of type `T`.
    mutating func array<T: BinaryFloatingPoint>(of _: T.Type, count n: Int, _ what: StaticString) throws(DecodeFailure) -> [T] {
        let size = MemoryLayout<T>.size
        guard n <= remaining / size else {
            throw DecodeFailure(reason: "truncated: \(what) needs \(n) × \(size) bytes at offset \(position), \(remaining) left")
        }
        let at = try take(n * size, what)
        return [T](unsafeUninitializedCapacity: n) { buf, initialized in
            bytes.withUnsafeBytes { src in
                UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[at..<at + n * size]))
            }
            initialized = n
        }
    }
}
