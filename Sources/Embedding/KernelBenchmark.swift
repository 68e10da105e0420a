import Foundation

/// Measurement hooks for `vecbench embed`: the matrix-multiply kernel is internal, so the benchmark reaches
/// it through here rather than widening the module's API.
public enum KernelBenchmark {
    /// Times `C[m×n] = A[m×k]·B + bias` with the embedding's own kernel on pseudo-random data for at least
    /// `seconds`, single-threaded, and returns the achieved GFLOP/s (2·m·n·k flops per multiply) per second
    /// of this thread's CPU time — so other processes competing for the core do not distort the figure.
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
        let start = threadCPUSeconds()
        var elapsed = 0.0
        repeat {
            for _ in 0..<8 {
                MatrixMultiply.multiply(a: a.pointer, lda: k, m: m, b: packed.panels, c: c.pointer, ldc: n,
                                        bias: bias.pointer, accumulate: false)
            }
            reps += 8
            elapsed = threadCPUSeconds() - start
        } while elapsed < seconds
        return flops * Double(reps) / elapsed / 1e9
    }

    /// GFLOP/s per CPU-second of `m`-row multiplies over a model-sized set of weights: the 24 matrices of a
    /// 6-layer MiniLM (QKV 384×1152, output 384×384, FFN 384×1536 and 1536×384; 42 MB in all), one after
    /// the other as a forward pass does, so the weights stream from L3 or memory instead of staying in L2.
    public static func modelStreamGFLOPS(m: Int, seconds: Double = 0.5) -> Double {
        let shapes = Array(repeating: [(384, 1152), (384, 384), (384, 1536), (1536, 384)], count: 6).flatMap { $0 }
        var state: UInt64 = 1
        let mats = shapes.map { (k, n) -> PackedMatrix in
            let w = (0..<(k * n)).map { _ -> Float in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(Int64(bitPattern: state >> 11) % 2000) / 1000
            }
            return w.withUnsafeBufferPointer { PackedMatrix(transposing: $0, out: n, in: k) }
        }
        let a = FloatBuffer(count: m * 1536)
        for i in 0..<a.count { a.pointer[i] = Float(i % 7) * 0.1 }
        let c = FloatBuffer(count: m * 1536)
        var flops = 0.0
        let start = threadCPUSeconds()
        var elapsed = 0.0
        repeat {
            for (mat, (k, n)) in zip(mats, shapes) {
                MatrixMultiply.multiply(a: a.pointer, lda: k, m: m, b: mat.panels, c: c.pointer, ldc: n,
                                        bias: nil, accumulate: false)
                flops += 2.0 * Double(m * k * n)
            }
            elapsed = threadCPUSeconds() - start
        } while elapsed < seconds
        return flops / elapsed / 1e9
    }

    /// The core's measured single-precision FMA peak with the kernel's instruction mix minus the memory
    /// traffic: 12 independent 8-lane (AVX2) multiply-add chains kept in registers, GFLOP/s per CPU-second.
    /// On a VM whose /proc/cpuinfo shows the nominal clock, this reveals the real (turbo) peak.
    public static func registerFMAPeakGFLOPS(seconds: Double = 0.3) -> Double {
        var acc = (0..<6).map { SIMD16<Float>(repeating: Float($0) * 0.1) }
        let m = SIMD16<Float>(repeating: 0.5), b = SIMD16<Float>(repeating: 0.25)
        var reps = 0
        let start = threadCPUSeconds()
        var elapsed = 0.0
        var a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5]
        repeat {
            for _ in 0..<100_000 {
                a0 = b.addingProduct(a0, m); a1 = b.addingProduct(a1, m); a2 = b.addingProduct(a2, m)
                a3 = b.addingProduct(a3, m); a4 = b.addingProduct(a4, m); a5 = b.addingProduct(a5, m)
            }
            reps += 100_000
            elapsed = threadCPUSeconds() - start
        } while elapsed < seconds
        acc = [a0, a1, a2, a3, a4, a5]
        // Keep the result observable so the loop is not optimised away.
        if acc.reduce(0, { $0 + $1.sum() }) == -1 { print("") }
        return Double(reps) * 6 * 16 * 2 / elapsed / 1e9
    }

    /// CPU time consumed by the calling thread, in seconds (CLOCK_THREAD_CPUTIME_ID).
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
