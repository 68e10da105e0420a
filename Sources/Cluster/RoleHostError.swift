import Node
import Runtime
import Wire

/// Why a role could not start. Every case is one line saying what failed and what to do; `vecnode` prints it
/// and exits (status 3 for `unavailableRole`, 1 otherwise).
public enum RoleHostError: Error, Sendable, CustomStringConvertible {
    /// The role is valid but this build has no implementation of it.
    case unavailableRole(NodeRole, reason: String)
    /// The data directory (or the role's subdirectory) cannot be created or used.
    case dataDirectory(path: String, reason: String)
    /// The wire listener could not bind.
    case listen(address: String, WireError)
    /// The HTTP server could not start (e.g. the port is in use).
    case http(address: String, reason: String)
    /// The node could not register with the root coordinator.
    case join(NodeSessionError)
    /// The role itself failed to open (e.g. its meta store is locked by another process or damaged).
    case roleFailed(NodeRole, reason: String)
    /// The configuration cannot run as given (missing secret, root coordinator…); see `NodeConfig.validate()`.
    case configuration(String)

    public var description: String {
        switch self {
        case let .unavailableRole(role, reason):
            return "role \(role) is not available in this build: \(reason)"
        case let .dataDirectory(path, reason):
            return "data directory \(path): \(reason); pass --data-dir DIR with a writable directory"
        case let .listen(address, error):
            return "\(error.message.contains(address) ? error.message : "cannot listen on \(address): \(error.message)"); "
                + "choose another --listen address"
        case let .http(address, reason):
            return "cannot serve HTTP on \(address): \(reason); choose another --http address"
        case let .join(error):
            return "cannot join the cluster: \(error)"
        case let .roleFailed(role, reason):
            return "\(role) failed to start: \(reason)"
        case let .configuration(message):
            return message
        }
    }
}
