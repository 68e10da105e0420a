/// SIMD kernels between float weights and unsigned 8-bit codes (see `SQ8Query` for how distances reduce to
/// them). Each block of 16 bytes is widened to 16 floats (`vpmovzxbd` + `vcvtdq2ps` on AVX2) and accumulated
/// with FMA; the vector is read as 16 bytes per 16 dimensions instead of 64, which is what makes quantised
/// search fast when vectors come from memory rather than cache.
///
/// `n` must be a multiple of 16 (the code stride); nothing past `n` is read. No allocation; any thread.
public enum SQ8Kernels {
    /// 16 bytes as 16 floats. Written lane by lane on purpose: the stdlib's generic SIMD conversions
    /// (`SIMD16<Int32>(truncatingIfNeeded:)`, `SIMD16<Float>(_:)`) compile to two outlined calls per block (with
    /// register spills), while this loop becomes `vpmovzxbd` + `vcvtdq2ps` (checked in the assembly).
    @inlinable @inline(__always)
    static func widen(_ c: UnsafePointer<UInt8>, _ i: Int) -> SIMD16<Float> {
        let bytes = UnsafeRawPointer(c + i).loadUnaligned(as: SIMD16<UInt8>.self)
        var x = SIMD16<Float>()
        for t in 0..<16 { x[t] = Float(bytes[t]) }
        return x
    }

    @inlinable @inline(__always)
    static func load16(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// `Σ w_i · c_i` over `n` (a multiple of 16) entries.
    @inlinable
    public static func dot(_ w: UnsafePointer<Float>, _ c: UnsafePointer<UInt8>, _ n: Int) -> Float {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>()
        var i = 0
        while i &+ 32 <= n {
            s0 = s0.addingProduct(load16(w, i), widen(c, i))
            s1 = s1.addingProduct(load16(w, i &+ 16), widen(c, i &+ 16))
            i &+= 32
        }
        if i &+ 16 <= n {
            s0 = s0.addingProduct(load16(w, i), widen(c, i))
        }
        return (s0 + s1).sum()
    }

    /// `Σ w_i · c_i` for four codes at once (one pass over the weights).
    @inlinable
    public static func dot4(_ w: UnsafePointer<Float>, _ c0: UnsafePointer<UInt8>, _ c1: UnsafePointer<UInt8>,
                            _ c2: UnsafePointer<UInt8>, _ c3: UnsafePointer<UInt8>, _ n: Int) -> SIMD4<Float> {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var i = 0
        while i &+ 16 <= n {
            let x = load16(w, i)
            s0 = s0.addingProduct(x, widen(c0, i))
            s1 = s1.addingProduct(x, widen(c1, i))
            s2 = s2.addingProduct(x, widen(c2, i))
            s3 = s3.addingProduct(x, widen(c3, i))
            i &+= 16
        }
        return SIMD4<Float>(s0.sum(), s1.sum(), s2.sum(), s3.sum())
    }
}
