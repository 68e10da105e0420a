import Foundation

/// BERT's WordPiece tokenizer as specified by a Hugging Face `tokenizer.json` (`BertNormalizer`,
/// `BertPreTokenizer`, `WordPiece` model, `[CLS] $A [SEP]` template), producing the same ids as the reference.
///
/// Each pre-token of at most `maxInputCharactersPerWord` scalars is split greedily, longest match first, into
/// vocabulary pieces; pieces after the first are looked up with the continuation prefix (`##`). A pre-token
/// that cannot be split completely, or is too long, becomes one `[UNK]`. The sequence is cut after
/// `maxLength − 2` pieces (sentence-transformers' `max_seq_length`, 256 for all-MiniLM-L6-v2: the
/// tokenizer.json's own truncation/padding settings are the ones sentence-transformers overrides, so they are
/// ignored here).
///
/// Immutable and `Sendable`: one instance serves all threads.
struct WordPieceTokenizer: Sendable {
    let normalizer: BertNormalizer
    let vocabulary: TokenVocabulary
    let unknownID: Int32
    let clsID: Int32
    let sepID: Int32
    let continuationPrefix: [UInt8]
    let maxInputCharactersPerWord: Int
    /// Maximum ids per text including `[CLS]` and `[SEP]`.
    let maxLength: Int

    init(normalizer: BertNormalizer, vocabulary: TokenVocabulary, unknownToken: String, clsToken: String,
         sepToken: String, continuationPrefix: String, maxInputCharactersPerWord: Int, maxLength: Int)
        throws(TokenizerConfigurationError)
    {
        guard let unk = vocabulary.id(of: unknownToken) else { throw .missingToken(unknownToken) }
        guard let cls = vocabulary.id(of: clsToken) else { throw .missingToken(clsToken) }
        guard let sep = vocabulary.id(of: sepToken) else { throw .missingToken(sepToken) }
        guard maxLength >= 3 else { throw .invalid("maximum length \(maxLength) leaves no room for text") }
        guard maxInputCharactersPerWord >= 1 else { throw .invalid("max_input_chars_per_word must be ≥ 1") }
        self.normalizer = normalizer
        self.vocabulary = vocabulary
        self.unknownID = unk
        self.clsID = cls
        self.sepID = sep
        self.continuationPrefix = Array(continuationPrefix.utf8)
        self.maxInputCharactersPerWord = maxInputCharactersPerWord
        self.maxLength = maxLength
    }

    /// Tokenizes `text` into `[CLS] pieces… [SEP]`, truncating after `maxLength − 2` pieces.
    /// Complexity: O(length of the consumed prefix); stops reading once the limit is passed.
    func encode(_ text: String) -> Tokenization {
        let limit = maxLength - 2
        var ids: [Int32] = [clsID]
        ids.reserveCapacity(min(maxLength, text.utf8.count + 2))
        var truncated = false
        var bytes: [UInt8] = []
        var boundaries: [Int] = []
        var key: [UInt8] = continuationPrefix
        var pieceIDs: [Int32] = []

        normalizer.forEachPreToken(in: text) { word in
            // UTF-8 bytes of the word and the byte offset where each scalar starts.
            bytes.removeAll(keepingCapacity: true)
            boundaries.removeAll(keepingCapacity: true)
            for s in word {
                boundaries.append(bytes.count)
                UTF8.encode(s) { bytes.append($0) }
            }
            boundaries.append(bytes.count)
            pieceIDs.removeAll(keepingCapacity: true)
            if word.count > maxInputCharactersPerWord || !split(bytes, boundaries, &key, into: &pieceIDs) {
                pieceIDs = [unknownID]
            }
            for id in pieceIDs {
                if ids.count - 1 == limit { truncated = true; return false }
                ids.append(id)
            }
            return true
        }
        ids.append(sepID)
        return Tokenization(ids: ids, truncated: truncated)
    }

