/// Little-endian integer loads and stores at byte offsets, used by every Shard on-disk format.
/// Callers bound-check offsets before calling; these do not.
enum LittleEndian {
    @inline(__always)
    static func store<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8], at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { src in
            for i in 0..<MemoryLayout<T>.size { bytes[offset + i] = src[i] }
        }
    }

    @inline(__always)
    static func load<T: FixedWidthInteger>(_: T.Type, _ raw: UnsafeRawBufferPointer, at offset: Int) -> T {
        T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
