import Foundation
import Synchronization
import VecCore

/// Turns text into all-MiniLM-L6-v2 sentence embeddings (384 floats, unit length), natively: our own
/// WordPiece tokenizer, safetensors reader and BERT encoder over a SIMD matrix-multiply kernel. No Python,
/// no network at run time; the model files come from `scripts/fetch-model.sh`.
///
/// Results match sentence-transformers (`SentenceTransformer("all-MiniLM-L6-v2").encode(…,
/// normalize_embeddings=True)`): identical token ids, cosine ≥ 0.9999 (in practice ≈ 1 − 10⁻⁷).
///
/// Threading: a `TextEmbedder` is immutable and thread-safe. `embed(_:)` runs on the calling thread
/// (≈ 4 ms for a short query on one core here); `embed(batch:)` spreads the batch over the calling thread
/// plus this embedder's own dedicated worker threads (a `VecCore.WorkerPool`) and returns when all are done.
/// Both are CPU-bound synchronous calls: do not make them from Swift's cooperative pool (an `async`
/// function) in a server — call them from a dedicated thread or executor, or the pool's threads (one per
/// core) starve every other task.
///
/// Limits: English-centred uncased vocabulary (CJK ideographs map to single-character tokens, most emoji
/// to `[UNK]`); texts are cut at 256 tokens (`truncated` says so); float32 throughout.
public final class TextEmbedder: Sendable {
    /// The files a model directory must contain.
    public static let requiredFiles = ["config.json", "tokenizer.json", "model.safetensors"]
    /// The default maximum tokens per text, including `[CLS]`/`[SEP]` (sentence-transformers' max_seq_length).
    public static let defaultMaxTokens = 256

    /// Floats per embedding (384).
    public let dimension: Int
    /// Maximum token ids per text, including `[CLS]` and `[SEP]`; longer texts are truncated.
    public let maxTokens: Int
    /// Threads used by `embed(batch:)`, the calling thread included.
    public var batchThreads: Int { pool.threadCount }

    let tokenizer: WordPieceTokenizer
    let model: BertModel
    private let pool: WorkerPool
    private let workspaces = Mutex<[BertWorkspace]>([])
    /// Tokens per work item of a batch: enough rows to amortise streaming the weights, small enough that one
    /// item's activations (~14 KiB per token) stay near the core's L2.
    static let chunkTokens = 192

