/// Errors of the vector engine (VecCore, the flat and HNSW indexes). Every case is the caller's fault unless
/// noted, and the description says what to change.
public enum VecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A vector's length differs from the index dimension.
    case dimensionMismatch(expected: Int, got: Int)
    /// A vector holds NaN or ±infinity at `index`.
    case nonFiniteComponent(index: Int)
    /// A zero vector was given where the metric needs a direction (cosine).
    case zeroVector
    /// A dimension outside the supported range.
    case invalidDimension(Int)
    /// The metric name is not one of L2, IP, COSINE.
    case unknownMetric(String)
    /// `k` must be at least 1.
    case invalidK(Int)
    /// `ef` must be at least `k`.
    case efBelowK(ef: Int, k: Int)
    /// An index parameter is out of range; the message names the parameter and the allowed range.
    case invalidParameter(String)
    /// The index holds no live vectors, so there is nothing to search.
    case emptyIndex
    /// The external id is already present.
    case duplicateID(Int64)
    /// The external id is not present.
    case unknownID(Int64)
    /// A filter bitset does not cover the index's slots.
    case filterSizeMismatch(expected: Int, got: Int)
    /// A file could not be read or written (the system error text is included).
    case io(path: String, reason: String)
    /// A file's content is malformed: wrong magic, version, size or checksum. Not retriable; rebuild or
    /// restore the file.
    case corruptFile(path: String, reason: String)

    public var description: String {
        switch self {
        case let .dimensionMismatch(e, g): return "vector has dimension \(g), but the index has dimension \(e)"
        case let .nonFiniteComponent(i): return "vector component \(i) is NaN or infinite; only finite values are accepted"
        case .zeroVector: return "zero vector cannot be normalised for the COSINE metric"
        case let .invalidDimension(d): return "dimension \(d) is out of range 1...\(VectorLimits.maxDimension)"
        case let .unknownMetric(m): return "unknown metric '\(m)'; use L2, IP or COSINE"
        case let .invalidK(k): return "k must be at least 1 (got \(k))"
        case let .efBelowK(ef, k): return "ef (\(ef)) must be at least k (\(k))"
        case let .invalidParameter(m): return m
        case .emptyIndex: return "the index is empty; insert vectors before searching"
        case let .duplicateID(id): return "id \(id) is already in the index"
        case let .unknownID(id): return "id \(id) is not in the index"
        case let .filterSizeMismatch(e, g): return "filter covers \(g) slots, but the index has \(e)"
        case let .io(p, r): return "\(p): \(r)"
        case let .corruptFile(p, r): return "\(p): corrupt or incompatible file: \(r)"
        }
    }
}

/// Limits of the vector engine, explicit so that callers can validate early and document them.
public enum VectorLimits {
    /// Largest supported dimension (Milvus's limit).
    public static let maxDimension = 32_768
    /// Largest `k` (top-K) a search may ask for (Milvus's limit).
    public static let maxK = 16_384
}
