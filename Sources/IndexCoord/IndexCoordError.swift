import Wire

/// Why the index coordinator could not start or serve.
public enum IndexCoordError: Error, Sendable, Equatable, CustomStringConvertible, WireErrorConvertible {
    /// A stored build record did not decode: the coordinator's meta store is damaged.
    case corruptState(key: String, reason: String)
    /// A `IndexCoord.Configuration` value is out of range.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .corruptState(let key, let reason):
            return "index coordinator meta record \(key) is damaged (\(reason)): restore the meta store or delete "
                + "<data-dir>/indexcoord (the coordinator then rediscovers every segment from object storage)"
        case .invalidConfiguration(let reason):
            return "invalid index coordinator configuration: \(reason)"
        }
    }

    public var wireError: WireError {
        switch self {
        case .corruptState: WireError(.metaStoreCorrupt, description)
        case .invalidConfiguration: WireError(.invalidConfiguration, description)
        }
    }
}
