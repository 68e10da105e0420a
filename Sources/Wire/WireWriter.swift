/// Appends values to a message body in vecnode's wire encoding (docs/wire-protocol.md, "Body codec").
///
/// | type | encoding |
/// | --- | --- |
/// | `UInt8`…`UInt64`, `Int8`…`Int64` | fixed width, little-endian (two's complement for signed) |
/// | `Float`, `Double` | IEEE-754 bit pattern, little-endian |
/// | `Bool` | one byte, 0 or 1 |
/// | varint | unsigned LEB128, at most 10 bytes |
/// | `String` | varint byte count, then UTF-8 bytes |
/// | bytes | varint byte count, then the bytes |
/// | `[Float]` vector | varint element count, then the raw little-endian Float32 bytes (one bulk copy) |
/// | array | varint element count, then each element |
/// | optional | one byte 0 (absent) or 1 (present), then the value if present |
///
/// The writer keeps room for a frame header in front of the body, so a transport seals it into a frame
/// without copying the body. Encoding never fails; limits are enforced by the reader on the other side.
public struct WireWriter: Sendable {
    /// Frame header room followed by the body.
    @usableFromInline var storage: [UInt8]

    /// Creates an empty body; `capacity` is a hint for the body size in bytes.
    public init(capacity: Int = 64) {
        storage = []
        storage.reserveCapacity(FrameHeader.size + max(0, capacity))
        storage.append(contentsOf: repeatElement(0, count: FrameHeader.size))
    }

    /// Number of body bytes written so far.
    public var count: Int { storage.count - FrameHeader.size }

    /// A copy of the body bytes (for tests and tools; transports use the storage in place).
    public var bytes: [UInt8] { Array(storage[FrameHeader.size...]) }

    @inlinable
    mutating func appendRaw(_ raw: UnsafeRawBufferPointer) {
        storage.append(contentsOf: raw)
    }

    @inlinable
    mutating func writeFixed<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { appendRaw($0) }
    }

    @inlinable public mutating func writeUInt8(_ value: UInt8) { storage.append(value) }
    @inlinable public mutating func writeUInt16(_ value: UInt16) { writeFixed(value) }
    @inlinable public mutating func writeUInt32(_ value: UInt32) { writeFixed(value) }
    @inlinable public mutating func writeUInt64(_ value: UInt64) { writeFixed(value) }
    @inlinable public mutating func writeInt8(_ value: Int8) { writeFixed(value) }
    @inlinable public mutating func writeInt16(_ value: Int16) { writeFixed(value) }
    @inlinable public mutating func writeInt32(_ value: Int32) { writeFixed(value) }
    @inlinable public mutating func writeInt64(_ value: Int64) { writeFixed(value) }
    @inlinable public mutating func writeFloat(_ value: Float) { writeFixed(value.bitPattern) }
    @inlinable public mutating func writeDouble(_ value: Double) { writeFixed(value.bitPattern) }
    @inlinable public mutating func writeBool(_ value: Bool) { storage.append(value ? 1 : 0) }

    /// Writes `value` as unsigned LEB128 (1 byte below 128, at most 10 bytes).
    @inlinable
    public mutating func writeVarUInt(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            storage.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        storage.append(UInt8(v))
    }

    /// Writes a length-prefixed UTF-8 string.
    @inlinable
    public mutating func writeString(_ value: String) {
        var s = value
        s.withUTF8 { utf8 in
            writeVarUInt(UInt64(utf8.count))
            appendRaw(UnsafeRawBufferPointer(utf8))
        }
    }

    /// Writes a length-prefixed byte blob.
    @inlinable
    public mutating func writeBytes(_ value: [UInt8]) {
        writeVarUInt(UInt64(value.count))
        storage.append(contentsOf: value)
    }

    /// Writes a count-prefixed Float32 vector as raw little-endian bytes: one bulk copy, no per-element work.
    @inlinable
    public mutating func writeFloats(_ values: UnsafeBufferPointer<Float>) {
        writeVarUInt(UInt64(values.count))
        #if _endian(little)
        appendRaw(UnsafeRawBufferPointer(values))
        #else
        for v in values { writeFloat(v) }
        #endif
    }

    /// Writes a count-prefixed Float32 vector as raw little-endian bytes (see `writeFloats(_:)` above).
    @inlinable
    public mutating func writeFloats(_ values: [Float]) {
        values.withUnsafeBufferPointer { writeFloats($0) }
    }

    /// Writes a count-prefixed array, each element with `encode`.
    @inlinable
    public mutating func writeArray<T>(_ values: [T], _ encode: (inout WireWriter, T) -> Void) {
        writeVarUInt(UInt64(values.count))
        for v in values { encode(&self, v) }
    }

    /// Writes a count-prefixed array of `WireCodable` values. For Float32 vectors use `writeFloats`.
    @inlinable
    public mutating func writeArray<T: WireCodable>(_ values: [T]) {
        writeVarUInt(UInt64(values.count))
        for v in values { v.encode(into: &self) }
    }

    /// Writes a presence byte and, if present, the value.
    @inlinable
    public mutating func writeOptional<T: WireCodable>(_ value: T?) {
        if let value {
            storage.append(1)
            value.encode(into: &self)
        } else {
            storage.append(0)
        }
    }
}
