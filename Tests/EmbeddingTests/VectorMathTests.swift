import Foundation
import Testing
@testable import Embedding

@Suite struct VectorMathTests {
    @Test func expIsWithinTwoUlpOfLibm() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            var v = SIMD16<Float>()
            for j in 0..<16 { v[j] = x + Float(j) * 0.0011 }
            let e = VectorMath.exp(v)
            for j in 0..<16 {
                let exact = Foundation.exp(Double(v[j]))
                worst = max(worst, abs(Double(e[j]) - exact) / exact)
            }
            x += 0.0173
        }
        #expect(worst < 2.5e-7, "worst relative error \(worst)")
        // Far below the clamp: tiny but normal, never NaN or denormal.
        let low = VectorMath.exp(SIMD16(repeating: -1000))
        #expect(low[0] >= 0 && low[0] < 1e-37 && (low[0] == 0 || low[0].isNormal))
        #expect(VectorMath.exp(SIMD16(repeating: 0))[3] == 1)
    }

    @Test func geluMatchesTheExactErfForm() {
        var worst = 0.0
        var x: Float = -10
        while x < 10 {
            var v = SIMD16<Float>()
            for j in 0..<16 { v[j] = x + Float(j) * 0.0007 }
            let g = VectorMath.gelu(v)
            for j in 0..<16 {
                let d = Double(v[j])
                let exact = d * 0.5 * (1 + erf(d / 2.0.squareRoot()))
                worst = max(worst, abs(Double(g[j]) - exact))
            }
            x += 0.0113
        }
        #expect(worst < 5e-7, "worst absolute error \(worst)")
    }

    @Test func geluInPlaceHandlesTails() {
        var a: [Float] = (0..<37).map { Float($0) / 4 - 4 }
        let expected = a.map { x -> Float in let d = Double(x); return Float(d * 0.5 * (1 + erf(d / 2.0.squareRoot()))) }
        a.withUnsafeMutableBufferPointer { VectorMath.geluInPlace($0.baseAddress!, count: 37) }
        for i in a.indices { #expect(abs(a[i] - expected[i]) < 1e-6, "index \(i)") }
    }

    @Test(arguments: [1, 5, 16, 17, 40, 256])
    func softmaxSumsToOneAndMatchesDouble(count: Int) {
        var rng = SplitMix64(seed: 42)
        var a: [Float] = (0..<count).map { _ in rng.nextFloat() * 20 - 10 }
        let mx = Double(a.max()!)
        let ex = a.map { Foundation.exp(Double($0) - mx) }
        let sum = ex.reduce(0, +)
        a += [Float](repeating: 1000, count: (count + 15) / 16 * 16 - count)  // padding lanes: must be ignored
        a.withUnsafeMutableBufferPointer { VectorMath.softmaxRows($0.baseAddress!, rows: 1, count: count, stride: $0.count) }
        var total: Float = 0
        for i in 0..<count {
            #expect(abs(Double(a[i]) - ex[i] / sum) < 1e-6)
            total += a[i]
        }
        #expect(abs(total - 1) < 1e-5)
        for i in count..<a.count { #expect(a[i] == 0) }
    }

    @Test func layerNormMatchesDouble() {
        var rng = SplitMix64(seed: 7)
        let n = 384
        var x: [Float] = (0..<n).map { _ in rng.nextFloat() * 6 - 3 }
        let g: [Float] = (0..<n).map { _ in rng.nextFloat() + 0.5 }
        let b: [Float] = (0..<n).map { _ in rng.nextFloat() - 0.5 }
        let mean = x.reduce(0.0) { $0 + Double($1) } / Double(n)
        let v = x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n)
        let expected = (0..<n).map { (Double(x[$0]) - mean) / (v + 1e-12).squareRoot() * Double(g[$0]) + Double(b[$0]) }
        x.withUnsafeMutableBufferPointer { xp in
            g.withUnsafeBufferPointer { gp in
                b.withUnsafeBufferPointer { bp in
                    VectorMath.layerNormInPlace(xp.baseAddress!, count: n, gamma: gp.baseAddress!,
                                                beta: bp.baseAddress!, epsilon: 1e-12)
                }
            }
        }
        for i in 0..<n { #expect(abs(Double(x[i]) - expected[i]) < 1e-5) }
    }
}

/// Deterministic generator for tests (SplitMix64), so randomised tests are reproducible from their seed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
