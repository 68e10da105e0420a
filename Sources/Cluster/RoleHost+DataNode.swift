import Coordinator
import Node
import Runtime

extension RoleContext {
    /// datanode: a fresh node id each start (it rejoins empty), scratch space (the shards' volatile logs) in
    /// `<data-dir>/datanode/datanode-<id>` (wiped by the node), flushed shards in `--object-store`, flushing
    /// every `--flush-interval`. One data node per data directory (a lock file).
    func startDataNode() async throws(RoleHostError) {
        let dir = try directory()
        let lock = try DirectoryLock(directory: dir, role: role)
        shutdown.add("datanode lock") { lock.release() }
        lock.removeEntries(prefixed: "datanode-", log: log)
        let id = try await prepareSession(as: .dataNode, persistentIDIn: nil)
        var configuration = DataNode.Configuration(nodeID: id, dataDirectory: dir, objectStore: config.objectStoreDirectory)
        configuration.flushInterval = .milliseconds(config.flushIntervalMilliseconds)
        let node: DataNode
        do {
            node = try DataNode(configuration: configuration, transport: transport, logger: log)
        } catch {
            throw .roleFailed(role, reason: error.description)
        }
        shutdown.add("datanode") { await node.close() }
        await node.start()
        try await listen(node.router())
        let keeper = try await register()
        // Fencing, approximately: a node whose session was lost (its lease lapsed, or rootcoord restarted) may
        // have had its channels reassigned meanwhile, so it stops writing them at once; the data coordinator
        // watches again whatever it still assigns here (the shard reopens from the manifest).
        let registered = await keeper.sessionID
        let fence = Task {
            var current = registered
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                let now = await keeper.sessionID
                if let now, now != current {
                    current = now
                    await node.unwatchAll(reason: "this node's session was replaced (lease lapsed or rootcoord restarted)")
                }
            }
        }
        shutdown.add("datanode session fence") { fence.cancel() }
    }
}