    /// Loads the model from `modelDirectory` (the directory `scripts/fetch-model.sh` fills:
    /// config.json, tokenizer.json, model.safetensors).
    /// - Parameters:
    ///   - threads: threads for `embed(batch:)`, the caller included (default: the number of active cores);
    ///     the embedder starts `threads − 1` dedicated threads.
    ///   - maxTokens: token limit per text, 3…max_position_embeddings (default 256).
    /// - Throws: `EmbeddingError.modelNotFound` (naming `scripts/fetch-model.sh`) if a file is missing,
    ///   `.invalidModel` if one is corrupt or describes a model this code does not implement.
    public init(modelDirectory: String, threads: Int? = nil, maxTokens: Int = TextEmbedder.defaultMaxTokens)
        throws(EmbeddingError)
    {
        let dir = modelDirectory.hasSuffix("/") ? String(modelDirectory.dropLast()) : modelDirectory
        for f in Self.requiredFiles where !FileManager.default.fileExists(atPath: dir + "/" + f) {
            throw .modelNotFound(directory: dir, missingFile: f)
        }
        let config = try BertConfiguration.load(path: dir + "/config.json")
        guard maxTokens >= 3 && maxTokens <= config.maxPositions else {
            throw .invalidModel(file: dir + "/config.json",
                                reason: "maxTokens \(maxTokens) is outside 3...\(config.maxPositions) positions")
        }
        let tokenizer = try WordPieceTokenizer.load(tokenizerJSON: dir + "/tokenizer.json", maxLength: maxTokens)
        guard tokenizer.vocabulary.count <= config.vocabularySize else {
            throw .invalidModel(file: dir + "/tokenizer.json", reason: "vocabulary has \(tokenizer.vocabulary.count) "
                + "tokens but the model only \(config.vocabularySize) embeddings")
        }
        let weightsPath = dir + "/model.safetensors"
        do {
            let file = try SafetensorsFile(path: weightsPath)
            model = try BertModel(file: file, configuration: config)
        } catch {
            throw .invalidModel(file: weightsPath, reason: error.description)
        }
        self.tokenizer = tokenizer
        self.dimension = config.hiddenSize
        self.maxTokens = maxTokens
        self.pool = WorkerPool(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    deinit { pool.shutdown() }  // the pool's threads hold it; this stops them

    // MARK: tokenizing

    /// The token ids the model sees for `text` (`[CLS] … [SEP]`) and whether it was truncated.
    /// - Throws: `EmbeddingError.emptyText` if the text yields no tokens (empty, or only whitespace/control).
    public func tokenize(_ text: String) throws(EmbeddingError) -> Tokenization {
        try tokenize(text, index: nil)
    }

    /// `tokenize(_:)` for raw bytes, which must be valid UTF-8 (`EmbeddingError.invalidUTF8` otherwise).
    public func tokenize(utf8 bytes: some Collection<UInt8>) throws(EmbeddingError) -> Tokenization {
        try tokenize(try Self.decode(bytes, index: nil), index: nil)
    }

    private func tokenize(_ text: String, index: Int?) throws(EmbeddingError) -> Tokenization {
        let t = tokenizer.encode(text)
        guard t.wordPieceCount > 0 else { throw .emptyText(index: index) }
        return t
    }

    // MARK: embedding

    /// Embeds one text on the calling thread.
    /// - Throws: `EmbeddingError.emptyText` for a text without tokens. Over-long texts are not an error:
    ///   they are truncated and the result's `truncated` is true.
    public func embed(_ text: String) throws(EmbeddingError) -> TextEmbedding {
        let t = try tokenize(text, index: nil)
        var vector = [Float](repeating: 0, count: dimension)
        let ws = takeWorkspace()
        t.ids.withUnsafeBufferPointer { ids in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 1) { lengths in
                lengths[0] = ids.count
                vector.withUnsafeMutableBufferPointer { out in
                    model.encode(ids: ids, lengths: UnsafeBufferPointer(lengths), workspace: ws, output: out.baseAddress!)
                }
            }
        }
        returnWorkspace(ws)
        return TextEmbedding(vector: vector, tokenCount: t.ids.count, truncated: t.truncated)
    }

    /// Embeds raw bytes (e.g. an HTTP body), which must be valid UTF-8.
    /// - Throws: `EmbeddingError.invalidUTF8` with the offset of the first bad byte, or `.emptyText`.
    public func embed(utf8 bytes: some Collection<UInt8>) throws(EmbeddingError) -> TextEmbedding {
        try embed(try Self.decode(bytes, index: nil))
    }

    /// Embeds many texts on the calling thread and the worker threads; results in input order, one
    /// contiguous buffer.
    ///
    /// Texts are tokenized, sorted by length and packed into work items of about `chunkTokens` tokens
    /// (a ragged batch: no padding), which the workers take from a shared counter.
    /// - Throws: `EmbeddingError.emptyText(index:)` naming the first text without tokens; nothing is embedded then.
    public func embed(batch texts: [String]) throws(EmbeddingError) -> EmbeddingBatch {
        var tokenizations: [Tokenization] = []
        tokenizations.reserveCapacity(texts.count)
        for (i, text) in texts.enumerated() { tokenizations.append(try tokenize(text, index: i)) }
        return embed(tokenizations: tokenizations)
    }

    /// `embed(batch:)` for raw UTF-8 byte strings.
    /// - Throws: `EmbeddingError.invalidUTF8(index:byteOffset:)` or `.emptyText(index:)` for the first bad item.
    public func embed(utf8Batch items: [some Collection<UInt8>]) throws(EmbeddingError) -> EmbeddingBatch {
        var tokenizations: [Tokenization] = []
        tokenizations.reserveCapacity(items.count)
        for (i, bytes) in items.enumerated() {
            tokenizations.append(try tokenize(try Self.decode(bytes, index: i), index: i))
        }
        return embed(tokenizations: tokenizations)
    }

    private func embed(tokenizations: [Tokenization]) -> EmbeddingBatch {
        let n = tokenizations.count
        let d = dimension
        var vectors = [Float](repeating: 0, count: n * d)
        let tokenCounts = tokenizations.map { $0.ids.count }
        let truncated = tokenizations.map(\.truncated)
        if n == 0 { return EmbeddingBatch(dimension: d, vectors: [], tokenCounts: [], truncated: []) }

        // Work items: runs of texts sorted by length, ~chunkTokens tokens each.
        let order = (0..<n).sorted { tokenCounts[$0] < tokenCounts[$1] }
        var chunks: [Range<Int>] = []  // ranges into `order`
        var start = 0, tokens = 0
        for (pos, i) in order.enumerated() {
            if pos > start && tokens + tokenCounts[i] > Self.chunkTokens {
                chunks.append(start..<pos)
                start = pos
                tokens = 0
            }
            tokens += tokenCounts[i]
        }
        chunks.append(start..<n)

        let job = BatchJob(tokenizations: tokenizations, order: order, chunks: chunks, dimension: d)
        let threads = min(pool.threadCount, chunks.count)
        let spaces = (0..<threads).map { _ in takeWorkspace() }
        vectors.withUnsafeMutableBufferPointer { out in
            let output = out.baseAddress!
            if threads == 1 {
                job.work(model: model, workspace: spaces[0], output: output)
            } else {
                // Worker 0 is this thread; the pool's other threads are dedicated ones.
                pool.runOnAll { worker in
                    if worker < threads { job.work(model: model, workspace: spaces[worker], output: output) }
                }
            }
        }
        for ws in spaces { returnWorkspace(ws) }
        return EmbeddingBatch(dimension: d, vectors: vectors, tokenCounts: tokenCounts, truncated: truncated)
    }

    // MARK: helpers

    private func takeWorkspace() -> BertWorkspace {
        workspaces.withLock { $0.popLast() } ?? BertWorkspace()
    }

    private func returnWorkspace(_ ws: BertWorkspace) {
        workspaces.withLock { list in
            // Keep a few (one per thread that embeds concurrently); extra ones are freed.
            if list.count < pool.threadCount + 2 { list.append(ws) }
        }
    }

    /// Validates UTF-8, reporting the offset of the first invalid sequence.
    static func decode(_ bytes: some Collection<UInt8>, index: Int?) throws(EmbeddingError) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        var parser = Unicode.UTF8.ForwardParser()
        var it = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &it) {
            case .valid(let encoded): offset += encoded.count
            case .error: throw .invalidUTF8(index: index, byteOffset: offset)
            case .emptyInput: throw .invalidUTF8(index: index, byteOffset: offset)  // unreachable: validation failed
            }
        }
    }
}

