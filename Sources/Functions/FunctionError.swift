import Embedding
import Shard

/// Why a schema function could not run. Everything but ``modelUnavailable(_:)`` and ``threadsUnavailable(_:)``
/// is the caller's fault (``isCallerError``): the message names the function, the field and the row or query
/// index, so an HTTP layer can return it as a 400 / Milvus 1100 as is.
public enum FunctionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text model could not be loaded; the wrapped error says which file and to run
    /// `scripts/fetch-model.sh`.
    case modelUnavailable(EmbeddingError)
    /// The runner's dedicated threads could not be started (the operating system's reason).
    case threadsUnavailable(String)
    /// An inserted row carries the function's output field, which the server computes (Milvus refuses this too).
    case outputProvided(function: String, field: String, row: Int)
    /// An inserted row lacks the text the function embeds (or gives null).
    case missingInput(function: String, field: String, row: Int)
    /// An inserted row's input field is not a string (`kind` is what it is instead).
    case inputNotText(function: String, field: String, row: Int, kind: String)
    /// An inserted text has no tokens (empty, or only whitespace and control characters).
    case emptyText(function: String, field: String, row: Int)
    /// A search text has no tokens; `index` is its position in the request's list.
    case emptyQuery(index: Int)
    /// A search passed text for a field no TextEmbedding function produces (`field` nil: the collection has
    /// no TextEmbedding function at all).
    case noTextEmbeddingFunction(field: String?)
    /// A search passed text without naming the field, and several TextEmbedding functions could take it.
    case ambiguousTextField(candidates: [String])

    /// True for input problems (answer 400 / 1100); false for server problems (model or threads).
    public var isCallerError: Bool {
        switch self {
        case .modelUnavailable, .threadsUnavailable: false
        default: true
        }
    }

    public var description: String {
        switch self {
        case .modelUnavailable(let e):
            "text embedding is unavailable: \(e)"
        case .threadsUnavailable(let reason):
            "text embedding is unavailable: cannot start its threads: \(reason)"
        case let .outputProvided(function, field, row):
            "row \(row): field '\(field)' is the output of function '\(function)' and is computed by the server; "
                + "send only the text, without '\(field)'"
        case let .missingInput(function, field, row):
            "row \(row): field '\(field)' is missing or null; function '\(function)' needs its text to compute the vector"
        case let .inputNotText(function, field, row, kind):
            "row \(row): field '\(field)' must be a string (the input of function '\(function)'), got \(kind)"
        case let .emptyText(function, field, row):
            "row \(row): field '\(field)' is empty (no tokens after removing whitespace and control characters), "
                + "so function '\(function)' cannot embed it"
        case .emptyQuery(let index):
            "search text #\(index) is empty (no tokens after removing whitespace and control characters); send some text"
        case .noTextEmbeddingFunction(let field?):
            "field '\(field)' is not the output of a TextEmbedding function, so it cannot be searched with text; pass vectors"
        case .noTextEmbeddingFunction(nil):
            "the collection has no TextEmbedding function, so it cannot be searched with text; pass vectors"
        case .ambiguousTextField(let candidates):
            "several fields are computed from text (\(candidates.joined(separator: ", "))); name one as annsField"
        }
    }
}
