import Embedding
import Foundation
import Testing
@testable import Functions
import Shard

@Suite struct FunctionRunnerTests {
    typealias R = FunctionsTestResources

    // MARK: - without the model

    @Test func missingModelSaysWhatToRun() {
        do {
            _ = try FunctionRunner.load(modelDirectory: "/nonexistent/minilm")
            Issue.record("loading a missing model succeeded")
        } catch {
            #expect(error == .modelUnavailable(.modelNotFound(directory: "/nonexistent/minilm", missingFile: "config.json")))
            #expect(error.description.contains("run scripts/fetch-model.sh"))
            #expect(!error.isCallerError)
        }
    }

    @Test func searchFieldSelection() throws {
        #expect(try FunctionRunner.function(for: nil, in: R.schema).name == "embed")
        #expect(try FunctionRunner.function(for: "embedding", in: R.schema).name == "embed")
        #expect(throws: FunctionError.noTextEmbeddingFunction(field: "text")) { try FunctionRunner.function(for: "text", in: R.schema) }
        var plain = R.schema
        plain.functions = []
        #expect(throws: FunctionError.noTextEmbeddingFunction(field: nil)) { try FunctionRunner.function(for: nil, in: plain) }
        var two = R.schema
        two.fields.append(FieldSchema(name: "title", dataType: .varChar, maxLength: 100))
        two.fields.append(FieldSchema(name: "title_vec", dataType: .floatVector, dimension: 384))
        two.functions.append(.textEmbedding(name: "embed_title", input: "title", output: "title_vec"))
        try two.validate()
        #expect(throws: FunctionError.ambiguousTextField(candidates: ["embedding", "title_vec"])) {
            try FunctionRunner.function(for: nil, in: two)
        }
        #expect(try FunctionRunner.function(for: "title_vec", in: two).name == "embed_title")
    }

    @Test func paramsMustDescribeTheBuiltInModel() throws {
        func check(_ params: [String: String]) -> String {
            do {
                try TextEmbeddingParams.check(.textEmbedding(name: "f", input: "text", output: "embedding", params: params), dimension: 384)
                return "<ok>"
            } catch {
                return error.description
            }
        }
        #expect(check([:]) == "<ok>")
        #expect(check(["provider": "BuiltIn", "model_name": "sentence-transformers/all-MiniLM-L6-v2", "dim": "384"]) == "<ok>")
        #expect(check(["provider": "openai"])
            == "invalid schema: function 'f': provider 'openai' is not available; vecnode embeds text itself (provider 'builtin')")
        #expect(check(["model_name": "text-embedding-3-small"])
            == "invalid schema: function 'f': model 'text-embedding-3-small' is not available; vecnode's built-in model is all-MiniLM-L6-v2")
        #expect(check(["dim": "768"]) == "invalid schema: function 'f': dim 768 does not match the built-in model's 384 dimensions")
        #expect(check(["api_key": "x"])
            == "invalid schema: function 'f': unknown param 'api_key' (a TextEmbedding function accepts provider, model_name and dim)")
    }

    @Test func errorMessagesNameTheRowAndField() {
        #expect(FunctionError.outputProvided(function: "embed", field: "embedding", row: 3).description
            == "row 3: field 'embedding' is the output of function 'embed' and is computed by the server; send only the text, without 'embedding'")
        #expect(FunctionError.emptyText(function: "embed", field: "text", row: 0).isCallerError)
        #expect(FunctionError.emptyQuery(index: 2).description.hasPrefix("search text #2 is empty"))
    }

    // MARK: - with the model

    @Test func validateChecksTheModelDimension() throws {
        guard let runner = R.runner("validateChecksTheModelDimension") else { return }
        #expect(runner.dimension == 384)
        try runner.validate(R.schema)
        var wrong = R.schema
        wrong.fields[2].dimension = 128
        #expect(throws: SchemaError.invalid(field: nil, reason:
            "function 'embed': output field 'embedding' has dimension 128, but the text-embedding model produces 384")) {
            try runner.validate(wrong)
        }
        var badParams = R.schema
        badParams.functions[0].params = ["provider": "cohere"]
        #expect(throws: SchemaError.self) { try runner.validate(badParams) }
    }

    @Test func fillComputesTheVectorsOfRowsWithText() async throws {
        guard let runner = R.runner("fillComputesTheVectorsOfRowsWithText") else { return }
        let texts = ["machine learning", "A fast HTTP client for Python", "pdf parsing", "naïve café — ünïcode \"quotes\""]
        var rows: [[String: FieldValue]] = texts.enumerated().map { ["id": .int(Int64($0.offset)), "text": .string($0.element)] }
        let report = try await runner.fill(rows: &rows, schema: R.schema)
        #expect(report == FillReport(embedded: 4, truncatedRows: []))
        for (i, text) in texts.enumerated() {
            guard case .floatVector(let v)? = rows[i]["embedding"] else { Issue.record("row \(i) has no vector"); continue }
            #expect(v.count == 384)
            #expect(R.cosine(v, try runner.embedder.embed(text).vector) > 0.99999)
            #expect(rows[i]["text"] == .string(text) && rows[i]["id"] == .int(Int64(i)))
        }
        // The filled rows make a valid RowBatch.
        let batch = try RowBatch(schema: R.schema, rows: rows)
        #expect(batch.rowCount == 4)
        // A schema without functions leaves rows alone.
        var plain = R.schema
        plain.functions = []
        var untouched: [[String: FieldValue]] = [["id": .int(1), "text": .string("x")]]
        #expect(try await runner.fill(rows: &untouched, schema: plain) == FillReport())
        #expect(untouched[0]["embedding"] == nil)
    }

    @Test func fillRefusesBadRowsAndChangesNothing() async throws {
        guard let runner = R.runner("fillRefusesBadRowsAndChangesNothing") else { return }
        let good: [String: FieldValue] = ["id": .int(0), "text": .string("hello world")]
        func refusal(_ bad: [String: FieldValue]) async -> FunctionError? {
            var rows = [good, good, bad]
            let before = rows
            do {
                try await runner.fill(rows: &rows, schema: R.schema)
                return nil
            } catch {
                #expect(rows == before)
                return error
            }
        }
        #expect(await refusal(["id": .int(2), "text": .string("x"), "embedding": .floatVector([Float](repeating: 0, count: 384))])
            == .outputProvided(function: "embed", field: "embedding", row: 2))
        #expect(await refusal(["id": .int(2), "text": .string("x"), "embedding": .null])
            == .outputProvided(function: "embed", field: "embedding", row: 2))
        #expect(await refusal(["id": .int(2)]) == .missingInput(function: "embed", field: "text", row: 2))
        #expect(await refusal(["id": .int(2), "text": .null]) == .missingInput(function: "embed", field: "text", row: 2))
        #expect(await refusal(["id": .int(2), "text": .int(5)]) == .inputNotText(function: "embed", field: "text", row: 2, kind: "integer"))
        #expect(await refusal(["id": .int(2), "text": .string("")]) == .emptyText(function: "embed", field: "text", row: 2))
        #expect(await refusal(["id": .int(2), "text": .string(" \t\n\u{7}")]) == .emptyText(function: "embed", field: "text", row: 2))
    }

    @Test func overLongTextsAreTruncatedAndReported() async throws {
        guard let runner = R.runner("overLongTextsAreTruncatedAndReported") else { return }
        let long = Array(repeating: "vector databases index embeddings", count: 100).joined(separator: " ")  // 400 words
        var rows: [[String: FieldValue]] = [
            ["id": .int(0), "text": .string("short text")],
            ["id": .int(1), "text": .string(long)],
        ]
        let report = try await runner.fill(rows: &rows, schema: R.schema)
        #expect(report.truncatedRows == [1])
        let q = try await runner.embedQueries([long, "short text"], schema: R.schema, field: nil)
        #expect(q.truncated == [true, false])
        guard case .floatVector(let v)? = rows[1]["embedding"] else { Issue.record("no vector"); return }
        #expect(R.cosine(v, q.vectors[0..<384]) > 0.99999)
    }

    @Test func embedQueriesIsFlatOrderedAndCached() async throws {
        guard let runner = R.runner("embedQueriesIsFlatOrderedAndCached") else { return }
        runner.cache.removeAll()
        let texts = ["machine learning", "http client", "machine learning", "image processing"]
        let first = try await runner.embedQueries(texts, schema: R.schema, field: "embedding")
        #expect(first.field == "embedding" && first.dimension == 384 && first.count == 4)
        #expect(first.vectors.count == 4 * 384)
        #expect(first.truncated == [false, false, false, false])
        for (i, t) in texts.enumerated() {
            #expect(R.cosine(first.vectors[(i * 384)..<((i + 1) * 384)], try runner.embedder.embed(t).vector) > 0.99999)
        }
        #expect(first.vectors[0..<384] == first.vectors[(2 * 384)..<(3 * 384)])
        // Three distinct texts were embedded once each and cached; the repeat did not count as a second miss.
        #expect(runner.cache.count == 3)
        #expect(runner.cache.statistics.misses == 4 && runner.cache.statistics.hits == 0)
        let second = try await runner.embedQueries(["image processing", "machine learning"], schema: R.schema, field: nil)
        #expect(runner.cache.statistics.hits == 2)
        #expect(second.vectors[0..<384] == first.vectors[(3 * 384)..<(4 * 384)])
        #expect(second.vectors[384..<768] == first.vectors[0..<384])
        #expect(try await runner.embedQueries([], schema: R.schema, field: nil).vectors.isEmpty)
    }

    @Test func embedQueriesRefusesEmptyTextsAndUnknownFields() async throws {
        guard let runner = R.runner("embedQueriesRefusesEmptyTextsAndUnknownFields") else { return }
        await #expect(throws: FunctionError.emptyQuery(index: 2)) {
            try await runner.embedQueries(["ok", "fine", "   ", "also fine"], schema: R.schema, field: nil)
        }
        await #expect(throws: FunctionError.emptyQuery(index: 0)) {
            try await runner.embedQueries([""], schema: R.schema, field: nil)
        }
        await #expect(throws: FunctionError.noTextEmbeddingFunction(field: "id")) {
            try await runner.embedQueries(["ok"], schema: R.schema, field: "id")
        }
    }

    @Test func concurrentCallersAllGetTheirOwnResults() async throws {
        guard let runner = R.runner("concurrentCallersAllGetTheirOwnResults") else { return }
        let texts = (0..<16).map { "query number \($0) about vector search" }
        let expected = try texts.map { try runner.embedder.embed($0).vector }
        try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (i, t) in texts.enumerated() {
                group.addTask {
                    if i % 2 == 0 {
                        return (i, try await runner.embedQueries([t], schema: R.schema, field: nil).vectors)
                    }
                    var rows: [[String: FieldValue]] = [["id": .int(Int64(i)), "text": .string(t)]]
                    try await runner.fill(rows: &rows, schema: R.schema)
                    guard case .floatVector(let v)? = rows[0]["embedding"] else { return (i, []) }
                    return (i, v)
                }
            }
            for try await (i, v) in group { #expect(R.cosine(v, expected[i]) > 0.99999) }
        }
    }
}
