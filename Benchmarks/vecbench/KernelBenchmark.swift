import Foundation
import VecCore

/// `vecbench kernels`: nanoseconds per distance for the SIMD kernels, cache-hot (one vector pair over and
/// over) and cold (random vectors from a store larger than the caches), in thread CPU time.
let kernelsCommand = BenchCommand(
    name: "kernels",
    summary: "ns per distance of the SIMD kernels, cache-hot and random-access",
    run: { args in try runKernels(args) })

private func runKernels(_ args: [String]) throws {
    let f = try FlagParser(args, valued: ["--dim", "--count", "--iterations"])
    let d = try f.int("--dim", default: 384)
    let n = try f.int("--count", default: 100_000)
    let iters = try f.int("--iterations", default: 2_000_000)
    let store = try VectorStore(dimension: d, capacity: n)
    var rng = SystemRandomNumberGenerator()
    var row = [Float](repeating: 0, count: d)
    for _ in 0..<n {
        for j in 0..<d { row[j] = Float.random(in: -0.1...0.1, using: &rng) }
        row.withUnsafeBufferPointer { _ = store.append($0) }
    }
    let q = store.pointer(0)
    let s = store.stride
    let order = (0..<iters).map { _ in Int.random(in: 0..<n, using: &rng) }
    var sink: Float = 0
    func time(_ label: String, perCall: Int, _ body: () -> Void) {
        var best = Double.infinity
        for _ in 0..<3 {
            let t = threadCPUSeconds()
            body()
            best = min(best, threadCPUSeconds() - t)
        }
        print(label.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%7.1f ns per distance", best / Double(iters * perCall) * 1e9))
    }
    // Cache-hot: cycle through 8 vectors (the index varies, so the compiler cannot hoist the call).
    time("dot, hot", perCall: 1) { for i in 0..<iters { sink += Kernels.dot(q, store.pointer(1 + i & 7), s) } }
    time("squaredL2, hot", perCall: 1) { for i in 0..<iters { sink += Kernels.squaredL2(q, store.pointer(1 + i & 7), s) } }
    time("dot4, hot", perCall: 4) {
        for i in 0..<iters { sink += Kernels.dot4(q, store.pointer(1 + i & 7), store.pointer(2 + i & 7), store.pointer(3 + i & 7), store.pointer(4 + i & 7), s).sum() }
    }
    time("dot, random of \(n)", perCall: 1) { for o in order { sink += Kernels.dot(q, store.pointer(o), s) } }
    time("dot4, random of \(n)", perCall: 1) {
        var i = 0
        while i + 4 <= iters {
            sink += Kernels.dot4(q, store.pointer(order[i]), store.pointer(order[i + 1]), store.pointer(order[i + 2]), store.pointer(order[i + 3]), s).sum()
            i += 4
        }
    }
    // The same vectors in half precision.
    let half = UnsafeMutablePointer<UInt16>.allocate(capacity: n * s)
    defer { half.deallocate() }
    for i in 0..<(n * s) { half[i] = Float16(store.pointer(0)[i]).bitPattern }
    time("dotHalf, hot", perCall: 1) { for i in 0..<iters { sink += HalfKernels.dotHalf(q, half + (1 + i & 7) * s, s) } }
    time("dotHalf, random of \(n)", perCall: 1) { for o in order { sink += HalfKernels.dotHalf(q, half + o * s, s) } }
    time("dotHalf4, random of \(n)", perCall: 1) {
        var i = 0
        while i + 4 <= iters {
            sink += HalfKernels.dotHalf4(q, half + order[i] * s, half + order[i + 1] * s, half + order[i + 2] * s, half + order[i + 3] * s, s).sum()
            i += 4
        }
    }
    print("dimension \(d) (stride \(s)), \(n) vectors, checksum \(sink)")
}

/// Half-precision storage kernels, measured here against float32 storage: on this machine they are slower
/// (the conversion costs more than the halved memory traffic saves), so the indexes store float32.
private enum HalfKernels {
    @inline(__always)
    static func loadFloat16Lanes(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func loadHalf16(_ p: UnsafePointer<UInt16>, _ i: Int) -> SIMD16<Float> {
        SIMD16<Float>(unsafeBitCast(UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<UInt16>.self), to: SIMD16<Float16>.self))
    }

    /// Inner product of a `Float` query with a vector stored as IEEE half floats (`n` a multiple of 16, as
    /// the padded strides of half-precision stores are).
    static func dotHalf(_ q: UnsafePointer<Float>, _ b: UnsafePointer<UInt16>, _ n: Int) -> Float {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>()
        var i = 0
        while i &+ 32 <= n {
            s0 = s0.addingProduct(loadFloat16Lanes(q, i), loadHalf16(b, i))
            s1 = s1.addingProduct(loadFloat16Lanes(q, i &+ 16), loadHalf16(b, i &+ 16))
            i &+= 32
        }
        if i &+ 16 <= n { s0 = s0.addingProduct(loadFloat16Lanes(q, i), loadHalf16(b, i)) }
        return (s0 + s1).sum()
    }

    /// `dotHalf` against four vectors at once.
    static func dotHalf4(
        _ q: UnsafePointer<Float>, _ b0: UnsafePointer<UInt16>, _ b1: UnsafePointer<UInt16>,
        _ b2: UnsafePointer<UInt16>, _ b3: UnsafePointer<UInt16>, _ n: Int
    ) -> SIMD4<Float> {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var i = 0
        while i &+ 16 <= n {
            let x = loadFloat16Lanes(q, i)
            s0 = s0.addingProduct(x, loadHalf16(b0, i))
            s1 = s1.addingProduct(x, loadHalf16(b1, i))
            s2 = s2.addingProduct(x, loadHalf16(b2, i))
            s3 = s3.addingProduct(x, loadHalf16(b3, i))
            i &+= 16
        }
        return SIMD4<Float>(s0.sum(), s1.sum(), s2.sum(), s3.sum())
    }
}
