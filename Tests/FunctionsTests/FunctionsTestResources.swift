import Foundation
import Functions
import Shard

/// The model location and a runner shared by the tests (loading costs ~0.3 s and ~150 MB).
enum FunctionsTestResources {
    /// `VECNODE_MODEL_DIR`, else `<package root>/models/all-MiniLM-L6-v2` (where scripts/fetch-model.sh puts it).
    static let modelDirectory: String = {
        if let d = ProcessInfo.processInfo.environment["VECNODE_MODEL_DIR"] { return d }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/models/all-MiniLM-L6-v2"
    }()

    /// The runner over the real model, or nil (after printing why the test is skipped) when it is absent.
    static func runner(_ test: String) -> FunctionRunner? {
        if let r = shared { return r }
        print("SKIPPED \(test): no model in \(modelDirectory); run scripts/fetch-model.sh (or set VECNODE_MODEL_DIR)")
        return nil
    }

    private static let shared: FunctionRunner? = {
        guard FileManager.default.fileExists(atPath: modelDirectory + "/model.safetensors") else { return nil }
        return try? FunctionRunner.load(modelDirectory: modelDirectory, cacheCapacity: 64)
    }()

    static let id = FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true)
    static let text = FieldSchema(name: "text", dataType: .varChar, maxLength: 65_535)
    static let embedding = FieldSchema(name: "embedding", dataType: .floatVector, dimension: 384)

    /// id, text, embedding, and the TextEmbedding function text → embedding.
    static let schema = CollectionSchema(
        fields: [id, text, embedding],
        functions: [.textEmbedding(name: "embed", input: "text", output: "embedding")])

    static func cosine(_ a: some Collection<Float>, _ b: some Collection<Float>) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
