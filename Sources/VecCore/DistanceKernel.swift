/// A distance function chosen once per index and resolved at compile time: indexes are generic over a
/// `DistanceKernel` and call its static `distance`, so the inner loop has no dynamic dispatch.
/// Smaller distances are closer (see `Metric` for the exact definitions).
public protocol DistanceKernel {
    /// Distance between two length-`n` buffers.
    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float
    /// Distances between `q` and four buffers.
    static func distance4(
        _ q: UnsafePointer<Float>, _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>,
        _ b2: UnsafePointer<Float>, _ b3: UnsafePointer<Float>, _ n: Int) -> SIMD4<Float>
}

/// Squared Euclidean distance (metric `.l2`).
public enum SquaredL2: DistanceKernel {
    @inlinable @inline(__always)
    public static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        Kernels.squaredL2(a, b, n)
    }

    @inlinable @inline(__always)
    public static func distance4(
        _ q: UnsafePointer<Float>, _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>,
        _ b2: UnsafePointer<Float>, _ b3: UnsafePointer<Float>, _ n: Int
    ) -> SIMD4<Float> {
        Kernels.squaredL2x4(q, b0, b1, b2, b3, n)
    }
}

/// `1 − a·b` (metrics `.ip` and `.cosine`; for cosine the vectors are normalised beforehand).
public enum InnerProductDistance: DistanceKernel {
    @inlinable @inline(__always)
    public static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        1 - Kernels.dot(a, b, n)
    }

    @inlinable @inline(__always)
    public static func distance4(
        _ q: UnsafePointer<Float>, _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>,
        _ b2: UnsafePointer<Float>, _ b3: UnsafePointer<Float>, _ n: Int
    ) -> SIMD4<Float> {
        1 - Kernels.dot4(q, b0, b1, b2, b3, n)
    }
}
