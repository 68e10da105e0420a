import Testing
@testable import Embedding

@Suite struct MatrixMultiplyTests {
    /// Odd shapes: row counts around the 6-row strip, columns around the 16-wide panel, K across the
    /// 384 block boundary, with and without bias/accumulation.
    @Test(arguments: [
        (1, 1, 1), (1, 384, 16), (5, 7, 3), (6, 16, 16), (7, 33, 17), (13, 385, 31), (12, 768, 48),
        (19, 1536, 40), (2, 400, 1), (31, 64, 33),
    ])
    func kernelMatchesNaiveReference(shape: (Int, Int, Int)) {
        let (m, k, n) = shape
        var rng = SplitMix64(seed: UInt64(m * 1_000_003 + k * 1009 + n))
        let a: [Float] = (0..<(m * k)).map { _ in rng.nextFloat() * 2 - 1 }
        let w: [Float] = (0..<(n * k)).map { _ in rng.nextFloat() * 2 - 1 }  // out × in, like nn.Linear
        let bias: [Float] = (0..<n).map { _ in rng.nextFloat() }
        let start: [Float] = (0..<(m * n)).map { _ in rng.nextFloat() }
        // B = Wᵀ as a row-major k×n matrix for the naive reference.
        var bT = [Float](repeating: 0, count: k * n)
        for o in 0..<n { for i in 0..<k { bT[i * n + o] = w[o * k + i] } }
        let packed = w.withUnsafeBufferPointer { PackedMatrix(transposing: $0, out: n, in: k) }
        for (useBias, accumulate) in [(false, false), (true, false), (true, true), (false, true)] {
            var got = start, want = start
            a.withUnsafeBufferPointer { ap in
                bias.withUnsafeBufferPointer { bp in
                    got.withUnsafeMutableBufferPointer { cp in
                        MatrixMultiply.multiply(a: ap.baseAddress!, lda: k, m: m, b: packed.panels, c: cp.baseAddress!,
                                                ldc: n, bias: useBias ? bp.baseAddress! : nil, accumulate: accumulate)
                    }
                    bT.withUnsafeBufferPointer { btp in
                        want.withUnsafeMutableBufferPointer { cp in
                            MatrixMultiply.naive(a: ap.baseAddress!, lda: k, m: m, k: k, b: btp.baseAddress!, ldb: n, n: n,
                                                 c: cp.baseAddress!, ldc: n, bias: useBias ? bp.baseAddress! : nil,
                                                 accumulate: accumulate)
                        }
                    }
                }
            }
            var worst: Float = 0
            for i in 0..<(m * n) { worst = max(worst, abs(got[i] - want[i])) }
            // Sums of k products of magnitude ≤ 1 in float32: error grows like √k·ε·k at worst.
            #expect(worst <= 1e-5 * Float(max(k, 16)).squareRoot() * 4, "m\(m) k\(k) n\(n) bias \(useBias) acc \(accumulate): \(worst)")
        }
    }

    /// Strided operands as attention uses them: A with lda > k, C with ldc > n, B read in place from a
    /// row-major matrix (rowStride = ld, panelStride = 16); columns outside C's window stay untouched.
    @Test func stridedOperandsAndUntouchedNeighbours() {
        let m = 9, k = 11, n = 32, lda = 40, ldb = 50, ldc = 45
        var rng = SplitMix64(seed: 3)
        let a: [Float] = (0..<(m * lda)).map { _ in rng.nextFloat() }
        let b: [Float] = (0..<(k * ldb + 16)).map { _ in rng.nextFloat() }
        var got = [Float](repeating: -7, count: m * ldc)
        var want = got
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                let panels = PanelMatrix(base: bp.baseAddress!, rows: k, columns: n, rowStride: ldb, panelStride: 16)
                got.withUnsafeMutableBufferPointer { cp in
                    MatrixMultiply.multiply(a: ap.baseAddress!, lda: lda, m: m, b: panels, c: cp.baseAddress!, ldc: ldc,
                                            bias: nil, accumulate: false)
                }
                want.withUnsafeMutableBufferPointer { cp in
                    MatrixMultiply.naive(a: ap.baseAddress!, lda: lda, m: m, k: k, b: bp.baseAddress!, ldb: ldb, n: n,
                                         c: cp.baseAddress!, ldc: ldc, bias: nil, accumulate: false)
                }
            }
        }
        for i in 0..<(m * ldc) { #expect(abs(got[i] - want[i]) < 1e-5, "index \(i)") }
        for r in 0..<m { for j in n..<ldc { #expect(got[r * ldc + j] == -7) } }
    }

    @Test func packingRowMajorMatchesTransposedPacking() {
        let k = 5, n = 20
        let b: [Float] = (0..<(k * n)).map { Float($0) }
        var w = [Float](repeating: 0, count: k * n)
        for i in 0..<k { for o in 0..<n { w[o * k + i] = b[i * n + o] } }
        let p1 = b.withUnsafeBufferPointer { PackedMatrix(rowMajor: $0, rows: k, columns: n) }
        let p2 = w.withUnsafeBufferPointer { PackedMatrix(transposing: $0, out: n, in: k) }
        let count = ((n + 15) / 16) * k * 16
        for i in 0..<count { #expect(p1.panels.base[i] == p2.panels.base[i]) }
    }
}
