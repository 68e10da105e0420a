import Coordinator
import DataCoord
import Foundation
import Runtime
import Wire

extension RoleContext {
    /// datacoord: its meta store in `<data-dir>/datacoord`, its node id kept there too; the shared object store
    /// from `--object-store` (dropped collections are deleted there). It follows the catalog and the data
    /// nodes from its start on.
    func startDataCoord() async throws(RoleHostError) {
        guard let root = config.rootCoordinator else {
            throw .configuration("role datacoord needs the root coordinator's address: pass --rootcoord HOST:PORT")
        }
        let dir = try directory()
        try await prepareSession(as: .dataCoord, persistentIDIn: dir)
        let coord: DataCoord
        do {
            coord = try DataCoord(
                configuration: DataCoord.Configuration(dataDirectory: config.dataDirectory, objectStore: config.objectStoreDirectory,
                                                       rootCoord: WireAddress(host: root.host, port: root.port)),
                transport: transport, logger: log)
        } catch {
            throw .roleFailed(role, reason: "\(error)")
        }
        shutdown.add("datacoord") { await coord.close() }
        await coord.start()
        try await listen(coord.router())
        try await register()
    }
}
