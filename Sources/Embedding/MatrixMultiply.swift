import CVecSupport
#if canImport(Glibc)
import Glibc
#endif

/// The right-hand operand of `MatrixMultiply`: a K×N matrix stored as column panels 16 floats wide.
///
/// Panel `p` (columns `16p ..< 16p+16`) starts at `base + p·panelStride`; its row `k` is 16 contiguous floats
/// at `+ k·rowStride`. Packed weights use `rowStride = 16, panelStride = 16·K` (each panel one contiguous
/// block, read sequentially by the kernel); a plain row-major matrix with leading dimension `ld` is the same
/// thing with `rowStride = ld, panelStride = 16` — attention uses that for V without copying it.
/// When N is not a multiple of 16 the last panel's extra columns must still be readable memory (their
/// values only reach output columns that are never stored).
struct PanelMatrix {
    var base: UnsafePointer<Float>
    var rows: Int
    var columns: Int
    var rowStride: Int
    var panelStride: Int
}

/// A weight matrix packed once into 16-wide panels (see `PanelMatrix`), zero-padded to a multiple of 16
/// columns, in one 64-byte-aligned allocation. Immutable after packing; shared read-only by all threads.
final class PackedMatrix: @unchecked Sendable {
    let rows: Int
    let columns: Int
    private let storage: UnsafeMutablePointer<Float>

    /// Packs the transpose of a row-major `out × in` matrix (PyTorch's `nn.Linear.weight` layout), so that
    /// `x · packed` computes `x · Wᵀ`. `rows = in` (K), `columns = out` (N).
    /// - Parameter scale: multiplies every element while packing (used to fold attention's 1/√d into Wq).
    init(transposing w: UnsafeBufferPointer<Float>, out: Int, in inDim: Int, scale: Float = 1) {
        precondition(w.count == out * inDim, "weight count \(w.count) != \(out)×\(inDim)")
        rows = inDim
        columns = out
        let panels = (out + 15) / 16
        let count = panels * inDim * 16
        storage = Self.allocate(count)
        for p in 0..<panels {
            let panel = storage + p * inDim * 16
            for j in 0..<min(16, out - p * 16) {
                let src = w.baseAddress! + (p * 16 + j) * inDim
                for k in 0..<inDim { panel[k * 16 + j] = src[k] * scale }
            }
        }
    }

    /// Packs a row-major K×N matrix as it is (no transpose).
    init(rowMajor b: UnsafeBufferPointer<Float>, rows k: Int, columns n: Int) {
        precondition(b.count == k * n)
        rows = k
        columns = n
        let panels = (n + 15) / 16
        let count = panels * k * 16
        storage = Self.allocate(count)
        for p in 0..<panels {
            for kk in 0..<k {
                for j in 0..<min(16, n - p * 16) { storage[p * k * 16 + kk * 16 + j] = b[kk * n + p * 16 + j] }
            }
        }
    }

    deinit { free(storage) }

    /// Zeroed storage for `count` floats. Matrices of 1 MiB or more are 2 MiB-aligned and marked for
    /// transparent huge pages: a forward pass streams all weights once per query, and with 4 KiB pages
    /// every 4 KiB of that stream costs a TLB miss and a page walk.
    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let bytes = count * 4
        let huge = 2 << 20
        var p: UnsafeMutableRawPointer?
        if bytes >= 1 << 20 {
            let rounded = (bytes + huge - 1) / huge * huge
            if posix_memalign(&p, huge, rounded) == 0, let p {
                _ = madvise(p, rounded, MADV_HUGEPAGE)  // a hint; failure just means 4 KiB pages
            }
        } else {
            _ = posix_memalign(&p, 64, max(bytes, 64))
        }
        guard let p else { fatalError("out of memory allocating \(bytes) bytes of weights") }
        memset(p, 0, max(bytes, 1))
        return p.bindMemory(to: Float.self, capacity: count)
    }

    var panels: PanelMatrix {
        PanelMatrix(base: UnsafePointer(storage), rows: rows, columns: columns, rowStride: 16, panelStride: rows * 16)
    }
}

