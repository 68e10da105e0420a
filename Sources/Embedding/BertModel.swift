/// The weights of a BERT encoder, loaded from safetensors into contiguous, pre-packed Float buffers.
///
/// Linear layers are stored as `PackedMatrix` (the transpose of PyTorch's `out × in`, in 16-column panels)
/// so the matmul kernel streams them sequentially. Q, K and V are fused into one `hidden × 3·hidden` matrix
/// (one pass over the activations instead of three), with attention's `1/√headDimension` folded into the Q
/// columns and bias. Immutable after loading: one instance is shared by all threads; per-thread state lives
/// in `BertWorkspace`. The forward pass is in `BertModel+Encode.swift`.
final class BertModel: Sendable {
    struct Layer: Sendable {
        let qkv: PackedMatrix
        let qkvBias: FloatBuffer
        let attentionOutput: PackedMatrix
        let attentionOutputBias: FloatBuffer
        let attentionNormGamma: FloatBuffer
        let attentionNormBeta: FloatBuffer
        let intermediate: PackedMatrix
        let intermediateBias: FloatBuffer
        let output: PackedMatrix
        let outputBias: FloatBuffer
        let outputNormGamma: FloatBuffer
        let outputNormBeta: FloatBuffer
    }

    let configuration: BertConfiguration
    /// `vocabularySize × hidden`, row-major.
    let wordEmbeddings: FloatBuffer
    /// `maxPositions × hidden`, row-major.
    let positionEmbeddings: FloatBuffer
    /// Row 0 of the token-type embeddings (every token is type 0 for single-sequence inputs).
    let tokenTypeEmbedding: FloatBuffer
    let embeddingNormGamma: FloatBuffer
    let embeddingNormBeta: FloatBuffer
    let layers: [Layer]

    /// Loads every tensor the encoder needs, checking names, dtypes (F32) and shapes against `configuration`.
    /// Tensor names may carry a `bert.` prefix (checkpoints saved from `BertForX` models) or not.
    init(file: SafetensorsFile, configuration c: BertConfiguration) throws(SafetensorsError) {
        configuration = c
        let prefix = file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        func t(_ name: String, _ shape: [Int]) throws(SafetensorsError) -> [Float] {
            try file.floats(prefix + name, shape: shape)
        }
        let h = c.hiddenSize, i = c.intermediateSize
        wordEmbeddings = FloatBuffer(try t("embeddings.word_embeddings.weight", [c.vocabularySize, h]))
        positionEmbeddings = FloatBuffer(try t("embeddings.position_embeddings.weight", [c.maxPositions, h]))
        let types = try t("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
        tokenTypeEmbedding = FloatBuffer(Array(types[0..<h]))
        embeddingNormGamma = FloatBuffer(try t("embeddings.LayerNorm.weight", [h]))
        embeddingNormBeta = FloatBuffer(try t("embeddings.LayerNorm.bias", [h]))

        let scale = 1 / Float(c.headDimension).squareRoot()
        var layers: [Layer] = []
        for l in 0..<c.layers {
            let p = "encoder.layer.\(l)."
            let q = try t(p + "attention.self.query.weight", [h, h])
            let k = try t(p + "attention.self.key.weight", [h, h])
            let v = try t(p + "attention.self.value.weight", [h, h])
            let qb = try t(p + "attention.self.query.bias", [h])
            let kb = try t(p + "attention.self.key.bias", [h])
            let vb = try t(p + "attention.self.value.bias", [h])
            // Rows of the fused (3h × h) weight: Q·scale, then K, then V.
            let qkv = q.map { $0 * scale } + k + v
            let qkvBias = qb.map { $0 * scale } + kb + vb
            let ao = try t(p + "attention.output.dense.weight", [h, h])
            let inter = try t(p + "intermediate.dense.weight", [i, h])
            let out = try t(p + "output.dense.weight", [h, i])
            layers.append(Layer(
                qkv: qkv.withUnsafeBufferPointer { PackedMatrix(transposing: $0, out: 3 * h, in: h) },
                qkvBias: FloatBuffer(qkvBias),
                attentionOutput: ao.withUnsafeBufferPointer { PackedMatrix(transposing: $0, out: h, in: h) },
                attentionOutputBias: FloatBuffer(try t(p + "attention.output.dense.bias", [h])),
                attentionNormGamma: FloatBuffer(try t(p + "attention.output.LayerNorm.weight", [h])),
                attentionNormBeta: FloatBuffer(try t(p + "attention.output.LayerNorm.bias", [h])),
                intermediate: inter.withUnsafeBufferPointer { PackedMatrix(transposing: $0, out: i, in: h) },
                intermediateBias: FloatBuffer(try t(p + "intermediate.dense.bias", [i])),
                output: out.withUnsafeBufferPointer { PackedMatrix(transposing: $0, out: h, in: i) },
                outputBias: FloatBuffer(try t(p + "output.dense.bias", [h])),
                outputNormGamma: FloatBuffer(try t(p + "output.LayerNorm.weight", [h])),
                outputNormBeta: FloatBuffer(try t(p + "output.LayerNorm.bias", [h]))))
        }
        self.layers = layers
    }
}
