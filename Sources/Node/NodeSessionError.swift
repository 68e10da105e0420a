import Wire

/// Why a node could not join the cluster.
public enum NodeSessionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No registration succeeded within the start timeout; `lastError` is the last call's failure.
    case rootCoordinatorUnreachable(address: String, waitedMilliseconds: Int64, lastError: WireError)
    /// The root coordinator refused the registration itself (not retriable: e.g. an invalid address).
    case registrationRefused(WireError)
    /// `start()` was called on a keeper that is already running or was stopped.
    case notIdle

    public var description: String {
        switch self {
        case let .rootCoordinatorUnreachable(address, waited, lastError):
            return "could not register with rootcoord at \(address) within \(waited) ms (last error: \(lastError)); "
                + "check that rootcoord is running there and that the cluster secret matches"
        case let .registrationRefused(error):
            return "rootcoord refused the registration: \(error)"
        case .notIdle:
            return "the session keeper was already started; create a new one to register again"
        }
    }
}
