import Foundation
import Testing
@testable import Embedding

/// End-to-end tests against the reference embeddings (minilm-reference.jsonl). They need the model files;
/// without them they print why and pass vacuously (CI fetches the model first, see .ci/run).
@Suite(.serialized) struct TextEmbedderTests {
    static let loaded: Result<TextEmbedder, EmbeddingError> = Result { () throws(EmbeddingError) in
        try TextEmbedder(modelDirectory: TestResources.modelDirectory, threads: 2)
    }
    static var embedder: TextEmbedder {
        get throws { try loaded.get() }
    }

    static func cosine(_ a: some Collection<Float>, _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    @Test func everyReferenceEmbeddingMatchesBatched() throws {
        guard TestResources.requireModel("embeddings vs reference"),
              TestResources.requireReference("embeddings vs reference") else { return }
        let e = try Self.embedder
        let ref = TestResources.reference
        #expect(ref.count == 1038)
        let start = Date()
        let batch = try e.embed(batch: ref.map(\.text))
        let seconds = Date().timeIntervalSince(start)
        var worst = 1.0
        var worstLine = 0
        for (i, r) in ref.enumerated() {
            let c = Self.cosine(batch[i], r.embedding)
            if c < worst { worst = c; worstLine = r.line }
            #expect(c >= 0.9999, "line \(r.line) \(r.text.debugDescription): cosine \(c)")
            #expect(batch.tokenCounts[i] == r.ids.count)
        }
        print("reference: \(ref.count) texts embedded in \(String(format: "%.2f", seconds)) s; "
            + "worst cosine \(worst) (line \(worstLine))")
    }

    @Test func singleTextPathMatchesReference() throws {
        guard TestResources.requireModel("single embed vs reference"),
              TestResources.requireReference("single embed vs reference") else { return }
        let e = try Self.embedder
        // Every 7th line plus the awkward ones (CJK, emoji, accents, the longest texts).
        let ref = TestResources.reference
        let longest = ref.indices.sorted { ref[$0].ids.count > ref[$1].ids.count }.prefix(10)
        var picked = Set(stride(from: 0, to: ref.count, by: 7)).union(longest)
        for (i, r) in ref.enumerated() where r.text.unicodeScalars.contains(where: { $0.value > 0x7F }) {
            picked.insert(i)
        }
        for i in picked.sorted() {
            let r = ref[i]
            let got = try e.embed(r.text)
            #expect(got.vector.count == 384)
            #expect(Self.cosine(got.vector, r.embedding) >= 0.9999, "line \(r.line)")
            #expect(!got.truncated)
        }
    }
}