/// Shared, read-only description of one `embed(batch:)` call, plus the counter workers take items from.
private final class BatchJob: Sendable {
    let tokenizations: [Tokenization]
    let order: [Int]
    let chunks: [Range<Int>]
    let dimension: Int
    let next = Atomic<Int>(0)

    init(tokenizations: [Tokenization], order: [Int], chunks: [Range<Int>], dimension: Int) {
        self.tokenizations = tokenizations
        self.order = order
        self.chunks = chunks
        self.dimension = dimension
    }

    /// Takes work items until none are left; writes each text's vector to its row of `output`.
    func work(model: BertModel, workspace: BertWorkspace, output: UnsafeMutablePointer<Float>) {
        var ids: [Int32] = []
        var lengths: [Int] = []
        var result: [Float] = []
        while true {
            let c = next.add(1, ordering: .relaxed).oldValue
            guard c < chunks.count else { return }
            ids.removeAll(keepingCapacity: true)
            lengths.removeAll(keepingCapacity: true)
            for pos in chunks[c] {
                let t = tokenizations[order[pos]]
                ids.append(contentsOf: t.ids)
                lengths.append(t.ids.count)
            }
            result = [Float](repeating: 0, count: lengths.count * dimension)
            ids.withUnsafeBufferPointer { idp in
                lengths.withUnsafeBufferPointer { lp in
                    result.withUnsafeMutableBufferPointer { rp in
                        model.encode(ids: idp, lengths: lp, workspace: workspace, output: rp.baseAddress!)
                    }
                }
            }
            for (k, pos) in chunks[c].enumerated() {
                let row = output + order[pos] * dimension
                result.withUnsafeBufferPointer { row.update(from: $0.baseAddress! + k * dimension, count: dimension) }
            }
        }
    }
}
