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

/// Input validation and API behaviour of `TextEmbedder`.
@Suite struct TextEmbedderInputTests {
    @Test func missingModelNamesTheFetchScript() {
        let dir = NSTemporaryDirectory() + "vecnode-no-model-\(UUID().uuidString)"
        do {
            _ = try TextEmbedder(modelDirectory: dir)
            Issue.record("expected an error")
        } catch {
            #expect(error == .modelNotFound(directory: dir, missingFile: "config.json"))
            #expect(error.description.contains("scripts/fetch-model.sh"))
        }
    }

    @Test func corruptWeightsAreATypedError() throws {
        guard TestResources.requireModel("corrupt weights") else { return }
        let dir = NSTemporaryDirectory() + "vecnode-bad-model-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for f in ["config.json", "tokenizer.json"] {
            try FileManager.default.copyItem(atPath: TestResources.modelDirectory + "/" + f, toPath: dir + "/" + f)
        }
        // The real file's first 1 MiB: a valid header whose tensors run past the end.
        let handle = try #require(FileHandle(forReadingAtPath: TestResources.modelDirectory + "/model.safetensors"))
        let prefix = try #require(try handle.read(upToCount: 1 << 20))
        try handle.close()
        FileManager.default.createFile(atPath: dir + "/model.safetensors", contents: prefix)
        do {
            _ = try TextEmbedder(modelDirectory: dir)
            Issue.record("expected an error")
        } catch {
            guard case .invalidModel(let file, let reason) = error else { Issue.record("got \(error)"); return }
            #expect(file.hasSuffix("model.safetensors"))
            #expect(reason.contains("past the"))
        }
    }

    @Test func emptyAndBlankTextsAreRejected() throws {
        guard TestResources.requireModel("empty text") else { return }
        let e = try TextEmbedderTests.embedder
        #expect(throws: EmbeddingError.emptyText(index: nil)) { try e.embed("") }
        #expect(throws: EmbeddingError.emptyText(index: nil)) { try e.embed(" \n\t\u{200B} ") }
        #expect(throws: EmbeddingError.emptyText(index: 1)) { try e.embed(batch: ["fine", "", "also fine"]) }
        #expect(throws: EmbeddingError.emptyText(index: nil)) { try e.tokenize("   ") }
    }

    @Test func invalidUTF8IsRejectedWithItsOffset() throws {
        guard TestResources.requireModel("invalid UTF-8") else { return }
        let e = try TextEmbedderTests.embedder
        #expect(throws: EmbeddingError.invalidUTF8(index: nil, byteOffset: 1)) { try e.embed(utf8: [0x61, 0xFF, 0x62]) }
        #expect(throws: EmbeddingError.invalidUTF8(index: nil, byteOffset: 3)) { try e.embed(utf8: Data([0x61, 0xC3, 0xA9, 0xC3])) }
        #expect(throws: EmbeddingError.invalidUTF8(index: 1, byteOffset: 0)) {
            try e.embed(utf8Batch: [Array("ok".utf8), [0xED, 0xA0, 0x80]])  // an encoded surrogate
        }
        let fromBytes = try e.embed(utf8: Data("machine learning".utf8))
        #expect(fromBytes == (try e.embed("machine learning")))
    }

    @Test func overLongTextIsTruncatedAndSaysSo() throws {
        guard TestResources.requireModel("truncation") else { return }
        let e = try TextEmbedderTests.embedder
        let long = try e.embed(String(repeating: "hello ", count: 300))
        #expect(long.truncated && long.tokenCount == 256)
        let fits = try e.embed(String(repeating: "hello ", count: 254))
        #expect(!fits.truncated && fits.tokenCount == 256)
        #expect(long.vector == fits.vector)  // the same 256 ids, so the same vector
        let t = try e.tokenize(String(repeating: "hello ", count: 300))
        #expect(t.truncated && t.ids.count == 256 && t.ids.first == 101 && t.ids.last == 102)
    }

    @Test func batchAgreesWithSingleAndKeepsOrder() throws {
        guard TestResources.requireModel("batch vs single") else { return }
        let e = try TextEmbedderTests.embedder
        #expect(e.dimension == 384)
        // Mixed lengths so the batch is reordered by length and split into several work items.
        var texts = ["pdf parsing", String(repeating: "a long text about vectors ", count: 60), "http client", "é"]
        for i in 0..<40 { texts.append("query number \(i) about machine learning and databases") }
        let batch = try e.embed(batch: texts)
        #expect(batch.count == texts.count && batch.vectors.count == texts.count * 384)
        #expect(batch.truncated[1] && !batch.truncated[0])
        for (i, t) in texts.enumerated() {
            let single = try e.embed(t)
            var worst: Float = 0
            for (a, b) in zip(batch[i], single.vector) { worst = max(worst, abs(a - b)) }
            #expect(worst < 1e-6, "text \(i)")
            var norm: Float = 0
            for x in batch[i] { norm += x * x }
            #expect(abs(norm - 1) < 1e-5)
        }
        #expect(try e.embed(batch: []).count == 0)
    }

    @Test func similarTextsAreCloserThanUnrelatedOnes() throws {
        guard TestResources.requireModel("semantic sanity") else { return }
        let e = try TextEmbedderTests.embedder
        let b = try e.embed(batch: ["A man is eating pasta.", "A man is eating food.", "A man is riding a horse."])
        func dot(_ i: Int, _ j: Int) -> Float { zip(b[i], b[j]).reduce(0) { $0 + $1.0 * $1.1 } }
        // sentence-transformers documents 0.7035 and 0.1889 for these pairs.
        #expect(abs(dot(0, 1) - 0.7035) < 1e-3)
        #expect(abs(dot(0, 2) - 0.1889) < 1e-3)
    }
}
