/// Everything that can go wrong when loading the text model or embedding a text.
///
/// Model problems (`modelNotFound`, `invalidModel`) are operator errors: the message says which file is wrong
/// and what to run. Input problems (`emptyText`, `invalidUTF8`) are the caller's fault and carry the position
/// of the offending text in a batch, so an HTTP layer can turn them into a 400 that names the item.
public enum EmbeddingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A model file is missing. Run `scripts/fetch-model.sh` (it downloads and verifies the files).
    case modelNotFound(directory: String, missingFile: String)
    /// A model file exists but cannot be used (corrupt, truncated, unexpected shape or configuration).
    case invalidModel(file: String, reason: String)
    /// The text is empty, or holds nothing but whitespace and control characters, so it has no tokens.
    /// `index` is the position in a batch, `nil` for a single text.
    case emptyText(index: Int?)
    /// The bytes are not valid UTF-8; `byteOffset` is the first byte of the first invalid sequence.
    case invalidUTF8(index: Int?, byteOffset: Int)

    public var description: String {
        switch self {
        case let .modelNotFound(directory, file):
            return "text model not found: \(directory)/\(file) is missing; run scripts/fetch-model.sh "
                + "(or point VECNODE_MODEL_DIR / --model at a directory holding the all-MiniLM-L6-v2 files)"
        case let .invalidModel(file, reason):
            return "text model file \(file) is unusable: \(reason); re-run scripts/fetch-model.sh to restore it"
        case let .emptyText(index):
            return "text\(Self.where(index)) is empty (no tokens after removing whitespace and control "
                + "characters); send some text"
        case let .invalidUTF8(index, offset):
            return "text\(Self.where(index)) is not valid UTF-8 (first bad byte at offset \(offset))"
        }
    }

    private static func `where`(_ index: Int?) -> String {
        index.map { " #\($0) of the batch" } ?? ""
    }
}
