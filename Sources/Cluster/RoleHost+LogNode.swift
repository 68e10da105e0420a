import Coordinator
import Node
import Runtime

extension RoleContext {
    /// lognode: the channels in `<data-dir>/lognode/channels`, its node id kept in `<data-dir>/lognode/node-id`.
    func startLogNode() async throws(RoleHostError) {
        let dir = try directory()
        try await prepareSession(as: .logNode, persistentIDIn: dir)
        let node: LogNode
        do {
            node = try LogNode(configuration: LogNode.Configuration(dataDirectory: dir), logger: log)
        } catch {
            throw .roleFailed(role, reason: error.description)
        }
        shutdown.add("lognode") { await node.stop() }
        try await listen(node.router())
        try await register()
    }
}
