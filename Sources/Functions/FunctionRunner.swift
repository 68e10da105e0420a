import Embedding
import Runtime
import Shard

/// Runs a collection's schema functions (``Shard/FunctionSchema``) for the proxy: it computes the vectors
/// of inserted rows that carry text, and the vectors of search texts, with the built-in all-MiniLM-L6-v2
/// model (module `Embedding`).
///
/// ```swift
/// let runner = try FunctionRunner.load(modelDirectory: "models/all-MiniLM-L6-v2")
/// try runner.validate(schema)                              // at collections/create: params and dimension
/// let report = try await runner.fill(rows: &rows, schema: schema)    // before RowBatch(schema:rows:)
/// let q = try await runner.embedQueries(["machine learning"], schema: schema, field: nil)
/// // search q.field with q.vectors; tell the client about report.truncatedRows / q.truncated
/// ```
///
/// Threads: the model's forward pass is CPU-bound (≈ 4 ms per short query, more per batch), so both async
/// methods hop to this runner's ``executor`` (dedicated threads, never Swift's cooperative pool) and run
/// the embedder there; a batch also uses the embedder's own worker threads. Search texts go through an LRU
/// ``EmbeddingCache`` (frequent queries cost a lookup); inserted texts do not, so bulk loads cannot evict the
/// queries.
///
/// Lifetime: the runner keeps its threads until ``shutdown()``.
public final class FunctionRunner: Sendable {
    /// The embedding model (immutable, shared).
    public let embedder: TextEmbedder
    /// Query-embedding cache (search texts only).
    public let cache: EmbeddingCache
    /// Where embedding runs.
    public let executor: CPUExecutor
    private let ownsExecutor: Bool

    /// Default number of cached query embeddings (~1.6 KB each plus the text).
    public static let defaultCacheCapacity = 10_000

    /// Floats per vector the model produces (384): the dimension every TextEmbedding output field must have.
    public var dimension: Int { embedder.dimension }

    /// A runner over an existing embedder, cache and executor (the caller owns and shuts down the executor).
    public init(embedder: TextEmbedder, cache: EmbeddingCache, executor: CPUExecutor) {
        self.embedder = embedder
        self.cache = cache
        self.executor = executor
        self.ownsExecutor = false
    }

    private init(embedder: TextEmbedder, cache: EmbeddingCache, ownedExecutor: CPUExecutor) {
        self.embedder = embedder
        self.cache = cache
        self.executor = ownedExecutor
        self.ownsExecutor = true
    }

    /// Loads the model from `modelDirectory` (where `scripts/fetch-model.sh` puts it) and starts the runner's
    /// own threads: `threads` executor threads (default: one per core, so concurrent searches embed in
    /// parallel) beside the embedder's batch workers.
    /// - Throws: ``FunctionError/modelUnavailable(_:)`` when a model file is missing or unusable (the message
    ///   says to run `scripts/fetch-model.sh`), ``FunctionError/threadsUnavailable(_:)`` if threads cannot start.
    public static func load(
        modelDirectory: String, cacheCapacity: Int = defaultCacheCapacity, threads: Int? = nil
    ) throws(FunctionError) -> FunctionRunner {
        let embedder: TextEmbedder
        do {
            embedder = try TextEmbedder(modelDirectory: modelDirectory, threads: threads)
        } catch {
            throw .modelUnavailable(error)
        }
        let executor: CPUExecutor
        do {
            executor = try CPUExecutor(name: "embed", threads: max(1, embedder.batchThreads))
        } catch {
            throw .threadsUnavailable(error.description)
        }
        return FunctionRunner(embedder: embedder, cache: EmbeddingCache(capacity: max(1, cacheCapacity)), ownedExecutor: executor)
    }

    /// Stops the threads this runner started (none if it was given an executor). The runner must not be used
    /// afterwards.
    public func shutdown() {
        if ownsExecutor { executor.shutdown() }
    }

    // MARK: schema

    /// Checks a collection's functions against this server: the schema's own rules, every TextEmbedding
    /// output field of the model's ``dimension``, and only parameters the built-in model can honour
    /// (`provider` builtin, `model_name` all-MiniLM-L6-v2, `dim` 384). Call it when a collection is created.
    public func validate(_ schema: CollectionSchema) throws(SchemaError) {
        try schema.validate(textEmbeddingDimension: dimension)
        for fn in schema.textEmbeddingFunctions { try TextEmbeddingParams.check(fn, dimension: dimension) }
    }

    // MARK: inserts