    /// Greedy longest-match-first split of one pre-token; false if some remainder matches nothing.
    private func split(_ bytes: [UInt8], _ boundaries: [Int], _ key: inout [UInt8], into out: inout [Int32]) -> Bool {
        let n = bytes.count
        let prefixCount = continuationPrefix.count
        var startIndex = 0  // index into boundaries
        while boundaries[startIndex] < n {
            let start = boundaries[startIndex]
            var endIndex = boundaries.count - 1
            var found: Int32? = nil
            while endIndex > startIndex {
                let end = boundaries[endIndex]
                if start == 0 {
                    found = bytes.withUnsafeBufferPointer { vocabulary.id(of: UnsafeBufferPointer(rebasing: $0[0..<end])) }
                } else {
                    key.removeSubrange(prefixCount...)
                    key.append(contentsOf: bytes[start..<end])
                    found = key.withUnsafeBufferPointer { vocabulary.id(of: $0) }
                }
                if found != nil { break }
                endIndex -= 1
            }
            guard let id = found else { return false }
            out.append(id)
            startIndex = endIndex
        }
        return true
    }
}

/// Why a tokenizer configuration cannot be used.
enum TokenizerConfigurationError: Error, CustomStringConvertible, Equatable {
    case missingToken(String)
    case invalid(String)

    var description: String {
        switch self {
        case .missingToken(let t): return "special token \(t) is not in the vocabulary"
        case .invalid(let m): return m
        }
    }
}

extension WordPieceTokenizer {
    /// Loads the tokenizer from a Hugging Face `tokenizer.json`, checking that it describes exactly the
    /// pipeline implemented here (BertNormalizer, BertPreTokenizer, WordPiece, `[CLS] $A [SEP]`).
    /// - Parameter maxLength: ids per text including `[CLS]`/`[SEP]` (sentence-transformers' max_seq_length).
    /// - Throws: `EmbeddingError.invalidModel` naming the file and what is wrong.
    static func load(tokenizerJSON path: String, maxLength: Int) throws(EmbeddingError) -> WordPieceTokenizer {
        func bad(_ reason: String) -> EmbeddingError { .invalidModel(file: path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: path) else { throw bad("cannot read the file") }
        guard data.count < 64 << 20 else { throw bad("file is \(data.count) bytes, larger than 64 MiB") }
        let root: [String: Any]
        do {
            guard let r = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw bad("top level is not a JSON object")
            }
            root = r
        } catch let e as EmbeddingError {
            throw e
        } catch {
            throw bad("not valid JSON (\(error.localizedDescription))")
        }

        // normalizer
        guard let norm = root["normalizer"] as? [String: Any], norm["type"] as? String == "BertNormalizer" else {
            throw bad("normalizer is not BertNormalizer (only the BERT pipeline is implemented)")
        }
        func flag(_ name: String, default d: Bool) throws(EmbeddingError) -> Bool {
            switch norm[name] {
            case nil, is NSNull: return d
            case let b as Bool: return b
            default: throw bad("normalizer.\(name) is not a boolean")
            }
        }
        var normalizer = BertNormalizer()
        normalizer.cleanText = try flag("clean_text", default: true)
        normalizer.handleChineseCharacters = try flag("handle_chinese_chars", default: true)
        normalizer.lowercase = try flag("lowercase", default: true)
        // HF: strip_accents = null means "same as lowercase".
        normalizer.stripAccents = try flag("strip_accents", default: normalizer.lowercase)

        guard let pre = root["pre_tokenizer"] as? [String: Any], pre["type"] as? String == "BertPreTokenizer" else {
            throw bad("pre_tokenizer is not BertPreTokenizer")
        }

        // model
        guard let model = root["model"] as? [String: Any], model["type"] as? String == "WordPiece" else {
            throw bad("model is not WordPiece")
        }
        guard let vocab = model["vocab"] as? [String: Any], !vocab.isEmpty else { throw bad("model.vocab is missing") }
        guard vocab.count <= 1 << 22 else { throw bad("model.vocab has \(vocab.count) entries, too many") }
        var tokens = [String?](repeating: nil, count: vocab.count)
        for (token, value) in vocab {
            guard let n = value as? NSNumber, let id = Int(exactly: n.doubleValue), id >= 0, id < vocab.count else {
                throw bad("model.vocab[\"\(token)\"] is not an id in 0..<\(vocab.count)")
            }
            guard tokens[id] == nil else { throw bad("model.vocab uses id \(id) twice") }
            tokens[id] = token
        }
        let unk = model["unk_token"] as? String ?? "[UNK]"
        let prefix = model["continuing_subword_prefix"] as? String ?? "##"
        let maxChars = (model["max_input_chars_per_word"] as? NSNumber)?.intValue ?? 100

        // post-processor: [CLS] $A [SEP]
        let (cls, sep) = try specialTokens(root["post_processor"], bad: bad)

        do {
            let vocabulary = try TokenVocabulary(tokens: tokens.map { $0! })
            return try WordPieceTokenizer(
                normalizer: normalizer, vocabulary: vocabulary, unknownToken: unk, clsToken: cls, sepToken: sep,
                continuationPrefix: prefix, maxInputCharactersPerWord: maxChars, maxLength: maxLength)
        } catch let e as VocabularyError {
            throw bad(e.description)
        } catch let e as TokenizerConfigurationError {
            throw bad(e.description)
        } catch {
            throw bad("\(error)")
        }
    }

