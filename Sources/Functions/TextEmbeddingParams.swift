import Shard

/// The `params` a TextEmbedding function may declare, checked against the model this server runs.
///
/// Milvus's TextEmbedding calls a remote provider chosen by `provider` (openai, cohere, …) with a
/// `model_name`; vecnode embeds in process with its one built-in model, so it accepts only parameters that
/// describe that model and refuses the rest, rather than silently embedding with a different model than the
/// schema names:
///
/// | key | accepted values |
/// | --- | --- |
/// | `provider` | `builtin` or `vecnode` (any case) |
/// | `model_name` | `all-MiniLM-L6-v2`, optionally prefixed `sentence-transformers/` (any case) |
/// | `dim` | the model's dimension (384) |
///
/// All are optional.
enum TextEmbeddingParams {
    static let providers: Set<String> = ["builtin", "vecnode"]
    static let modelNames: Set<String> = ["all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"]

    /// Throws the first parameter of `function` that this server cannot honour.
    static func check(_ function: FunctionSchema, dimension: Int) throws(SchemaError) {
        func fail(_ reason: String) -> SchemaError { .invalid(field: nil, reason: "function '\(function.name)': \(reason)") }
        for key in function.params.keys.sorted() {
            let value = function.params[key]!
            switch key.lowercased() {
            case "provider":
                guard providers.contains(value.lowercased()) else {
                    throw fail("provider '\(value)' is not available; vecnode embeds text itself (provider 'builtin')")
                }
            case "model_name":
                guard modelNames.contains(value.lowercased()) else {
                    throw fail("model '\(value)' is not available; vecnode's built-in model is all-MiniLM-L6-v2")
                }
            case "dim":
                guard Int(value) == dimension else {
                    throw fail("dim \(value) does not match the built-in model's \(dimension) dimensions")
                }
            default:
                throw fail("unknown param '\(key)' (a TextEmbedding function accepts provider, model_name and dim)")
            }
        }
    }
}
