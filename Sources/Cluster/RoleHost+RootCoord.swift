import Coordinator
import Foundation
import Runtime

extension RoleContext {
    /// rootcoord: the meta store in `<data-dir>/rootcoord`, the lease ticker, the wire listener. It does not
    /// register a session with itself.
    func startRootCoord(sessionTTL: Duration) async throws(RoleHostError) {
        let dir = try directory()
        var configuration = RootCoord.Configuration(dataDirectory: dir)
        configuration.sessionTTL = sessionTTL
        let coord: RootCoord
        do {
            coord = try RootCoord(configuration: configuration)
        } catch {
            throw .roleFailed(role, reason: "\(error)")
        }
        shutdown.add("rootcoord") { await coord.close() }
        await coord.startLeaseTicker()
        try await listen(coord.router())
    }
}
