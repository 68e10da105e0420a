import Coordinator
import Wire

/// Errors of the data coordinator.
public enum DataCoordError: Error, Sendable, Equatable, CustomStringConvertible, WireErrorConvertible {
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// A record of the meta store does not decode (the store is damaged or from another version).
    case corruptState(key: String, reason: String)
    /// The collection is not in the catalog.
    case collectionNotFound(CollectionID)
    /// A shard of the collection has no data node serving it within the flush deadline.
    case noDataNode(CollectionID, shard: Int, String)
    /// No live log node.
    case noLogNode

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): "invalid data coordinator configuration: \(m)"
        case .corruptState(let key, let reason):
            "the data coordinator's record \(key) is damaged: \(reason); restore the meta store or delete the record"
        case .collectionNotFound(let id): "\(id) is not in the catalog"
        case .noDataNode(let id, let shard, let why):
            "no data node serves shard \(shard) of \(id): \(why); start a data node (or wait for the reassignment) and retry"
        case .noLogNode: "no log node is live; start one and retry"
        }
    }

    public var wireError: WireError {
        switch self {
        case .invalidConfiguration: WireError(.invalidConfiguration, description)
        case .corruptState: WireError(.handlerFailed, description)
        case .collectionNotFound: WireError(.collectionNotFound, description)
        case .noDataNode: WireError(.noDataNode, retriable: true, description)
        case .noLogNode: WireError(.dataCoordNoLogNode, retriable: true, description)
        }
    }
}
