/// Bulk conversion between IEEE half precision and `Float`, eight lanes at a time (`vcvtph2ps` / `vcvtps2ph`
/// with the package's Haswell target, which includes F16C).
public enum Float16Codec {
    /// Decodes `count` little-endian float16 values at `src` (any alignment) into `dst`.
    public static func decode(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        var i = 0
        while i + 8 <= count {
            let h = src.loadUnaligned(fromByteOffset: i * 2, as: SIMD8<UInt16>.self)
            let f = SIMD8<Float>(unsafeBitCast(SIMD8<UInt16>(littleEndian: h), to: SIMD8<Float16>.self))
            UnsafeMutableRawPointer(dst + i).storeBytes(of: f, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let bits = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
            dst[i] = Float(Float16(bitPattern: bits))
            i += 1
        }
    }

    /// Encodes `count` floats into little-endian float16 at `dst` (round to nearest even; overflow → ±inf).
    public static func encode(_ src: UnsafePointer<Float>, count: Int, into dst: UnsafeMutableRawPointer) {
        for i in 0..<count {
            dst.storeBytes(of: Float16(src[i]).bitPattern.littleEndian, toByteOffset: i * 2, as: UInt16.self)
        }
    }
}

extension SIMD8 where Scalar == UInt16 {
    @usableFromInline init(littleEndian v: SIMD8<UInt16>) {
        #if _endian(little)
        self = v
        #else
        self = SIMD8<UInt16>(v.indices.map { UInt16(littleEndian: v[$0]) })
        #endif
    }
}
