import Coordinator
import Shard
import Wire

/// Wire error codes of the query node (role codes start at 1000; 14xx for the 0x04xx role). Invalid requests
/// use the shared `invalidArgument` (1002).
extension WireError.Code {
    /// The node holds no replica of the shard (never loaded, released, or the node restarted empty): refresh
    /// the routes from the query coordinator and retry on another replica.
    public static let replicaNotFound = WireError.Code(1400)
    /// The replica exists but cannot serve now (still loading, closing, or failed): retry on another replica.
    public static let replicaUnavailable = WireError.Code(1401)
    /// The replica could not catch up as the read's guarantee demands (log node unreachable, catch-up timed
    /// out): retry on another replica or later.
    public static let catchUpFailed = WireError.Code(1402)
    /// The query node is shutting down or closed.
    public static let queryNodeClosed = WireError.Code(1403)
}

/// Errors of the query node and its shard replicas.
public enum QueryNodeError: Error, Sendable, Equatable, CustomStringConvertible, WireErrorConvertible {
    /// The request cannot be served as sent (wrong dimension, unknown field, bad filter, k out of range…).
    case invalidRequest(String)
    /// No replica of this shard is hosted here.
    case replicaNotFound(ShardRef)
    /// The replica is hosted but cannot serve: loading, released meanwhile, or failed (reason given).
    case replicaUnavailable(ShardRef, String)
    /// Catching up for a read's guarantee failed (reason given).
    case catchUpFailed(ShardRef, String)
    /// The node is closed.
    case closed
    /// The node could not start (scratch directory, executor threads).
    case startup(String)

    public var description: String {
        switch self {
        case .invalidRequest(let m): "invalid request: \(m)"
        case .replicaNotFound(let r): "this query node holds no replica of \(r); refresh the routes and retry elsewhere"
        case .replicaUnavailable(let r, let m): "the replica of \(r) cannot serve: \(m); retry on another replica"
        case .catchUpFailed(let r, let m): "the replica of \(r) could not catch up: \(m); retry on another replica or later"
        case .closed: "the query node is closed"
        case .startup(let m): "the query node could not start: \(m)"
        }
    }

    public var wireError: WireError {
        switch self {
        case .invalidRequest: WireError(.invalidArgument, description)
        case .replicaNotFound: WireError(.replicaNotFound, retriable: true, description)
        case .replicaUnavailable: WireError(.replicaUnavailable, retriable: true, description)
        case .catchUpFailed: WireError(.catchUpFailed, retriable: true, description)
        case .closed: WireError(.queryNodeClosed, retriable: true, description)
        case .startup: WireError(.handlerFailed, description)
        }
    }

    /// Maps a shard read's failure: the caller's mistakes become `invalidRequest`, the rest make the replica
    /// unavailable (closed under the read, or damaged).
    static func fromRead(_ error: ShardError, _ ref: ShardRef) -> QueryNodeError {
        switch error {
        case .invalidArgument(let m): .invalidRequest(m)
        case .filter(let e): .invalidRequest("filter: \(e)")
        case .rowBatch(let e): .invalidRequest("\(e)")
        case .vector(let e): .invalidRequest("\(e)")
        case .schema(let m): .invalidRequest(m)
        case .closed, .log, .objectStore, .corrupt, .timestampRegression: .replicaUnavailable(ref, "\(error)")
        }
    }
}
