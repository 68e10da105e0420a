import Coordinator
import Node
import Runtime

extension RoleContext {
    /// indexnode: a fresh node id each start (it keeps nothing and rejoins empty). Builds read and write the
    /// object storage (`--object-store`, default `<data-dir>/objects`), one at a time with `cpu-threads`
    /// threads at `cpu-niceness`; a few more wait in its queue, beyond which it refuses (retriable).
    func startIndexNode() async throws(RoleHostError) {
        try await prepareSession(as: .indexNode, persistentIDIn: nil)
        var configuration = IndexNode.Configuration(objectStore: config.objectStoreDirectory)
        configuration.threadsPerBuild = config.cpuThreads
        configuration.niceness = config.cpuNiceness
        let node: IndexNode
        do {
            node = try IndexNode(configuration: configuration, logger: log)
        } catch {
            throw .roleFailed(role, reason: error.description)
        }
        shutdown.add("indexnode") { await node.close() }
        try await listen(node.router())
        try await register()
    }
}
