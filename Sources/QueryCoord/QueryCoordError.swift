import Coordinator
import Wire

/// Why a query-coordinator operation failed. Sent to callers as a `WireError` with the codes in
/// `QueryCoordErrorCodes.swift` (1300…1399).
public enum QueryCoordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `replicaNumber` replica groups need that many distinct live query nodes.
    case notEnoughQueryNodes(replicas: Int, live: Int)
    /// No live log node to replay channels from.
    case noLogNode
    /// Query nodes refused to load replicas (one line per failure: node, shard, error).
    case loadFailed(CollectionID, [String])
    /// Not every replica was serving within the load timeout; loading continues in the background.
    case loadTimedOut(CollectionID, progress: Int)
    /// `ReleaseCollection` ran while a load of the collection was waiting.
    case released(CollectionID)
    /// A stored placement record did not decode or broke an invariant: the query coordinator's meta store
    /// is damaged (restore it from a backup, or delete `<data-dir>/querycoord` and load the collections again).
    case corruptState(key: String, reason: String)
    /// A `QueryCoord.Configuration` value is out of range.
    case invalidConfiguration(String)
    /// Draining `node` would leave collection `collection` (loaded as `replicas` replica groups) only
    /// `remaining` query nodes that are live and not draining: R groups need R distinct nodes.
    case drainRefused(node: NodeID, collection: CollectionID, replicas: Int, remaining: Int)
    /// The node named in a drain is not a live query node.
    case queryNodeNotLive(NodeID)

    public var description: String {
        switch self {
        case .notEnoughQueryNodes(let replicas, let live):
            return "replica number \(replicas) needs \(replicas) distinct live query nodes but only \(live) "
                + (live == 1 ? "is" : "are") + " live: start more query nodes or lower replicaNumber"
        case .noLogNode:
            return "no log node is live, so no shard replica can replay its channel: start a log node"
        case .loadFailed(let id, let failures):
            return "loading \(id) failed: " + failures.joined(separator: "; ")
        case .loadTimedOut(let id, let progress):
            return "\(id) is not fully loaded yet (\(progress) %); loading goes on: poll its load state"
        case .released(let id):
            return "\(id) was released while it was loading"
        case .corruptState(let key, let reason):
            return "query coordinator meta record \(key) is damaged (\(reason)): restore the meta store or "
                + "delete <data-dir>/querycoord and load the collections again"
        case .invalidConfiguration(let reason):
            return "invalid query coordinator configuration: \(reason)"
        case .drainRefused(let node, let collection, let replicas, let remaining):
            return "cannot drain query node \(node.rawValue): \(collection) is loaded as \(replicas) replica groups, which "
                + "need \(replicas) distinct query nodes, and only \(remaining) would be left live and not draining: start "
                + "another query node first, or lower the collection's replicaNumber"
        case .queryNodeNotLive(let node):
            return "query node \(node.rawValue) is not a live query node (unknown, or already left): nothing to drain"
        }
    }
}

extension QueryCoordError: WireErrorConvertible {
    public var wireError: WireError {
        switch self {
        case .notEnoughQueryNodes: WireError(.notEnoughQueryNodes, description)
        case .noLogNode: WireError(.noLogNode, retriable: true, description)
        case .loadFailed: WireError(.loadFailed, description)
        case .loadTimedOut: WireError(.loadTimedOut, retriable: true, description)
        case .released: WireError(.collectionReleased, description)
        case .corruptState: WireError(.metaStoreCorrupt, description)
        case .invalidConfiguration: WireError(.invalidConfiguration, description)
        case .drainRefused: WireError(.drainRefused, description)
        case .queryNodeNotLive: WireError(.queryNodeNotLive, description)
        }
    }
}
