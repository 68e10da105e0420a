import Foundation
import Testing
@testable import Embedding

@Suite struct WordPieceTokenizerTests {
    @Test func referenceTokenIDsMatchOnEveryLine() throws {
        guard TestResources.requireModel("token ids vs reference"),
              TestResources.requireReference("token ids vs reference") else { return }
        let tok = try #require(TestResources.tokenizer)
        let ref = TestResources.reference
        #expect(ref.count == 1038)
        var mismatches = 0
        for r in ref {
            let got = tok.encode(r.text)
            if got.ids != r.ids {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("line \(r.line) \(r.text.debugDescription): got \(got.ids), want \(r.ids)")
                }
            }
            #expect(!got.truncated || got.ids.count == 256)
        }
        #expect(mismatches == 0)
    }
}

/// Hand cases on a tiny vocabulary: each BERT normalisation and WordPiece rule in isolation, no model needed.
@Suite struct WordPieceTokenizerHandTests {
    static let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##want", "##ed", "want", ",", "runn", "##ing",
                         "hello", "!", "中", "国", "cafe", "a", "##a", "$", "i"]

    static func tokenizer(maxLength: Int = 256) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(
            normalizer: BertNormalizer(), vocabulary: try TokenVocabulary(tokens: tokens), unknownToken: "[UNK]",
            clsToken: "[CLS]", sepToken: "[SEP]", continuationPrefix: "##", maxInputCharactersPerWord: 100,
            maxLength: maxLength)
    }

    static func ids(_ text: String, maxLength: Int = 256) throws -> [Int32] {
        try tokenizer(maxLength: maxLength).encode(text).ids
    }

    @Test func lowercasePunctuationAndContinuationPieces() throws {
        #expect(try Self.ids("UNwanted, running!") == [2, 4, 5, 6, 8, 9, 10, 12, 3])
    }

    @Test func accentsAreStrippedBeforeLowercasing() throws {
        #expect(try Self.ids("Café") == [2, 15, 3])
        #expect(try Self.ids("Cafe\u{301}") == [2, 15, 3])        // already decomposed
        #expect(try Self.ids("\u{130}") == [2, 19, 3])            // İ → I + ◌̇ → I → i
    }

    @Test func chineseCharactersAreIsolated() throws {
        #expect(try Self.ids("中国") == [2, 13, 14, 3])
        #expect(try Self.ids("a中a") == [2, 16, 13, 16, 3])
    }

    @Test func controlAndFormatCharactersAreRemovedWhitespaceSplits() throws {
        #expect(try Self.ids("hel\u{200B}lo") == [2, 11, 3])      // ZERO WIDTH SPACE is Cf: removed, not a split
        #expect(try Self.ids("he\u{0B}llo") == [2, 11, 3])        // VT is Cc: removed
        #expect(try Self.ids("hel\u{0}lo\u{FFFD}") == [2, 11, 3])
        #expect(try Self.ids("hello\u{3000}hello\thello\u{A0}hello\r\nhello") == [2, 11, 11, 11, 11, 11, 3])
    }

    @Test func asciiSymbolsCountAsPunctuation() throws {
        #expect(try Self.ids("$a") == [2, 18, 16, 3])
    }

    @Test func unknownWordsBecomeOneUnk() throws {
        #expect(try Self.ids("xyz") == [2, 1, 3])
        #expect(try Self.ids("ax") == [2, 1, 3])                  // "a" matches, "##x" does not: whole word → [UNK]
        #expect(try Self.ids("aaaa") == [2, 16, 17, 17, 17, 3])
    }

    @Test func wordsLongerThanTheLimitAreUnk() throws {
        #expect(try Self.ids(String(repeating: "a", count: 101)) == [2, 1, 3])
        #expect(try Self.ids(String(repeating: "a", count: 100)).count == 102)
    }

    @Test func truncationKeepsTheFirstPiecesAndSaysSo() throws {
        let tok = try Self.tokenizer(maxLength: 8)
        let long = tok.encode(String(repeating: "a ", count: 10))
        #expect(long.ids == [2, 16, 16, 16, 16, 16, 16, 3])
        #expect(long.truncated)
        let exact = tok.encode(String(repeating: "a ", count: 6))
        #expect(exact.ids.count == 8 && !exact.truncated)
        // Truncation inside a multi-piece word also counts.
        let pieces = tok.encode("aaaaaaaaaa")
        #expect(pieces.ids == [2, 16, 17, 17, 17, 17, 17, 3] && pieces.truncated)
    }

    @Test func emptyTextHasNoWordPieces() throws {
        let t = try Self.tokenizer().encode(" \t\u{0}")
        #expect(t.ids == [2, 3] && t.wordPieceCount == 0 && !t.truncated)
    }

    @Test func duplicateVocabularyEntriesAreRejected() {
        #expect(throws: VocabularyError.duplicate("a")) { try TokenVocabulary(tokens: ["a", "b", "a"]) }
        #expect(throws: VocabularyError.empty) { try TokenVocabulary(tokens: []) }
    }

    @Test func vocabTxtAndTokenizerJSONAgree() throws {
        guard TestResources.requireModel("vocab.txt vs tokenizer.json") else { return }
        let fromJSON = try #require(TestResources.tokenizer)
        let fromTxt = try WordPieceTokenizer.load(vocabularyText: TestResources.modelDirectory + "/vocab.txt", maxLength: 256)
        #expect(fromTxt.vocabulary.count == fromJSON.vocabulary.count)
        for id in stride(from: 0, to: fromJSON.vocabulary.count, by: 97) {
            #expect(fromTxt.vocabulary.token(id) == fromJSON.vocabulary.token(id))
        }
        #expect(fromJSON.normalizer == BertNormalizer())
        #expect(fromJSON.clsID == 101 && fromJSON.sepID == 102 && fromJSON.unknownID == 100)
    }
}
