import API
import Functions
import Proxy
import Shard

/// The proxy's text embedding (`ProxyEmbedding`) over the built-in model: a `Functions.FunctionRunner`.
///
/// Input problems (`FunctionError.isCallerError`: an output field sent with the row, missing or empty text,
/// no TextEmbedding function for the field) become 1100 with the runner's message; a model problem stays a
/// server error.
struct FunctionRunnerEmbedding: ProxyEmbedding {
    let runner: FunctionRunner

    func embedQueries(_ texts: [String], function: CollectionFunction, schema: CollectionSchema) async throws -> EmbeddedQueries {
        let result: QueryEmbeddings
        do {
            result = try await runner.embedQueries(texts, schema: schema, field: function.outputFieldNames.first)
        } catch {
            throw Self.apiError(error)
        }
        return EmbeddedQueries(vectors: result.vectors, truncated: result.truncated)
    }

    func fillEmbeddings(_ rows: inout [[String: FieldValue]], function: CollectionFunction, schema: CollectionSchema) async throws {
        var only = schema
        only.functions = schema.functions.filter { $0.name == function.name }
        var filled = rows
        do {
            try await runner.fill(rows: &filled, schema: only)
        } catch {
            throw Self.apiError(error)
        }
        rows = filled
    }

    /// 1100 with the runner's message for bad input; the error itself for server problems.
    static func apiError(_ e: FunctionError) -> any Error {
        e.isCallerError ? APIError.invalidParameter(e.description) : e
    }
}

extension RoleContext {
    /// The built-in text model for collections' TextEmbedding functions, loaded from `config.modelDirectory`;
    /// nil (and a warning naming `scripts/fetch-model.sh`) when the files are absent or the directory is
    /// empty, so the proxy still serves everything but text.
    func loadTextEmbedding() -> (any ProxyEmbedding)? {
        guard !config.modelDirectory.isEmpty else { return nil }
        do {
            let runner = try FunctionRunner.load(modelDirectory: config.modelDirectory)
            shutdown.add("text embedding") { runner.shutdown() }
            log.info("text embedding ready", ["model": config.modelDirectory])
            return FunctionRunnerEmbedding(runner: runner)
        } catch {
            log.warn("text embedding disabled", ["reason": error.description])
            return nil
        }
    }
}
