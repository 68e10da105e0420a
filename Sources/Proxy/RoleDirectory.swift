import Coordinator
import Synchronization
import Wire

/// Addresses of the query coordinator and the log node: configured, or the live session of that role with
/// the lowest node id (from the root coordinator's `ListLiveNodes`), cached until a call to it fails.
final class RoleDirectory: Sendable {
    private let rootCoord: any WireClient
    private let fixed: [NodeRole: WireAddress]
    private let cached = Mutex<[NodeRole: WireAddress]>([:])

    init(rootCoord: any WireClient, fixed: [NodeRole: WireAddress]) {
        self.rootCoord = rootCoord
        self.fixed = fixed
    }

    /// The address of `role`, looking it up when not cached.
    func address(of role: NodeRole, options: CallOptions) async throws -> WireAddress {
        if let a = fixed[role] ?? cached.withLock({ $0[role] }) { return a }
        let live = try await rootCoord.call(ListLiveNodes(role: role), options: options)
        guard let session = live.sessions.min(by: { $0.nodeID < $1.nodeID }) else {
            throw ProxyError.roleUnavailable(role.description)
        }
        let address = try WireAddress(parsing: session.address)
        cached.withLock { $0[role] = address }
        return address
    }

    /// Forgets a discovered address after a failed call, so the next call looks it up again.
    func forget(_ role: NodeRole) { _ = cached.withLock { $0.removeValue(forKey: role) } }
}
