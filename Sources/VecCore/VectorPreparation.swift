/// Validation and normalisation of vectors at the boundary of the engine: every vector that enters an index
/// or serves as a query goes through `prepare`, which checks its dimension and finiteness, normalises it for
/// cosine, and writes it zero-padded to the store's stride.
public enum VectorPreparation {
    /// Validates `v` and writes the prepared form (normalised when `metric.normalizes`) into `out`, which must
    /// hold `stride` floats; the floats after `v.count` are zeroed.
    /// - Throws: `VecError.dimensionMismatch`, `.nonFiniteComponent`, `.zeroVector` (cosine only).
    @inlinable
    public static func prepare(
        _ v: UnsafeBufferPointer<Float>, dimension: Int, stride: Int, metric: Metric,
        into out: UnsafeMutablePointer<Float>
    ) throws(VecError) {
        guard v.count == dimension else { throw .dimensionMismatch(expected: dimension, got: v.count) }
        var norm2: Float = 0
        for i in 0..<dimension {
            let x = v[i]
            guard x.isFinite else { throw .nonFiniteComponent(index: i) }
            norm2 += x * x
        }
        // A squared norm that overflows means distances between such vectors would be infinite and unordered.
        guard norm2.isFinite else { throw .invalidParameter("vector magnitude too large: its squared norm overflows Float") }
        if metric.normalizes {
            guard norm2 > 0 else { throw .zeroVector }
            let inv = 1 / norm2.squareRoot()
            for i in 0..<dimension { out[i] = v[i] * inv }
        } else {
            out.update(from: v.baseAddress!, count: dimension)
        }
        if stride > dimension { (out + dimension).update(repeating: 0, count: stride - dimension) }
    }

    /// Convenience for arrays: returns the prepared vector padded to `stride`.
    public static func prepared(_ v: [Float], dimension: Int, stride: Int, metric: Metric) throws(VecError) -> [Float] {
        var out = [Float](repeating: 0, count: stride)
        try v.withUnsafeBufferPointer { (src) throws(VecError) in
            try out.withUnsafeMutableBufferPointer { (dst) throws(VecError) in
                try prepare(src, dimension: dimension, stride: stride, metric: metric, into: dst.baseAddress!)
            }
        }
        return out
    }
}
