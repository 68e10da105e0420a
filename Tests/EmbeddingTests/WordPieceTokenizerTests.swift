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
