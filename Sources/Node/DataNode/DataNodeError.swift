import Coordinator
import Shard
import Wire

/// Wire error codes of the data coordinator and data nodes (role codes 1700…1799; the 1400s and 1500s are
/// the query and log nodes'). Invalid requests use the shared `invalidArgument` (1002).
extension WireError.Code {
    /// The data node does not watch this channel (never assigned, unwatched, or the node restarted empty): ask
    /// the data coordinator, which reassigns it.
    public static let channelNotWatched = WireError.Code(1700)
    /// Flushing a shard failed (catch-up timed out, the object store failed); the message says which.
    public static let flushFailed = WireError.Code(1701)
    /// The data node is shutting down or closed.
    public static let dataNodeClosed = WireError.Code(1702)
}

/// Errors of the data node.
public enum DataNodeError: Error, Sendable, Equatable, CustomStringConvertible, WireErrorConvertible {
    /// The request cannot be served as sent (bad log node address, shard out of range).
    case invalidRequest(String)
    /// The channel of this shard is not watched here.
    case notWatched(ShardRef)
    /// The shard's channel could not be opened or consumed (reason given).
    case channelUnavailable(ShardRef, String)
    /// Flushing failed (reason given).
    case flushFailed(ShardRef, String)
    /// The node is closed.
    case closed
    /// The node could not start (configuration, scratch directory, threads).
    case startup(String)

    public var description: String {
        switch self {
        case .invalidRequest(let m): "invalid data node request: \(m)"
        case .notWatched(let r): "this data node does not watch the channel of \(r); ask the data coordinator"
        case .channelUnavailable(let r, let m): "the channel of \(r) cannot be consumed here: \(m)"
        case .flushFailed(let r, let m): "flushing \(r) failed: \(m); retry the flush"
        case .closed: "the data node is closed"
        case .startup(let m): "the data node could not start: \(m)"
        }
    }

    public var wireError: WireError {
        switch self {
        case .invalidRequest: WireError(.invalidArgument, description)
        case .notWatched: WireError(.channelNotWatched, retriable: true, description)
        case .channelUnavailable: WireError(.flushFailed, retriable: true, description)
        case .flushFailed: WireError(.flushFailed, retriable: true, description)
        case .closed: WireError(.dataNodeClosed, retriable: true, description)
        case .startup: WireError(.handlerFailed, description)
        }
    }
}
