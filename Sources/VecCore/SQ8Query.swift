/// A query prepared for distances to SQ8 codes.
///
/// For a decoded vector `x̂_i = min_i + c_i · s_i`, the inner product is `q·x̂ = Σ q_i·min_i + Σ (q_i·s_i)·c_i`:
/// a constant plus the dot product of per-query weights `w_i = q_i·s_i` with the raw bytes. So one kernel
/// (`SQ8Kernels.dot`) serves every metric:
/// - IP / COSINE (vectors normalised beforehand): `1 − (bias + w·c)`;
/// - L2: `‖q‖² + ‖x̂‖² − 2(bias + w·c)`, with `‖x̂‖²` stored once per vector by the index.
/// The distances are exactly those between the float query and the decoded vector (up to rounding).
/// One per search thread (it owns scratch memory); not thread-safe.
public final class SQ8Query: @unchecked Sendable {
    /// Weights, `codeStride` floats (zero past the dimension).
    public let weights: UnsafeMutablePointer<Float>
    /// `Σ q_i·min_i`.
    public private(set) var bias: Float = 0
    /// `‖q‖²`.
    public private(set) var squaredNorm: Float = 0
    public let codeStride: Int
    public let isL2: Bool

    /// Allocates weights for `quantizer`'s stride; call `prepare` before each query.
    public init(quantizer: SQ8Quantizer, metric: Metric) {
        codeStride = quantizer.codeStride
        isL2 = metric == .l2
        weights = .allocate(capacity: codeStride)
        weights.initialize(repeating: 0, count: codeStride)
    }

    deinit { weights.deallocate() }

    /// Folds `q` (`dimension` floats, already prepared: normalised for COSINE) into the weights.
    public func prepare(_ q: UnsafePointer<Float>, quantizer: SQ8Quantizer) {
        var b: Float = 0, n: Float = 0
        for i in 0..<quantizer.dimension {
            let x = q[i]
            weights[i] = x * quantizer.scale[i]
            b += x * quantizer.minimum[i]
            n += x * x
        }
        bias = b
        squaredNorm = n
    }

    /// The distance to one code whose decoded squared norm is `codeNorm` (ignored unless L2).
    @inlinable @inline(__always)
    public func distance(_ code: UnsafePointer<UInt8>, codeNorm: Float) -> Float {
        let ip = bias + SQ8Kernels.dot(weights, code, codeStride)
        return isL2 ? squaredNorm + codeNorm - 2 * ip : 1 - ip
    }

    /// Distances to four codes (norms packed in `norms`, ignored unless L2).
    @inlinable @inline(__always)
    public func distance4(_ c0: UnsafePointer<UInt8>, _ c1: UnsafePointer<UInt8>, _ c2: UnsafePointer<UInt8>,
                          _ c3: UnsafePointer<UInt8>, norms: SIMD4<Float>) -> SIMD4<Float> {
        let ip = bias + SQ8Kernels.dot4(weights, c0, c1, c2, c3, codeStride)
        return isL2 ? (squaredNorm + norms) - 2 * ip : 1 - ip
    }
}
