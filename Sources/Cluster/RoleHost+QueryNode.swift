import Coordinator
import Node
import Runtime
import Wire

extension RoleContext {
    /// querynode: a fresh node id each start (it rejoins empty), scratch space in
    /// `<data-dir>/querynode/querynode-<id>` (wiped by the node), a `CPUExecutor` of `cpu-threads` threads at
    /// `cpu-niceness` for searches and seals. One query node per data directory: a lock file enforces it, and
    /// lets the node remove scratch directories that killed predecessors left behind. Stopping it first drains
    /// it (`QueryNodeDrainOnStop`: its copies move to other nodes, bounded by 30 s).
    func startQueryNode() async throws(RoleHostError) {
        let dir = try directory()
        let lock = try DirectoryLock(directory: dir, role: role)
        shutdown.add("querynode lock") { lock.release() }
        lock.removeEntries(prefixed: "querynode-", log: log)
        let id = try await prepareSession(as: .queryNode, persistentIDIn: nil)
        let cpu: CPUExecutor
        do {
            cpu = try CPUExecutor(name: "querynode", threads: config.cpuThreads, niceness: config.cpuNiceness)
        } catch {
            throw .roleFailed(role, reason: "cannot start the search threads: \(error)")
        }
        shutdown.add("querynode threads") { cpu.shutdown() }
        let node: QueryNode
        do {
            var configuration = QueryNode.Configuration(nodeID: id, dataDirectory: dir)
            configuration.objectStore = config.objectStoreDirectory  // replicas load flushed shards from here
            node = try QueryNode(configuration: configuration,
                                 transport: transport, cpu: cpu, logger: log)
        } catch {
            throw .roleFailed(role, reason: error.description)
        }
        shutdown.add("querynode") { await node.close() }
        try await listen(node.router())
        try await register()
        // Added last, so it runs first on stop: the copies move to other nodes while this one still serves.
        if let root = config.rootCoordinator {
            let drain = QueryNodeDrainOnStop(
                nodeID: id, rootCoordinator: transport.client(for: WireAddress(host: root.host, port: root.port)),
                transport: transport, wait: QueryNodeDrainOnStop.defaultWait, log: log)
            shutdown.add("drain") { await drain.run() }
        }
    }
}
