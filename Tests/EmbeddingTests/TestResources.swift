import Foundation
@testable import Embedding

/// Locations of the model and the reference data, and loaders shared by the tests.
enum TestResources {
    /// The package root, found from this file's path (Tests/EmbeddingTests/TestResources.swift).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `VECNODE_MODEL_DIR`, else `<package root>/models/all-MiniLM-L6-v2` (where scripts/fetch-model.sh puts it).
    static let modelDirectory: String =
        ProcessInfo.processInfo.environment["VECNODE_MODEL_DIR"] ?? packageRoot + "/models/all-MiniLM-L6-v2"

    static var modelAvailable: Bool {
        FileManager.default.fileExists(atPath: modelDirectory + "/model.safetensors")
            && FileManager.default.fileExists(atPath: modelDirectory + "/tokenizer.json")
    }

    /// `VECNODE_MINILM_REFERENCE`, else `../shared/datasets/minilm-reference.jsonl` beside the repository.
    static let referencePath: String = {
        if let p = ProcessInfo.processInfo.environment["VECNODE_MINILM_REFERENCE"] { return p }
        let candidates = [
            packageRoot + "/../shared/datasets/minilm-reference.jsonl",
            "/work/shared/datasets/minilm-reference.jsonl",
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
    }()

    /// Prints why a model test is skipped and returns false when the model is absent.
    static func requireModel(_ test: String) -> Bool {
        if modelAvailable { return true }
        print("SKIPPED \(test): no model in \(modelDirectory); run scripts/fetch-model.sh (or set VECNODE_MODEL_DIR)")
        return false
    }

    static func requireReference(_ test: String) -> Bool {
        if FileManager.default.fileExists(atPath: referencePath) { return true }
        print("SKIPPED \(test): reference file \(referencePath) not found (set VECNODE_MINILM_REFERENCE)")
        return false
    }

    struct ReferenceLine {
        let line: Int
        let text: String
        let ids: [Int32]
        let embedding: [Float]
    }

    /// All lines of minilm-reference.jsonl, parsed once.
    static let reference: [ReferenceLine] = {
        guard let data = FileManager.default.contents(atPath: referencePath),
              let text = String(data: data, encoding: .utf8) else { return [] }
        var out: [ReferenceLine] = []
        for (i, line) in text.split(separator: "\n").enumerated() {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let t = obj["text"] as? String, let ids = obj["input_ids"] as? [NSNumber],
                  let emb = obj["embedding"] as? [NSNumber] else { continue }
            out.append(ReferenceLine(line: i + 1, text: t, ids: ids.map { $0.int32Value },
                                     embedding: emb.map { $0.floatValue }))
        }
        return out
    }()

    /// The tokenizer from the model directory (tokenizer.json), loaded once.
    static let tokenizer: WordPieceTokenizer? = try? WordPieceTokenizer.load(
        tokenizerJSON: modelDirectory + "/tokenizer.json", maxLength: 256)
}
