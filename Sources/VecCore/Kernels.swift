import CVecSupport

/// SIMD distance kernels over raw `Float` buffers.
///
/// Every kernel handles any length `n` (odd lengths included) with SIMD16 blocks, then one SIMD8 block,
/// then a scalar tail, and never reads past `n`. Four independent accumulators hide FMA latency.
/// `addingProduct` compiles to `vfmadd` because the package targets Haswell (AVX2 + FMA).
/// They allocate nothing and may be called from any thread.
public enum Kernels {
    @inlinable @inline(__always)
    static func load16(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inlinable @inline(__always)
    static func load8(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Inner product `Σ a_i·b_i` of two length-`n` buffers.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var i = 0
        while i &+ 64 <= n {
            s0 = s0.addingProduct(load16(a, i), load16(b, i))
            s1 = s1.addingProduct(load16(a, i &+ 16), load16(b, i &+ 16))
            s2 = s2.addingProduct(load16(a, i &+ 32), load16(b, i &+ 32))
            s3 = s3.addingProduct(load16(a, i &+ 48), load16(b, i &+ 48))
            i &+= 64
        }
        while i &+ 16 <= n {
            s0 = s0.addingProduct(load16(a, i), load16(b, i))
            i &+= 16
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum()
        if i &+ 8 <= n {
            sum += (load8(a, i) * load8(b, i)).sum()
            i &+= 8
        }
        while i < n {
            sum += a[i] * b[i]
            i &+= 1
        }
        return sum
    }

    /// Squared Euclidean distance `Σ (a_i − b_i)²` of two length-`n` buffers.
    @inlinable
    public static func squaredL2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var i = 0
        while i &+ 64 <= n {
            let d0 = load16(a, i) - load16(b, i)
            let d1 = load16(a, i &+ 16) - load16(b, i &+ 16)
            let d2 = load16(a, i &+ 32) - load16(b, i &+ 32)
            let d3 = load16(a, i &+ 48) - load16(b, i &+ 48)
            s0 = s0.addingProduct(d0, d0)
            s1 = s1.addingProduct(d1, d1)
            s2 = s2.addingProduct(d2, d2)
            s3 = s3.addingProduct(d3, d3)
            i &+= 64
        }
        while i &+ 16 <= n {
            let d = load16(a, i) - load16(b, i)
            s0 = s0.addingProduct(d, d)
            i &+= 16
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum()
        if i &+ 8 <= n {
            let d = load8(a, i) - load8(b, i)
            sum += (d * d).sum()
            i &+= 8
        }
        while i < n {
            let d = a[i] - b[i]
            sum += d * d
            i &+= 1
        }
        return sum
    }

    /// Inner products of one query against four vectors at once (one pass over the query, four streams):
    /// used by flat scans, where it is about 1.5× faster than four separate `dot` calls.
    @inlinable
    public static func dot4(
        _ q: UnsafePointer<Float>, _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>,
        _ b2: UnsafePointer<Float>, _ b3: UnsafePointer<Float>, _ n: Int
    ) -> SIMD4<Float> {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var i = 0
        while i &+ 16 <= n {
            let x = load16(q, i)
            s0 = s0.addingProduct(x, load16(b0, i))
            s1 = s1.addingProduct(x, load16(b1, i))
            s2 = s2.addingProduct(x, load16(b2, i))
            s3 = s3.addingProduct(x, load16(b3, i))
            i &+= 16
        }
        var r = SIMD4<Float>(s0.sum(), s1.sum(), s2.sum(), s3.sum())
        while i < n {
            let x = q[i]
            r += SIMD4<Float>(x * b0[i], x * b1[i], x * b2[i], x * b3[i])
            i &+= 1
        }
        return r
    }

    /// Squared L2 distances of one query against four vectors at once.
    @inlinable
    public static func squaredL2x4(
        _ q: UnsafePointer<Float>, _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>,
        _ b2: UnsafePointer<Float>, _ b3: UnsafePointer<Float>, _ n: Int
    ) -> SIMD4<Float> {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var i = 0
        while i &+ 16 <= n {
            let x = load16(q, i)
            let d0 = x - load16(b0, i), d1 = x - load16(b1, i), d2 = x - load16(b2, i), d3 = x - load16(b3, i)
            s0 = s0.addingProduct(d0, d0)
            s1 = s1.addingProduct(d1, d1)
            s2 = s2.addingProduct(d2, d2)
            s3 = s3.addingProduct(d3, d3)
            i &+= 16
        }
        var r = SIMD4<Float>(s0.sum(), s1.sum(), s2.sum(), s3.sum())
        while i < n {
            let x = q[i]
            let d = SIMD4<Float>(x - b0[i], x - b1[i], x - b2[i], x - b3[i])
            r += d * d
            i &+= 1
        }
        return r
    }

    /// Hints the CPU to start loading the `lines` cache lines at `p` (for the next vector to be compared).
    @inlinable @inline(__always)
    public static func prefetch(_ p: UnsafeRawPointer, lines: Int = 1) {
        var i = 0
        while i < lines {
            vec_prefetch(p + i &* 64)
            i &+= 1
        }
    }
}
