import Coordinator
import Foundation
import QueryCoord
import Runtime
import Wire

extension RoleContext {
    /// querycoord: its meta store in `<data-dir>/querycoord`, its node id kept there too. It follows
    /// membership from rootcoord and (re)places replicas from its start on.
    func startQueryCoord() async throws(RoleHostError) {
        guard let root = config.rootCoordinator else {
            throw .configuration("role querycoord needs the root coordinator's address: pass --rootcoord HOST:PORT")
        }
        let dir = try directory()
        try await prepareSession(as: .queryCoord, persistentIDIn: dir)
        let coord: QueryCoord
        do {
            // QueryCoord keeps its store in `<dataDirectory>/querycoord`: the same directory as `dir`.
            coord = try QueryCoord(
                configuration: QueryCoord.Configuration(dataDirectory: config.dataDirectory,
                                                        rootCoord: WireAddress(host: root.host, port: root.port)),
                transport: transport, logger: log)
        } catch {
            throw .roleFailed(role, reason: "\(error)")
        }
        shutdown.add("querycoord") { await coord.close() }
        await coord.start()
        try await listen(coord.router())
        try await register()
    }
}
