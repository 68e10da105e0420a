import Testing
@testable import Shard

@Suite struct LikePatternTests {
    @Test func shapesAreRecognised() {
        #expect(LikePattern("abc").shape == .exact(Array("abc".utf8)))
        #expect(LikePattern("ab%").shape == .prefix(Array("ab".utf8)))
        #expect(LikePattern("%ab").shape == .suffix(Array("ab".utf8)))
        #expect(LikePattern("%ab%").shape == .infix(Array("ab".utf8)))
        #expect(LikePattern("%%ab%%").shape == .infix(Array("ab".utf8)))  // runs of % collapse
        #expect(LikePattern("50\\%").shape == .exact(Array("50%".utf8)))
        if case .general = LikePattern("a_c").shape {} else { Issue.record("a_c should be general") }
        if case .general = LikePattern("a%b%c").shape {} else { Issue.record("a%b%c should be general") }
    }

    @Test func examples() {
        let cases: [(String, String, Bool)] = [
            ("", "", true), ("", "%", true), ("", "_", false), ("a", "_", true), ("ab", "_", false),
            ("é", "_", true), ("日本", "__", true), ("日本", "_", false), ("日本語", "日%", true), ("日本語", "%語", true),
            ("abc", "a%c", true), ("ac", "a%c", true), ("abcbc", "a%bc", true), ("abcb", "a%bc", false),
            ("mississippi", "%iss%ipp%", true), ("mississippi", "m%is%is%ip%i", true), ("mississippi", "%issi%x", false),
            ("a%b", "a\\%b", true), ("axb", "a\\%b", false), ("a_b", "a\\_b", true), ("axb", "a\\_b", false),
            ("a\\b", "a\\\\b", true), ("trailing\\", "trailing\\", true), ("ABC", "abc", false),
        ]
        for (text, pattern, expected) in cases {
            #expect(LikePattern(pattern).matches(text) == expected, "\(text) like \(pattern)")
        }
    }

    @Test func agreesWithReferenceOnRandomInputs() {
        var rng = SchemaFixtures.Random(seed: 7)
        let alphabet: [Character] = ["a", "b", "é", "日", "%", "_"]
        let patternAlphabet = ["a", "b", "é", "日", "%", "_", "\\%", "\\_"]
        let reference = ReferenceFilterEvaluator(schema: SchemaFixtures.people)
        for _ in 0..<3000 {
            let text = String((0..<Int.random(in: 0...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let pattern = (0..<Int.random(in: 0...5, using: &rng)).map { _ in patternAlphabet.randomElement(using: &rng)! }.joined()
            let expected = reference.like(Array(text.unicodeScalars)[...], Array(pattern.unicodeScalars)[...])
            #expect(LikePattern(pattern).matches(text) == expected, "'\(text)' like '\(pattern)'")
        }
    }
}
