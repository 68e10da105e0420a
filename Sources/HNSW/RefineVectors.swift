import VecCore

/// Full-precision vectors that a quantised index re-ranks its best candidates with, addressed by external id:
/// id `i` is row `i` of a row-major `[Float]` of `rows × dimension` (unnormalised, as inserted).
///
/// The array is shared copy-on-write with its owner (a segment's vector column, a benchmark's data set), so
/// attaching it costs no memory: the quantised index itself keeps only one byte per component.
public final class RefineVectors: @unchecked Sendable {
    public let values: [Float]
    public let dimension: Int
    public let rows: Int

    /// - Throws: `VecError.dimensionMismatch` unless `values.count` is a multiple of `dimension`.
    public init(values: [Float], dimension: Int) throws(VecError) {
        guard dimension >= 1, values.count % dimension == 0 else {
            throw .dimensionMismatch(expected: dimension, got: dimension >= 1 ? values.count % dimension : 0)
        }
        self.values = values
        self.dimension = dimension
        self.rows = values.count / dimension
    }
}
