import Foundation

/// The text normalisation and pre-tokenisation of BERT, exactly as Hugging Face `tokenizers` implements
/// `BertNormalizer` followed by `BertPreTokenizer`, so that word pieces (and hence token ids) match the
/// reference tokenizer bit for bit.
///
/// HF's order of operations, on the whole text:
/// 1. clean text: drop U+0000, U+FFFD and "other" characters (general categories Cc, Cf, Co — except
///    tab, LF, CR); then map every whitespace character (tab, LF, CR, or Unicode `White_Space`) to a space;
/// 2. Chinese characters (the CJK ideograph blocks listed in `isChineseCharacter`) get spaces around them;
/// 3. strip accents: NFD, then drop non-spacing marks (Mn);
/// 4. lowercase: each scalar replaced by its full Unicode lowercase mapping (no context rules);
/// 5. split on `White_Space` (removed) and on punctuation (isolated): ASCII punctuation or Unicode P*.
///
/// Steps 3–4 never create or remove whitespace and canonical reordering never crosses a space (a starter),
/// so this type splits at whitespace first and normalises one word at a time. The result is identical and
/// the work stops as soon as the tokenizer has enough tokens, however long the text is.
///
/// Limit: character properties come from the Swift runtime's Unicode tables, which are newer than those
/// compiled into HF `tokenizers`; a character assigned or re-categorised in a recent Unicode version may be
/// treated differently. No such character occurs in the reference set.
struct BertNormalizer: Sendable, Equatable {
    var cleanText = true
    var handleChineseCharacters = true
    var stripAccents = true
    var lowercase = true

    /// Calls `word` with the normalised scalars of each pre-token (a word or one punctuation character), in
    /// order. `word` returns false to stop early (e.g. once enough tokens were produced).
    func forEachPreToken(in text: String, _ word: (inout [Unicode.Scalar]) -> Bool) {
        var current: [Unicode.Scalar] = []
        var pieces: [Unicode.Scalar] = []
        current.reserveCapacity(64)
        pieces.reserveCapacity(64)
        var keepGoing = true

        /// Normalises `current`, splits it at punctuation and feeds the pieces to `word`.
        func flush() {
            guard keepGoing, !current.isEmpty else { current.removeAll(keepingCapacity: true); return }
            normalizeWord(&current)
            pieces.removeAll(keepingCapacity: true)
            for s in current {
                if Self.isPunctuation(s) {
                    if !pieces.isEmpty {
                        keepGoing = word(&pieces)
                        pieces.removeAll(keepingCapacity: true)
                        if !keepGoing { break }
                    }
                    pieces.append(s)
                    keepGoing = word(&pieces)
                    pieces.removeAll(keepingCapacity: true)
                    if !keepGoing { break }
                } else {
                    pieces.append(s)
                }
            }
            if keepGoing, !pieces.isEmpty { keepGoing = word(&pieces) }
            current.removeAll(keepingCapacity: true)
        }

        for var s in text.unicodeScalars {
            if cleanText {
                let v = s.value
                if v == 0 || v == 0xFFFD || Self.isControl(s) { continue }
                if Self.isCleanTextWhitespace(s) { s = " " }
            }
            if handleChineseCharacters && Self.isChineseCharacter(s) {
                flush()
                current.append(s)
                flush()
            } else if Self.isWhitespace(s) {
                flush()
            } else {
                current.append(s)
            }
            if !keepGoing { return }
        }
        flush()
    }

    /// Steps 3 and 4 on one whitespace-free word, in place.
    private func normalizeWord(_ w: inout [Unicode.Scalar]) {
        var ascii = true
        for s in w where !s.isASCII { ascii = false; break }
        if ascii {
            if lowercase {
                for i in w.indices where w[i].value >= 65 && w[i].value <= 90 {
                    w[i] = Unicode.Scalar(UInt8(w[i].value + 32))
                }
            }
            return
        }
        if stripAccents {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: w)
            let nfd = String(s).decomposedStringWithCanonicalMapping
            w.removeAll(keepingCapacity: true)
            for u in nfd.unicodeScalars where u.properties.generalCategory != .nonspacingMark { w.append(u) }
        }
        if lowercase {
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(w.count)
            for u in w {
                if u.isASCII {
                    out.append(u.value >= 65 && u.value <= 90 ? Unicode.Scalar(UInt8(u.value + 32)) : u)
                } else if u.properties.changesWhenLowercased {
                    out.append(contentsOf: u.properties.lowercaseMapping.unicodeScalars)
                } else {
                    out.append(u)
                }
            }
            w = out
        }
    }

    /// Tab, LF and CR, or any Unicode `White_Space` character (Rust's `char::is_whitespace`).
    static func isCleanTextWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == "\t" || s == "\n" || s == "\r" || isWhitespace(s)
    }

    /// Unicode `White_Space` (Rust's `char::is_whitespace`), with an ASCII fast path.
    @inline(__always)
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return s == " " || (s.value >= 9 && s.value <= 13) }
        return s.properties.isWhitespace
    }

    /// HF's `is_control`: general category Cc, Cf or Co, except tab, LF and CR (which count as whitespace).
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        if s.isASCII { return s.value < 32 || s.value == 127 }
        switch s.properties.generalCategory {
        case .control, .format, .privateUse: return true
        default: return false
        }
    }

    /// HF's `is_bert_punc`: ASCII punctuation (which includes symbols such as `$+<=>^`|~`) or a Unicode
    /// punctuation category (Pc, Pd, Ps, Pe, Pi, Pf, Po). Other symbols (emoji, ©, €) are not split off.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 128 {
            return (v >= 33 && v <= 47) || (v >= 58 && v <= 64) || (v >= 91 && v <= 96) || (v >= 123 && v <= 126)
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK ideograph ranges BERT isolates (the same table as Google's BERT and HF `tokenizers`).
    static func isChineseCharacter(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
