import Coordinator
import Foundation
import IndexCoord
import Runtime
import Wire

extension RoleContext {
    /// indexcoord: its meta store in `<data-dir>/indexcoord`, its node id kept there too. It scans the object
    /// storage (`--object-store`, default `<data-dir>/objects`) every second and dispatches builds to the
    /// live index nodes from its start on.
    func startIndexCoord() async throws(RoleHostError) {
        guard let root = config.rootCoordinator else {
            throw .configuration("role indexcoord needs the root coordinator's address: pass --rootcoord HOST:PORT")
        }
        let dir = try directory()
        try await prepareSession(as: .indexCoord, persistentIDIn: dir)
        let coord: IndexCoord
        do {
            // IndexCoord keeps its store in `<dataDirectory>/indexcoord`: the same directory as `dir`.
            coord = try IndexCoord(
                configuration: IndexCoord.Configuration(dataDirectory: config.dataDirectory,
                                                        objectStore: config.objectStoreDirectory,
                                                        rootCoord: WireAddress(host: root.host, port: root.port)),
                transport: transport, logger: log)
        } catch {
            throw .roleFailed(role, reason: "\(error)")
        }
        shutdown.add("indexcoord") { await coord.close() }
        await coord.start()
        try await listen(coord.router())
        try await register()
    }
}
