/// Scratch buffers for one thread's forward passes, grown on demand and reused, so steady-state embedding
/// allocates nothing but its result. Not thread-safe: each thread (or each in-flight call) owns one;
/// `TextEmbedder` keeps a free list.
final class BertWorkspace: @unchecked Sendable {
    private(set) var tokenCapacity = 0
    private(set) var lengthCapacity = 0
    /// Hidden states, `tokens × hidden`.
    private(set) var hidden = FloatBuffer(count: 0)
    /// Fused Q|K|V projections, `tokens × 3·hidden`.
    private(set) var qkv = FloatBuffer(count: 0)
    /// Attention context (heads concatenated), `tokens × hidden`.
    private(set) var context = FloatBuffer(count: 0)
    /// Feed-forward activations, `tokens × intermediate`.
    private(set) var intermediate = FloatBuffer(count: 0)
    /// One head's attention scores, `length × roundUp16(length)`.
    private(set) var scores = FloatBuffer(count: 0)
    /// One head's keys transposed into 16-wide panels, `headDimension × roundUp16(length)`.
    private(set) var keysTransposed = FloatBuffer(count: 0)

    init() {}

    /// Makes room for `tokens` rows in total and sequences of up to `maxLength` tokens.
    func reserve(tokens: Int, maxLength: Int, configuration c: BertConfiguration) {
        if tokens > tokenCapacity {
            let n = max(tokens, tokenCapacity * 3 / 2)
            hidden = FloatBuffer(count: n * c.hiddenSize)
            qkv = FloatBuffer(count: n * 3 * c.hiddenSize)
            context = FloatBuffer(count: n * c.hiddenSize)
            intermediate = FloatBuffer(count: n * c.intermediateSize)
            tokenCapacity = n
        }
        if maxLength > lengthCapacity {
            let padded = (maxLength + 15) & ~15
            scores = FloatBuffer(count: maxLength * padded)
            keysTransposed = FloatBuffer(count: c.headDimension * padded)
            lengthCapacity = maxLength
        }
    }
}
