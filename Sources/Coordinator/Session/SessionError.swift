/// Why a session operation was refused.
public enum SessionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The session expired, was replaced by a newer registration of the node, or never existed: the node
    /// must register again (and treat itself as a restarted node).
    case unknownSession(SessionID)
    /// A registration's fields are invalid (empty or too long address, non-positive node id).
    case invalidRegistration(String)

    public var description: String {
        switch self {
        case .unknownSession(let id):
            return "\(id) is not live (expired, replaced or unknown): register again"
        case .invalidRegistration(let reason):
            return "invalid node registration: \(reason)"
        }
    }
}
