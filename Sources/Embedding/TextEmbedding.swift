/// The embedding of one text: a unit-length vector (inner product = cosine similarity) and how it was made.
public struct TextEmbedding: Sendable, Equatable {
    /// `dimension` floats (384 for all-MiniLM-L6-v2), L2 norm 1.
    public var vector: [Float]
    /// Token ids fed to the model, including `[CLS]` and `[SEP]`.
    public var tokenCount: Int
    /// True when the text was longer than the model's limit and only its beginning was embedded.
    public var truncated: Bool

    public init(vector: [Float], tokenCount: Int, truncated: Bool) {
        self.vector = vector
        self.tokenCount = tokenCount
        self.truncated = truncated
    }
}

/// The embeddings of a batch of texts in one contiguous buffer (row `i` = text `i`), in input order.
public struct EmbeddingBatch: Sendable, Equatable {
    /// Floats per vector.
    public let dimension: Int
    /// `count × dimension` floats, row-major.
    public let vectors: [Float]
    /// Tokens per text, including `[CLS]` and `[SEP]`.
    public let tokenCounts: [Int]
    /// Per text: whether it was truncated to the model's limit.
    public let truncated: [Bool]

    public init(dimension: Int, vectors: [Float], tokenCounts: [Int], truncated: [Bool]) {
        precondition(vectors.count == dimension * tokenCounts.count && truncated.count == tokenCounts.count)
        self.dimension = dimension
        self.vectors = vectors
        self.tokenCounts = tokenCounts
        self.truncated = truncated
    }

    /// Number of texts.
    public var count: Int { tokenCounts.count }

    /// The vector of text `i` (a view into `vectors`, no copy).
    public subscript(i: Int) -> ArraySlice<Float> {
        vectors[(i * dimension)..<((i + 1) * dimension)]
    }
}