    /// The tokens around a single sequence: TemplateProcessing `[CLS] $A [SEP]` or BertProcessing.
    private static func specialTokens(_ value: Any?, bad: (String) -> EmbeddingError)
        throws(EmbeddingError) -> (String, String)
    {
        guard let pp = value as? [String: Any], let type = pp["type"] as? String else {
            throw bad("post_processor is missing")
        }
        switch type {
        case "TemplateProcessing":
            guard let single = pp["single"] as? [[String: Any]], single.count == 3,
                  let first = (single[0]["SpecialToken"] as? [String: Any])?["id"] as? String,
                  (single[1]["Sequence"] as? [String: Any])?["id"] as? String == "A",
                  let last = (single[2]["SpecialToken"] as? [String: Any])?["id"] as? String
            else { throw bad("post_processor.single is not [special] $A [special]") }
            return (first, last)
        case "BertProcessing":
            guard let cls = (pp["cls"] as? [Any])?.first as? String, let sep = (pp["sep"] as? [Any])?.first as? String
            else { throw bad("post_processor cls/sep are missing") }
            return (cls, sep)
        default:
            throw bad("post_processor type \(type) is not supported")
        }
    }

    /// Builds the standard uncased BERT tokenizer from a `vocab.txt` (one token per line, id = line number),
    /// for model directories without tokenizer.json.
    static func load(vocabularyText path: String, maxLength: Int) throws(EmbeddingError) -> WordPieceTokenizer {
        func bad(_ reason: String) -> EmbeddingError { .invalidModel(file: path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: path) else { throw bad("cannot read the file") }
        guard data.count < 64 << 20 else { throw bad("file is larger than 64 MiB") }
        guard let text = String(validating: data, as: UTF8.self) else { throw bad("not valid UTF-8") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        do {
            return try WordPieceTokenizer(
                normalizer: BertNormalizer(), vocabulary: try TokenVocabulary(tokens: lines),
                unknownToken: "[UNK]", clsToken: "[CLS]", sepToken: "[SEP]", continuationPrefix: "##",
                maxInputCharactersPerWord: 100, maxLength: maxLength)
        } catch let e as VocabularyError {
            throw bad(e.description)
        } catch let e as TokenizerConfigurationError {
            throw bad(e.description)
        } catch {
            throw bad("\(error)")
        }
    }
}
