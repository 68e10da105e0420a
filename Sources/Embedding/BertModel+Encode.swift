/// The forward pass: token ids of several sequences → one L2-normalised mean-pooled embedding each.
///
/// Sequences are processed as one *ragged* batch: their tokens are stacked row after row (no padding), the
/// dense layers (QKV, attention output, feed-forward) run as single matrix multiplies over all rows, and
/// attention runs per sequence over its own rows only. That is exactly what the padded, masked reference
/// computes for the real tokens (masked keys get weight 0 there), with no work spent on padding.
///
/// Per layer (post-LayerNorm BERT):
///   qkv = x·Wqkv + b;  per head: P = softmax(Q·Kᵀ/√d), ctx = P·V
///   x = LayerNorm(x + ctx·Wo + bo);  x = LayerNorm(x + GELU(x·Wi + bi)·Wo2 + bo2)
/// then mean over each sequence's rows and division by the L2 norm (floored at 1e-12, as the reference).
extension BertModel {
    /// Encodes the sequences whose ids are stacked in `ids` (lengths in `lengths`, each 1...maxPositions) and
    /// writes `lengths.count × hidden` floats to `output`. Runs on the calling thread only.
    func encode(
        ids: UnsafeBufferPointer<Int32>, lengths: UnsafeBufferPointer<Int>, workspace ws: BertWorkspace,
        output: UnsafeMutablePointer<Float>
    ) {
        let c = configuration
        let h = c.hiddenSize, total = ids.count
        var maxLength = 0
        var sum = 0
        for l in lengths {
            precondition(l >= 1 && l <= c.maxPositions, "sequence length \(l) outside 1...\(c.maxPositions)")
            maxLength = max(maxLength, l)
            sum += l
        }
        precondition(sum == total, "lengths do not add up to the id count")
        guard total > 0 else { return }
        ws.reserve(tokens: total, maxLength: maxLength, configuration: c)
        let x = ws.hidden.pointer

        // Embeddings: word + position + token type 0, then LayerNorm.
        var row = 0
        for l in lengths {
            for j in 0..<l {
                let id = Int(ids[row])
                precondition(id >= 0 && id < c.vocabularySize, "token id \(id) outside the vocabulary")
                let dst = x + row * h
                dst.update(from: wordEmbeddings.pointer + id * h, count: h)
                VectorMath.add(positionEmbeddings.pointer + j * h, into: dst, count: h)
                VectorMath.add(tokenTypeEmbedding.pointer, into: dst, count: h)
                VectorMath.layerNormInPlace(dst, count: h, gamma: embeddingNormGamma.pointer,
                                            beta: embeddingNormBeta.pointer, epsilon: c.layerNormEpsilon)
                row += 1
            }
        }

        for layer in layers {
            // Q|K|V for every token.
            MatrixMultiply.multiply(a: x, lda: h, m: total, b: layer.qkv.panels, c: ws.qkv.pointer, ldc: 3 * h,
                                    bias: layer.qkvBias.pointer, accumulate: false)
            var start = 0
            for l in lengths {
                attention(rows: start, length: l, workspace: ws)
                start += l
            }
            // x += ctx·Wo + bo; x = LayerNorm(x)
            MatrixMultiply.multiply(a: ws.context.pointer, lda: h, m: total, b: layer.attentionOutput.panels,
                                    c: x, ldc: h, bias: layer.attentionOutputBias.pointer, accumulate: true)
            for r in 0..<total {
                VectorMath.layerNormInPlace(x + r * h, count: h, gamma: layer.attentionNormGamma.pointer,
                                            beta: layer.attentionNormBeta.pointer, epsilon: c.layerNormEpsilon)
            }
            // Feed-forward: x += GELU(x·Wi + bi)·Wo2 + bo2; x = LayerNorm(x)
            let inter = ws.intermediate.pointer
            MatrixMultiply.multiply(a: x, lda: h, m: total, b: layer.intermediate.panels, c: inter,
                                    ldc: c.intermediateSize, bias: layer.intermediateBias.pointer, accumulate: false)
            VectorMath.geluInPlace(inter, count: total * c.intermediateSize)
            MatrixMultiply.multiply(a: inter, lda: c.intermediateSize, m: total, b: layer.output.panels,
                                    c: x, ldc: h, bias: layer.outputBias.pointer, accumulate: true)
            for r in 0..<total {
                VectorMath.layerNormInPlace(x + r * h, count: h, gamma: layer.outputNormGamma.pointer,
                                            beta: layer.outputNormBeta.pointer, epsilon: c.layerNormEpsilon)
            }
        }

        // Mean pooling and L2 normalisation.
        var start = 0
        for (s, l) in lengths.enumerated() {
            let out = output + s * h
            out.update(from: x + start * h, count: h)
            for r in 1..<l { VectorMath.add(x + (start + r) * h, into: out, count: h) }
            let inv = 1 / Float(l)
            var norm2: Float = 0
            for d in 0..<h {
                out[d] *= inv
                norm2 += out[d] * out[d]
            }
            let scale = 1 / max(norm2.squareRoot(), 1e-12)
            for d in 0..<h { out[d] *= scale }
            start += l
        }
    }

    /// Self-attention of one sequence (rows `rows ..< rows+length` of the workspace), all heads, writing the
    /// concatenated head outputs into `workspace.context`. The 1/√d scale is already folded into Q.
    private func attention(rows r0: Int, length l: Int, workspace ws: BertWorkspace) {
        let c = configuration
        let h = c.hiddenSize, hd = c.headDimension, stride = 3 * h
        let padded = (l + 15) & ~15
        let kt = ws.keysTransposed.pointer
        let scores = ws.scores.pointer
        let base = ws.qkv.pointer + r0 * stride
        for head in 0..<c.attentionHeads {
            // Kᵀ for this head in 16-key panels: panel p, row d, lane j = K[16p + j][d]; padding lanes are 0.
            for p in 0..<(padded / 16) {
                let panel = kt + p * hd * 16
                for j in 0..<16 {
                    let key = p * 16 + j
                    if key < l {
                        let src = base + key * stride + h + head * hd
                        for d in 0..<hd { panel[d * 16 + j] = src[d] }
                    } else {
                        for d in 0..<hd { panel[d * 16 + j] = 0 }
                    }
                }
            }
            // S = Q·Kᵀ (scaled via Q), then softmax row by row.
            let keys = PanelMatrix(base: UnsafePointer(kt), rows: hd, columns: l, rowStride: 16, panelStride: hd * 16)
            MatrixMultiply.multiply(a: base + head * hd, lda: stride, m: l, b: keys, c: scores, ldc: padded,
                                    bias: nil, accumulate: false)
            VectorMath.softmaxRows(scores, rows: l, count: l, stride: padded)
            // ctx = P·V, V read in place (row stride 3h) as 16-column panels.
            let values = PanelMatrix(base: UnsafePointer(base + 2 * h + head * hd), rows: l, columns: hd,
                                     rowStride: stride, panelStride: 16)
            MatrixMultiply.multiply(a: scores, lda: padded, m: l, b: values,
                                    c: ws.context.pointer + r0 * h + head * hd, ldc: h, bias: nil, accumulate: false)
        }
    }
}
