import API
import Shard

/// Text embedding for the proxy: turns search texts into query vectors and fills the vector fields that a
/// collection's `TextEmbedding` functions derive from text fields. The proxy takes one optionally at
/// init; without it, texts are refused with 1100 "no embedding model loaded".
public protocol ProxyEmbedding: Sendable {
    /// Embeds `texts` for a search of `function`'s output field: `texts.count × dimension` floats,
    /// row-major, where `dimension` is the output field's dimension, and which texts the model truncated.
    func embedQueries(_ texts: [String], function: CollectionFunction, schema: CollectionSchema) async throws -> EmbeddedQueries

    /// Sets `function`'s output vector field in every row from its input text field (rows that already
    /// carry the output field keep it).
    func fillEmbeddings(_ rows: inout [[String: FieldValue]], function: CollectionFunction, schema: CollectionSchema) async throws
}

/// Query vectors from ``ProxyEmbedding/embedQueries(_:function:schema:)``.
public struct EmbeddedQueries: Sendable, Equatable {
    /// `texts.count × dimension` floats, row-major.
    public var vectors: [Float]
    /// Per text: whether it was longer than the model's token limit and embedded from its beginning only.
    public var truncated: [Bool]

    public init(vectors: [Float], truncated: [Bool]) {
        self.vectors = vectors
        self.truncated = truncated
    }
}
