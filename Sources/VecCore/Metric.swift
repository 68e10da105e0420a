/// The similarity metric of a vector field, in Milvus's terms.
///
/// Internally every index works with a *distance* where smaller is closer:
/// - `.l2`: squared Euclidean distance, `Σ (a_i − b_i)²` (Milvus reports it as is).
/// - `.ip`: `1 − a·b`; the user-facing score is `a·b` (larger is closer).
/// - `.cosine`: vectors are L2-normalised when they are inserted and queries when they are searched, after
///   which cosine similarity equals the inner product; the distance is `1 − a·b` and the score `a·b`.
///   Zero vectors cannot be normalised and are rejected for cosine.
public enum Metric: String, Sendable, CaseIterable, Codable {
    case l2 = "L2"
    case ip = "IP"
    case cosine = "COSINE"

    /// Parses a metric name case-insensitively (`"l2"`, `"IP"`, `"cosine"`).
    /// - Throws: `VecError.unknownMetric` for anything else.
    public init(parsing name: String) throws(VecError) {
        switch name.uppercased() {
        case "L2": self = .l2
        case "IP": self = .ip
        case "COSINE": self = .cosine
        default: throw .unknownMetric(name)
        }
    }

    /// Converts an internal distance to the score users see (Milvus's convention: L2 distance for `.l2`,
    /// similarity for `.ip` and `.cosine`).
    @inlinable
    public func score(fromDistance d: Float) -> Float {
        self == .l2 ? d : 1 - d
    }

    /// Whether vectors must be normalised before they are stored or searched.
    @inlinable
    public var normalizes: Bool { self == .cosine }
}