/// Single-precision matrix multiply, `C = A·B (+ bias) (+ C)`, with our own register-tiled SIMD kernel.
///
/// The micro-kernel keeps a 6×16 tile of C in six `SIMD16<Float>` accumulators (12 AVX2 registers), and for
/// each k broadcasts one element from each of 6 rows of A and does 6 fused multiply-adds against one
/// 16-float row of a B panel. Loops, outermost first: K in blocks of 384 (so a B panel block, 24 KiB, stays
/// in L1 while every row strip of A passes over it), then B panels, then 6-row strips of A. Row and column
/// tails are handled in the kernel (strips of 1–6 rows each get a specialised kernel; partial panels store fewer lanes),
/// so any shape works. Single-threaded: parallelism is over independent sequences (see `TextEmbedder`).
enum MatrixMultiply {
    static let kernelRows = 6
    /// How far ahead (in B rows, i.e. cache lines when packed) the kernel prefetches. For a short query
    /// (≤ 12 rows) the forward pass is bound by streaming 42 MB of weights; prefetching 32 lines ahead took
    /// `vecbench embed`'s 12-row model-stream figure from ~34 to ~48 GFLOP/s here (8 and 64 were worse).
    static let prefetchRows = 32
    static let kBlock = 384

    /// `C[m×n] = A[m×k]·B (+ bias broadcast over rows) (+ the previous C if accumulate)`.
    /// - Parameters:
    ///   - a: row-major A with leading dimension `lda`.
    ///   - b: the K×N operand (`b.rows` must equal k).
    ///   - c: row-major C with leading dimension `ldc`; only columns `0..<b.columns` are written.
    ///   - bias: N floats added to every row, or nil.
    ///   - accumulate: add the product to C's current contents instead of overwriting them.
    static func multiply(
        a: UnsafePointer<Float>, lda: Int, m: Int, b: PanelMatrix,
        c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>?, accumulate: Bool
    ) {
        let n = b.columns, k = b.rows
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for i in 0..<m {
                for j in 0..<n { c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0) + (bias?[j] ?? 0) }
            }
            return
        }
        let panels = (n + 15) / 16
        var k0 = 0
        while k0 < k {
            let kc = min(kBlock, k - k0)
            let first = k0 == 0
            for p in 0..<panels {
                let cols = min(16, n - p * 16)
                let bp = b.base + p * b.panelStride + k0 * b.rowStride
                let biasP: UnsafePointer<Float>? = first ? bias.map { $0 + p * 16 } : nil
                let load = !first || accumulate
                // Rows split into ⌈m/6⌉ strips of near-equal height (13 rows → 5+4+4, not 6+6+1), so
                // short inputs waste no FMA lanes on padding rows.
                let strips = (m + kernelRows - 1) / kernelRows
                var i = 0
                for s in 0..<strips {
                    let rows = (m - i) / (strips - s) + ((m - i) % (strips - s) == 0 ? 0 : 1)
                    let aS = a + i * lda + k0, cS = c + i * ldc + p * 16
                    switch rows {
                    case 6: kernel(Rows6.self, kc: kc, a: aS, lda: lda, b: bp, ldb: b.rowStride, c: cS, ldc: ldc, cols: cols, bias: biasP, load: load)
                    case 5: kernel(Rows5.self, kc: kc, a: aS, lda: lda, b: bp, ldb: b.rowStride, c: cS, ldc: ldc, cols: cols, bias: biasP, load: load)
                    case 4: kernel(Rows4.self, kc: kc, a: aS, lda: lda, b: bp, ldb: b.rowStride, c: cS, ldc: ldc, cols: cols, bias: biasP, load: load)
                    case 3: kernel(Rows3.self, kc: kc, a: aS, lda: lda, b: bp, ldb: b.rowStride, c: cS, ldc: ldc, cols: cols, bias: biasP, load: load)
                    case 2: kernel(Rows2.self, kc: kc, a: aS, lda: lda, b: bp, ldb: b.rowStride, c: cS, ldc: ldc, cols: cols, bias: biasP, load: load)
                    default: kernel(Rows1.self, kc: kc, a: aS, lda: lda, b: bp, ldb: b.rowStride, c: cS, ldc: ldc, cols: cols, bias: biasP, load: load)
                    }
                    i += rows
                }
            }
            k0 += kc
        }
    }

    /// One tile of `R.count` (1…6) rows × 16 columns:
    /// `C[rows×cols] = (load ? C : 0) + (bias ?? 0) + A[rows×kc]·B[kc×16]`. Generic over the row count so
    /// each height is specialised with exactly the accumulators it needs (the `R.count > i` tests fold away).
    @inline(__always)
    private static func kernel<R: KernelRows>(
        _: R.Type, kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int, bias: UnsafePointer<Float>?, load: Bool
    ) {
        let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
        var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
        var bp = UnsafeRawPointer(b)
        let bStep = ldb * 4
        let prefetchDistance = bStep * prefetchRows
        for kk in 0..<kc {
            // B rows are one cache line each when packed; the first strip over a panel streams them from L3
            // or memory, so ask for the line `prefetchDistance` rows ahead (later strips hit L1 anyway).
            vec_prefetch(bp + prefetchDistance)
            let bv = bp.loadUnaligned(as: SIMD16<Float>.self)
            c0 = c0.addingProduct(bv, a0[kk])
            if R.count > 1 { c1 = c1.addingProduct(bv, a1[kk]) }
            if R.count > 2 { c2 = c2.addingProduct(bv, a2[kk]) }
            if R.count > 3 { c3 = c3.addingProduct(bv, a3[kk]) }
            if R.count > 4 { c4 = c4.addingProduct(bv, a4[kk]) }
            if R.count > 5 { c5 = c5.addingProduct(bv, a5[kk]) }
            bp += bStep
        }
        var initial = SIMD16<Float>()
        if let bias {
            if cols == 16 {
                initial = UnsafeRawPointer(bias).loadUnaligned(as: SIMD16<Float>.self)
            } else {
                for j in 0..<cols { initial[j] = bias[j] }
            }
        }
        store(c0, initial, c, cols, load)
        if R.count > 1 { store(c1, initial, c + ldc, cols, load) }
        if R.count > 2 { store(c2, initial, c + 2 * ldc, cols, load) }
        if R.count > 3 { store(c3, initial, c + 3 * ldc, cols, load) }
        if R.count > 4 { store(c4, initial, c + 4 * ldc, cols, load) }
        if R.count > 5 { store(c5, initial, c + 5 * ldc, cols, load) }
    }

    @inline(__always)
    private static func store(
        _ acc: SIMD16<Float>, _ initial: SIMD16<Float>, _ c: UnsafeMutablePointer<Float>, _ cols: Int, _ load: Bool
    ) {
        if cols == 16 {
            let raw = UnsafeMutableRawPointer(c)
            var v = acc + initial
            if load { v += raw.loadUnaligned(as: SIMD16<Float>.self) }
            raw.storeBytes(of: v, as: SIMD16<Float>.self)
        } else {
            for j in 0..<cols { c[j] = (load ? c[j] : 0) + initial[j] + acc[j] }
        }
    }

    /// Plain triple loop, the reference the kernel is tested against.
    static func naive(
        a: UnsafePointer<Float>, lda: Int, m: Int, k: Int, b: UnsafePointer<Float>, ldb: Int, n: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>?, accumulate: Bool
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for kk in 0..<k { s += Double(a[i * lda + kk]) * Double(b[kk * ldb + j]) }
                c[i * ldc + j] = Float(s + Double(bias?[j] ?? 0) + Double(accumulate ? c[i * ldc + j] : 0))
            }
        }
    }
}

/// The height of a kernel tile as a type, so `MatrixMultiply.kernel` is specialised per height.
protocol KernelRows { static var count: Int { get } }
enum Rows1: KernelRows { static var count: Int { 1 } }
enum Rows2: KernelRows { static var count: Int { 2 } }
enum Rows3: KernelRows { static var count: Int { 3 } }
enum Rows4: KernelRows { static var count: Int { 4 } }
enum Rows5: KernelRows { static var count: Int { 5 } }
enum Rows6: KernelRows { static var count: Int { 6 } }
