/// Per-dimension 8-bit scalar quantisation (SQ8): each component `x_i` is stored as one byte
/// `c_i = round((x_i − min_i) / scale_i)`, `scale_i = (max_i − min_i) / 255`, with `min_i` and `max_i` learned from
/// training vectors. Decoding gives `min_i + c_i · scale_i`, so a component inside the trained range comes back
/// within `scale_i / 2` of its value; components outside are clamped to the range. Vectors take a quarter of the
/// memory of `Float` storage.
///
/// Codes are laid out with `codeStride` bytes per vector (the dimension rounded up to 16, zero-padded) so the
/// kernels in `SQ8Kernels` run whole SIMD blocks. Distances between a float query and codes go through
/// `SQ8Query`, which folds the per-dimension scale and offset into per-query weights.
public struct SQ8Quantizer: Sendable, Equatable {
    /// The logical dimension.
    public let dimension: Int
    /// Bytes per code (dimension rounded up to 16).
    public let codeStride: Int
    /// Per-dimension offset (the trained minimum).
    public let minimum: [Float]
    /// Per-dimension step (`(max − min) / 255`; 0 for a dimension that was constant in training).
    public let scale: [Float]

    /// A quantiser with explicit ranges (e.g. read from a file).
    /// - Throws: `VecError.invalidDimension`, `.invalidParameter` when the arrays do not have `dimension`
    ///   entries, hold non-finite values or a negative scale.
    public init(dimension: Int, minimum: [Float], scale: [Float]) throws(VecError) {
        guard dimension >= 1, dimension <= VectorLimits.maxDimension else { throw .invalidDimension(dimension) }
        guard minimum.count == dimension, scale.count == dimension else {
            throw .invalidParameter("SQ8 ranges hold \(minimum.count) offsets and \(scale.count) scales for dimension \(dimension)")
        }
        for i in 0..<dimension {
            guard minimum[i].isFinite, scale[i].isFinite, scale[i] >= 0, (minimum[i] + 255 * scale[i]).isFinite else {
                throw .invalidParameter("SQ8 range of dimension \(i) is not finite or has a negative scale")
            }
        }
        self.dimension = dimension
        self.codeStride = (dimension + 15) & ~15
        self.minimum = minimum
        self.scale = scale
    }

    /// Learns the per-dimension ranges from `count` vectors at `rows`, `rowStride` floats apart (the first
    /// `dimension` of each are used). Vectors must be finite (callers pass prepared vectors).
    /// - Throws: `VecError.invalidDimension`, `.invalidParameter` when `count` is 0.
    public static func train(rows: UnsafePointer<Float>, count: Int, rowStride: Int, dimension: Int) throws(VecError) -> SQ8Quantizer {
        guard count >= 1 else { throw .invalidParameter("SQ8 training needs at least one vector") }
        var lo = [Float](repeating: .infinity, count: dimension)
        var hi = [Float](repeating: -.infinity, count: dimension)
        for r in 0..<count {
            let p = rows + r * rowStride
            for i in 0..<dimension {
                let x = p[i]
                if x < lo[i] { lo[i] = x }
                if x > hi[i] { hi[i] = x }
            }
        }
        var scale = [Float](repeating: 0, count: dimension)
        for i in 0..<dimension { scale[i] = max(0, (hi[i] - lo[i]) / 255) }
        return try SQ8Quantizer(dimension: dimension, minimum: lo, scale: scale)
    }

    /// Writes the `codeStride`-byte code of `v` (`dimension` floats) to `code`; padding bytes are 0.
    public func encode(_ v: UnsafePointer<Float>, into code: UnsafeMutablePointer<UInt8>) {
        minimum.withUnsafeBufferPointer { lo in
            scale.withUnsafeBufferPointer { sc in
                for i in 0..<dimension {
                    let s = sc[i]
                    guard s > 0 else { code[i] = 0; continue }
                    let t = ((v[i] - lo[i]) / s).rounded()
                    code[i] = UInt8(min(255, max(0, t)))
                }
            }
        }
        if codeStride > dimension { (code + dimension).update(repeating: 0, count: codeStride - dimension) }
    }

    /// Writes the `dimension` decoded floats of `code` to `out`.
    public func decode(_ code: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<Float>) {
        for i in 0..<dimension { out[i] = minimum[i] + Float(code[i]) * scale[i] }
    }

    /// Squared norm of the decoded vector (the L2 distance needs it once per stored vector).
    public func decodedSquaredNorm(_ code: UnsafePointer<UInt8>) -> Float {
        var s: Float = 0
        for i in 0..<dimension {
            let x = minimum[i] + Float(code[i]) * scale[i]
            s += x * x
        }
        return s
    }

    /// The largest decoding error of dimension `i` for a value inside the trained range: half a step.
    public func maximumError(dimension i: Int) -> Float { scale[i] / 2 }
}
