/// The embeddings of a search's texts, ready to search the function's output field with.
public struct QueryEmbeddings: Sendable, Equatable {
    /// The vector field the texts were embedded for (the TextEmbedding function's output).
    public var field: String
    /// Floats per vector (384).
    public var dimension: Int
    /// `count × dimension` floats, row-major, in the order of the texts (the layout of
    /// `SearchRequest.Queries.vectors`).
    public var vectors: [Float]
    /// Per text: true if it was longer than the model's limit and only its beginning was embedded.
    public var truncated: [Bool]

    public init(field: String, dimension: Int, vectors: [Float], truncated: [Bool]) {
        self.field = field
        self.dimension = dimension
        self.vectors = vectors
        self.truncated = truncated
    }

    /// Number of texts.
    public var count: Int { truncated.count }
}
