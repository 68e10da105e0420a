import API
import Shard

/// Text embedding for the proxy: turns search texts into query vectors and fills the vector fields that a
/// collection's `TextEmbedding` functions derive from text fields. The proxy takes one optionally at
/// init; without it, texts are refused with 1100 "no embedding model loaded".
public protocol ProxyEmbedding: Sendable {
    /// Embeds `texts` for a search of `function`'s output field: `texts.count × dimension` floats,
    /// row-major, where `dimension` is the output field's dimension.
    func embedQueries(_ texts: [String], function: CollectionFunction, schema: CollectionSchema) async throws -> [Float]

    /// Sets `function`'s output vector field in every row from its input text field (rows that already
    /// carry the output field keep it).
    func fillEmbeddings(_ rows: inout [[String: FieldValue]], function: CollectionFunction, schema: CollectionSchema) async throws
}
