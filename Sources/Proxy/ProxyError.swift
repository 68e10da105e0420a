import API
import Coordinator
import Wire

/// Failures the proxy itself detects (as opposed to errors relayed from other roles), each with the
/// Milvus code the API answers (``apiError``).
public enum ProxyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Texts given but no embedding model is wired into this proxy.
    case noEmbeddingModel(collection: String)
    /// No live node of a role the operation needs.
    case roleUnavailable(String)
    /// Every replica of a shard failed within the deadline.
    case shardUnavailable(collection: String, shard: Int, reason: String)
    /// A node's reply does not decode against the collection's schema.
    case invalidReply(String)
    /// The feature exists in Milvus but not in this build.
    case unsupported(String)

    public var description: String {
        switch self {
        case .noEmbeddingModel(let c):
            return "no embedding model loaded: collection \(c) needs text embedding, and this proxy was started without a model"
        case .roleUnavailable(let r): return "no live \(r) is registered with the root coordinator; start one"
        case .shardUnavailable(let c, let s, let reason): return "shard \(s) of collection \(c) is unavailable on every replica: \(reason)"
        case .invalidReply(let r): return "invalid reply from a node: \(r)"
        case .unsupported(let r): return "not supported in this build: \(r)"
        }
    }

    /// The API error for this failure.
    public var apiError: APIError {
        switch self {
        case .noEmbeddingModel, .unsupported: APIError.invalidParameter(description)
        case .roleUnavailable, .shardUnavailable: APIError(code: APIError.Code.serviceUnavailable, message: description)
        case .invalidReply: APIError(code: APIError.Code.unexpected, message: description)
        }
    }
}

extension APIError {
    /// Maps a role's wire error to Milvus's code: catalog errors to 100/202/700/702/800/1100/1600/1602,
    /// user errors to 1100, transport failures (peer down, deadline) to 2 "service unavailable", the rest
    /// to 65535. The message is the remote one.
    static func from(_ e: WireError) -> APIError {
        let code: Int
        switch e.code {
        case .collectionNotFound: code = Code.collectionNotFound
        case .partitionNotFound: code = Code.partitionNotFound
        case .indexNotFound: code = Code.indexNotFound
        case .indexExists: code = Code.indexDuplicate
        case .databaseNotFound: code = Code.databaseNotFound
        case .aliasNotFound: code = Code.aliasNotFound
        case .aliasExists: code = Code.aliasAlreadyExists
        case .invalidName, .invalidArgument, .invalidSchema, .collectionExists, .collectionHasAliases, .partitionExists,
             .cannotDropDefaultPartition, .databaseExists, .databaseNotEmpty, .limitExceeded,
             .invalidUserName, .invalidPassword, .userExists, .userNotFound, .wrongPassword, .cannotDropRoot,
             .drainRefused, .queryNodeNotLive:
            code = Code.invalidParameter
        case .unavailable, .connectionClosed, .deadlineExceeded, .shuttingDown: code = Code.serviceUnavailable
        default: code = Code.unexpected
        }
        return APIError(code: code, message: e.message)
    }

    /// Any error as an API error: `APIError` as is, `ProxyError` and `WireError` mapped; the rest
    /// (schema, filter, row-batch errors) pass through for the routes to map.
    static func mapped(_ error: any Error) -> any Error {
        switch error {
        case let e as ProxyError: e.apiError
        case let e as WireError: APIError.from(e)
        default: error
        }
    }
}
