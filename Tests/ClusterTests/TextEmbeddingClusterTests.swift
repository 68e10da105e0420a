import Cluster
import E2EScenario
import Foundation
import HTTPTestSupport
import JSON
import Runtime
import Testing

/// A collection with a TextEmbedding function over an in-process cluster whose proxy loads the real model:
/// texts inserted without vectors are embedded, searched by text (Milvus REST and the seed's `/search`, which
/// picks the collection by itself), and bad rows get 1100.
@Suite(.serialized) struct TextEmbeddingClusterTests {
    static let modelDirectory: String = {
        if let d = ProcessInfo.processInfo.environment["VECNODE_MODEL_DIR"] { return d }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/models/all-MiniLM-L6-v2"
    }()

    @Test func textsAreEmbeddedAndSearchedThroughTheProxy() async throws {
        guard FileManager.default.fileExists(atPath: Self.modelDirectory + "/model.safetensors") else {
            print("SKIPPED textsAreEmbeddedAndSearchedThroughTheProxy: no model in \(Self.modelDirectory); run scripts/fetch-model.sh")
            return
        }
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var configuration = LocalCluster.Configuration(dataDirectory: dir.path)
        configuration.http = HostPort(host: "127.0.0.1", port: 0)
        configuration.cpuThreads = 1
        configuration.logSink = { _ in }
        configuration.modelDirectory = Self.modelDirectory
        let cluster = try await LocalCluster.start(configuration)
        let port = cluster.httpAddress.port
        do {
            let (count, top, seedTop, refusal) = try await E2EScenario.runDetached { () throws -> (Int64, String, String, String) in
                let client = try MilvusHTTPClient(host: "127.0.0.1", port: port)
                defer { client.close() }
                _ = try client.post("collections/create", #"""
                    {"collectionName": "docs", "schema": {"fields": [
                      {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
                      {"fieldName": "text", "dataType": "VarChar", "elementTypeParams": {"max_length": 1000}},
                      {"fieldName": "embedding", "dataType": "FloatVector", "elementTypeParams": {"dim": 384}}],
                      "functions": [{"name": "embed", "type": "TextEmbedding", "inputFieldNames": ["text"],
                                     "outputFieldNames": ["embedding"]}]},
                     "indexParams": [{"fieldName": "embedding", "indexType": "HNSW", "metricType": "COSINE"}]}
                    """#)
                let inserted = try client.post("entities/insert", #"""
                    {"collectionName": "docs", "data": [
                      {"id": 1, "text": "A fast JSON parser for Python"},
                      {"id": 2, "text": "Deep learning framework for neural networks"},
                      {"id": 3, "text": "Read and write PDF documents"},
                      {"id": 4, "text": "Async HTTP client and server"}]}
                    """#)
                let hits = try client.post("entities/search", #"""
                    {"collectionName": "docs", "data": ["machine learning models"], "limit": 2, "outputFields": ["text"],
                     "consistencyLevel": "Strong"}
                    """#)
                var refusal = ""
                do {
                    _ = try client.post("entities/insert", #"{"collectionName": "docs", "data": [{"id": 5, "text": "  "}]}"#)
                } catch {
                    refusal = "\(error)"
                }
                // The function's output is the server's to compute: a row that sends it is refused, even when
                // every row of the batch does.
                var outputRefusal = ""
                let vector = "[" + Array(repeating: "0.05", count: 384).joined(separator: ",") + "]"
                do {
                    _ = try client.post("entities/insert", #"{"collectionName": "docs", "data": [{"id": 6, "text": "x", "embedding": "#
                                        + vector + "}]}")
                } catch {
                    outputRefusal = "\(error)"
                }
                #expect(outputRefusal.contains("1100") && outputRefusal.contains("computed by the server"), "\(outputRefusal)")
                let seed = try RawHTTPClient(port: port)
                let body = Array(#"{"query": "parsing pdf files", "top_k": 1, "output_fields": ["text"]}"#.utf8)
                try seed.send(Array("POST /search HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
                let reply = try seed.readResponse()
                let seedTop = try JSONValue.parse(reply?.body ?? [])["results"]?[0]?["fields"]?["text"]?.stringValue ?? "<none>"
                return (inserted["insertCount"]?.int64Value ?? -1, hits[0]?["text"]?.stringValue ?? "<none>", seedTop, refusal)
            }
            #expect(count == 4)
            #expect(top == "Deep learning framework for neural networks")
            #expect(seedTop == "Read and write PDF documents")
            #expect(refusal.contains("1100") && refusal.contains("row 0: field 'text' is empty"), "\(refusal)")
        } catch {
            Issue.record("\(error)")
        }
        await cluster.stop()
    }
}
