import CEmbeddingSupport

/// The element-wise and row-wise pieces of the encoder, vectorised over `SIMD16<Float>` with scalar tails.
///
/// `exp` and GELU are our own SIMD approximations (no per-element libm call in the hot loops):
/// - `exp`: Cody–Waite range reduction `x = n·ln2 + r` and a degree-6 polynomial for `eʳ` (Cephes' `expf`
///   coefficients); relative error ≈ 1 ulp on the range softmax uses, inputs clamped to [−87.3, 88.3] so no
///   denormals are produced.
/// - GELU in its exact form `x·Φ(x) = x·½(1 + erf(x/√2))`, written as `max(x,0) − ½|x|·erfc(|x|/√2)` with
///   erfc from Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5·10⁻⁷ · e^(−x²/2)): the same formula the reference
///   implementation uses, |GELU error| ≤ 4·10⁻⁷ everywhere (tested against Glibc `erf`).
enum VectorMath {
    // MARK: exp

    @inline(__always)
    static func exp(_ xIn: SIMD16<Float>) -> SIMD16<Float> {
        let x = vecnode_min(vecnode_max(xIn, SIMD16(repeating: -87.3)), SIMD16(repeating: 88.3))
        // Round x·log2(e) to the nearest integer n with the 1.5·2²³ trick: in [2²³, 2²⁴) floats are spaced 1
        // apart, so adding the constant rounds, and n sits in the low mantissa bits (no float→int conversion,
        // which the stdlib does lane by lane).
        let magic: Float = 12_582_912
        let t = x * 1.442_695_040_888_963_4 + magic
        let n = t - magic
        // r = x − n·ln2 in two steps (ln2 split into an exactly-representable high part and a low part).
        var r = x.addingProduct(n, SIMD16(repeating: -0.693_359_375))
        r = r.addingProduct(n, SIMD16(repeating: 2.121_944_4e-4))
        var p = SIMD16<Float>(repeating: 1.987_569_150_0e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let y = (p * r * r + r) + 1
        // 2ⁿ: exponent field n + 127 (n ∈ [−126, 127] after the clamp), taken from t's low mantissa bits.
        let nBits = unsafeBitCast(t, to: SIMD16<UInt32>.self) &- SIMD16(repeating: magic.bitPattern)
        let scale = (nBits &+ 127) &<< 23
        return y * unsafeBitCast(scale, to: SIMD16<Float>.self)
    }

    // MARK: GELU

    @inline(__always)
    static func gelu(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let a = abs(x)
        // erfc(z) ≈ t·P(t)·e^(−z²), t = 1/(1 + p·z), z = |x|/√2; the ½ of GELU is folded into P's coefficients.
        let t = 1 / (a * 0.231_641_895_2 + 1)  // 0.3275911/√2
        var q = t * 0.530_702_714_5            // ½·1.061405429
        q = (q - 0.726_576_013_5) * t          // ½·−1.453152027
        q = (q + 0.710_706_870_5) * t          // ½·1.421413741
        q = (q - 0.142_248_368_0) * t          // ½·−0.284496736
        q = (q + 0.127_414_796_0) * t          // ½·0.254829592
        let e = exp(x * x * -0.5)
        let positive = vecnode_max(x, SIMD16<Float>())
        return positive - q * e * a
    }

    @inline(__always)
    private static func abs(_ x: SIMD16<Float>) -> SIMD16<Float> {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: SIMD16<Float>.self)
    }

    /// GELU in place over `count` floats.
    static func geluInPlace(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let raw = UnsafeMutableRawPointer(p)
        var i = 0
        while i + 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            raw.storeBytes(of: gelu(v), toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        if i < count {
            var v = SIMD16<Float>()
            for j in 0..<(count - i) { v[j] = p[i + j] }
            let g = gelu(v)
            for j in 0..<(count - i) { p[i + j] = g[j] }
        }
    }

    // MARK: softmax

    /// Softmax in place over the first `count` floats of each of `rows` rows spaced `stride` floats apart
    /// (one head's attention scores). Rows must have room for `count` rounded up to 16 floats: the last
    /// vector is processed whole with its extra lanes masked (excluded from max and sum, and set to 0), so
    /// short rows cost a few vector operations, not scalar loops.
    static func softmaxRows(_ p: UnsafeMutablePointer<Float>, rows: Int, count: Int, stride: Int) {
        precondition(count >= 1 && stride >= (count + 15) & ~15)
        let vectors = (count + 15) / 16
        let tail = count - (vectors - 1) * 16  // valid lanes in the last vector, 1…16
        // Masks as arithmetic (a lane select is not lowered well): add −∞ to padding lanes for the max,
        // multiply padding lanes by 0 for the sum.
        var keep = SIMD16<Float>(repeating: 1), drop = SIMD16<Float>()
        for j in tail..<16 { keep[j] = 0; drop[j] = -.infinity }
        for r in 0..<rows {
            let raw = UnsafeMutableRawPointer(p + r * stride)
            @inline(__always) func load(_ v: Int) -> SIMD16<Float> {
                raw.loadUnaligned(fromByteOffset: v * 64, as: SIMD16<Float>.self)
            }
            var m = load(vectors - 1) + drop
            for v in 0..<(vectors - 1) { m = vecnode_max(m, load(v)) }
            let mx = vecnode_reduce_max(m)
            var sum = SIMD16<Float>()
            for v in 0..<vectors {
                var e = exp(load(v) - mx)
                if v == vectors - 1 { e *= keep }
                raw.storeBytes(of: e, toByteOffset: v * 64, as: SIMD16<Float>.self)
                sum += e
            }
            let inv = 1 / vecnode_reduce_add(sum)
            for v in 0..<vectors {
                raw.storeBytes(of: load(v) * inv, toByteOffset: v * 64, as: SIMD16<Float>.self)
            }
        }
    }

    // MARK: LayerNorm

    /// LayerNorm of one row in place: `(x − mean)/√(var + eps)·gamma + beta`, biased variance as PyTorch.
    /// `count` must be a multiple of 16 (the hidden size, 384).
    static func layerNormInPlace(
        _ x: UnsafeMutablePointer<Float>, count: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        epsilon: Float
    ) {
        precondition(count % 16 == 0 && count > 0)
        let raw = UnsafeMutableRawPointer(x)
        var s = SIMD16<Float>()
        var i = 0
        while i < count { s += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self); i += 16 }
        let mean = vecnode_reduce_add(s) / Float(count)
        var v = SIMD16<Float>()
        i = 0
        while i < count {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - mean
            v = v.addingProduct(d, d)
            i += 16
        }
        let inv = 1 / (vecnode_reduce_add(v) / Float(count) + epsilon).squareRoot()
        let g = UnsafeRawPointer(gamma), b = UnsafeRawPointer(beta)
        i = 0
        while i < count {
            let d = (raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - mean) * inv
            let y = d * g.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                + b.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            raw.storeBytes(of: y, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
    }

    /// `y += x` over `count` floats (`count` a multiple of 16).
    @inline(__always)
    static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        var i = 0
        while i < count {
            let v = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                + rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
    }
}
