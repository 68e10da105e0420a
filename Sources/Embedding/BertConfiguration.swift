import Foundation

/// The hyper-parameters of a BERT encoder, from the model's `config.json` (Hugging Face format).
/// all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads of 32, intermediate 1536, GELU, LayerNorm eps 1e-12,
/// 512 positions, vocabulary 30,522.
struct BertConfiguration: Equatable, Sendable {
    var hiddenSize = 384
    var attentionHeads = 12
    var layers = 6
    var intermediateSize = 1536
    var layerNormEpsilon: Float = 1e-12
    var maxPositions = 512
    var vocabularySize = 30522
    var typeVocabularySize = 2

    var headDimension: Int { hiddenSize / attentionHeads }

    /// Checks the shape is one this implementation handles (the SIMD code wants multiples of 16) and is not
    /// absurdly large (the weights file must then match it tensor by tensor).
    func validate() throws(BertConfigurationError) {
        func check(_ ok: Bool, _ why: String) throws(BertConfigurationError) { if !ok { throw .init(reason: why) } }
        try check(hiddenSize > 0 && hiddenSize <= 8192 && hiddenSize % 16 == 0, "hidden_size \(hiddenSize) must be a positive multiple of 16 ≤ 8192")
        try check(attentionHeads > 0 && hiddenSize % attentionHeads == 0, "hidden_size must divide into num_attention_heads")
        try check(headDimension % 16 == 0, "head dimension \(headDimension) must be a multiple of 16")
        try check(layers > 0 && layers <= 128, "num_hidden_layers \(layers) out of range")
        try check(intermediateSize > 0 && intermediateSize <= 65536 && intermediateSize % 16 == 0, "intermediate_size \(intermediateSize) must be a positive multiple of 16")
        try check(layerNormEpsilon > 0 && layerNormEpsilon < 1, "layer_norm_eps out of range")
        try check(maxPositions >= 3 && maxPositions <= 65536, "max_position_embeddings out of range")
        try check(vocabularySize > 0 && vocabularySize <= 1 << 22, "vocab_size out of range")
        try check(typeVocabularySize >= 1 && typeVocabularySize <= 64, "type_vocab_size out of range")
    }

    /// Reads and validates `config.json`.
    static func load(path: String) throws(EmbeddingError) -> BertConfiguration {
        func bad(_ reason: String) -> EmbeddingError { .invalidModel(file: path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: path) else { throw bad("cannot read the file") }
        guard data.count < 1 << 20 else { throw bad("file is larger than 1 MiB") }
        guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw bad("not a JSON object")
        }
        func int(_ key: String, _ d: Int) throws(EmbeddingError) -> Int {
            guard let v = obj[key] else { return d }
            guard let n = v as? NSNumber, let i = Int(exactly: n.doubleValue) else {
                throw bad("\(key) is not an integer")
            }
            return i
        }
        var c = BertConfiguration()
        c.hiddenSize = try int("hidden_size", c.hiddenSize)
        c.attentionHeads = try int("num_attention_heads", c.attentionHeads)
        c.layers = try int("num_hidden_layers", c.layers)
        c.intermediateSize = try int("intermediate_size", c.intermediateSize)
        c.maxPositions = try int("max_position_embeddings", c.maxPositions)
        c.vocabularySize = try int("vocab_size", c.vocabularySize)
        c.typeVocabularySize = try int("type_vocab_size", c.typeVocabularySize)
        if let e = obj["layer_norm_eps"] {
            guard let n = e as? NSNumber else { throw bad("layer_norm_eps is not a number") }
            c.layerNormEpsilon = n.floatValue
        }
        if let act = obj["hidden_act"], act as? String != "gelu" {
            throw bad("hidden_act \(act) is not supported (only exact-erf \"gelu\")")
        }
        if let pos = obj["position_embedding_type"], pos as? String != "absolute" {
            throw bad("position_embedding_type \(pos) is not supported (only \"absolute\")")
        }
        do { try c.validate() } catch { throw bad(error.reason) }
        return c
    }
}

struct BertConfigurationError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
