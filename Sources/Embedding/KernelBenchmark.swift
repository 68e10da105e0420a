import Foundation

/// Measurement hooks for `vecbench embed`: the matrix-multiply kernel is internal, so the benchmark reaches
/// it through here rather than widening the module's API.
public enum KernelBenchmark {
    /// Times `C[m×n] = A[m×k]·B + bias` with the embedding's own kernel on pseudo-random data for at least
    /// `seconds`, single-threaded, and returns the achieved GFLOP/s (2·m·n·k flops per multiply).
    public static func matrixMultiplyGFLOPS(m: Int, k: Int, n: Int, seconds: Double = 0.5) -> Double {
        precondition(m > 0 && k > 0 && n > 0)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2000 - 1000) / 1000
        }
        let a = FloatBuffer(count: m * k)
        for i in 0..<(m * k) { a.pointer[i] = next() }
        let w = (0..<(k * n)).map { _ in next() }
        let packed = w.withUnsafeBufferPointer { PackedMatrix(transposing: $0, out: n, in: k) }
        let bias = FloatBuffer(count: n)
        let c = FloatBuffer(count: m * n)
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        var reps = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            for _ in 0..<8 {
                MatrixMultiply.multiply(a: a.pointer, lda: k, m: m, b: packed.panels, c: c.pointer, ldc: n,
                                        bias: bias.pointer, accumulate: false)
            }
            reps += 8
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return flops * Double(reps) / elapsed / 1e9
    }
}