    /// Computes the output vector of every row for every TextEmbedding function of `schema`, in place
    /// (`rows[i][output] = .floatVector(…)`), one batch per function on the runner's threads. Call it before
    /// building the `RowBatch`; a schema without functions returns at once.
    ///
    /// All or nothing: if any row is refused, `rows` is left unchanged.
    /// - Throws: ``FunctionError/outputProvided(function:field:row:)`` if a row carries an output field,
    ///   ``FunctionError/missingInput(function:field:row:)``, ``FunctionError/inputNotText(function:field:row:kind:)``
    ///   or ``FunctionError/emptyText(function:field:row:)`` for the first bad row.
    @discardableResult
    public func fill(rows: inout [[String: FieldValue]], schema: CollectionSchema) async throws(FunctionError) -> FillReport {
        let functions = schema.textEmbeddingFunctions
        guard !functions.isEmpty, !rows.isEmpty else { return FillReport() }
        // Check every row and gather the texts before embedding anything.
        var texts: [[String]] = []
        for fn in functions {
            let input = fn.inputFieldName, output = fn.outputFieldName
            var list: [String] = []
            list.reserveCapacity(rows.count)
            for (i, row) in rows.enumerated() {
                if row[output] != nil { throw .outputProvided(function: fn.name, field: output, row: i) }
                switch row[input] {
                case .string(let s)?: list.append(s)
                case nil, .null?: throw .missingInput(function: fn.name, field: input, row: i)
                case let other?: throw .inputNotText(function: fn.name, field: input, row: i, kind: other.kindName)
                }
            }
            texts.append(list)
        }
        let embedder = self.embedder
        var batches: [EmbeddingBatch] = []
        for (f, fn) in functions.enumerated() {
            let list = texts[f]
            do {
                batches.append(try await executor.run { () throws(EmbeddingError) -> EmbeddingBatch in
                    try embedder.embed(batch: list)
                })
            } catch {
                throw Self.rowError(error, function: fn)
            }
        }
        var truncated = [Bool](repeating: false, count: rows.count)
        for (f, fn) in functions.enumerated() {
            let batch = batches[f]
            for i in rows.indices {
                rows[i][fn.outputFieldName] = .floatVector(Array(batch[i]))
                if batch.truncated[i] { truncated[i] = true }
            }
        }
        return FillReport(embedded: rows.count * functions.count, truncatedRows: truncated.indices.filter { truncated[$0] })
    }

    private static func rowError(_ e: EmbeddingError, function fn: FunctionSchema) -> FunctionError {
        switch e {
        case .emptyText(let index?): .emptyText(function: fn.name, field: fn.inputFieldName, row: index)
        // `embed(batch:)` of Strings only reports empty texts with an index; anything else is the model's.
        default: .modelUnavailable(e)
        }
    }

    // MARK: searches

    /// Embeds search texts for the vector field `field` (nil: the output of the schema's only TextEmbedding
    /// function), through the LRU cache: cached texts cost a lookup, the others are embedded together on the
    /// runner's threads (each distinct text once) and cached.
    /// - Returns: the vectors, flat (`texts.count × 384`), in the order of `texts`, with the field searched.
    /// - Throws: ``FunctionError/noTextEmbeddingFunction(field:)`` or ``FunctionError/ambiguousTextField(candidates:)``
    ///   when no single function applies, ``FunctionError/emptyQuery(index:)`` for a text without tokens.
    public func embedQueries(_ texts: [String], schema: CollectionSchema, field: String?) async throws(FunctionError) -> QueryEmbeddings {
        let fn = try Self.function(for: field, in: schema)
        let d = dimension
        var vectors = [Float](repeating: 0, count: texts.count * d)
        var truncated = [Bool](repeating: false, count: texts.count)
        // Cache lookups first; misses are embedded once per distinct text.
        var missSlot: [String: Int] = [:]
        var misses: [String] = []
        var missPositions: [[Int]] = []
        for (i, text) in texts.enumerated() {
            if let hit = cache.value(for: text) {
                Self.copy(hit.vector[...], into: &vectors, row: i, dimension: d)
                truncated[i] = hit.truncated
            } else if let s = missSlot[text] {
                missPositions[s].append(i)
            } else {
                missSlot[text] = misses.count
                misses.append(text)
                missPositions.append([i])
            }
        }
        guard !misses.isEmpty else { return QueryEmbeddings(field: fn.outputFieldName, dimension: d, vectors: vectors, truncated: truncated) }
        let embedder = self.embedder
        let batch: EmbeddingBatch
        do {
            let toEmbed = misses
            batch = try await executor.run { () throws(EmbeddingError) -> EmbeddingBatch in
                if toEmbed.count == 1 {
                    // One text: the single-text path (no batch bookkeeping, no worker hand-off).
                    let e = try embedder.embed(toEmbed[0])
                    return EmbeddingBatch(dimension: e.vector.count, vectors: e.vector, tokenCounts: [e.tokenCount], truncated: [e.truncated])
                }
                return try embedder.embed(batch: toEmbed)
            }
        } catch {
            if case .emptyText(let index) = error { throw .emptyQuery(index: missPositions[index ?? 0][0]) }
            throw .modelUnavailable(error)
        }
        for (s, text) in misses.enumerated() {
            cache.insert(TextEmbedding(vector: Array(batch[s]), tokenCount: batch.tokenCounts[s], truncated: batch.truncated[s]), for: text)
            for i in missPositions[s] {
                Self.copy(batch[s], into: &vectors, row: i, dimension: d)
                truncated[i] = batch.truncated[s]
            }
        }
        return QueryEmbeddings(field: fn.outputFieldName, dimension: d, vectors: vectors, truncated: truncated)
    }

    /// The TextEmbedding function whose output is `field`, or the only one when `field` is nil.
    static func function(for field: String?, in schema: CollectionSchema) throws(FunctionError) -> FunctionSchema {
        let candidates = schema.textEmbeddingFunctions
        if let field {
            guard let fn = candidates.first(where: { $0.outputFieldName == field }) else {
                throw .noTextEmbeddingFunction(field: field)
            }
            return fn
        }
        guard let first = candidates.first else { throw .noTextEmbeddingFunction(field: nil) }
        guard candidates.count == 1 else { throw .ambiguousTextField(candidates: candidates.map(\.outputFieldName)) }
        return first
    }

    private static func copy(_ v: ArraySlice<Float>, into out: inout [Float], row: Int, dimension d: Int) {
        precondition(v.count == d)
        out.withUnsafeMutableBufferPointer { dst in
            var j = row * d
            for x in v {
                dst[j] = x
                j += 1
            }
        }
    }
}
