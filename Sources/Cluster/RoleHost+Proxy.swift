import Coordinator
import Proxy
import Runtime
import Wire

extension RoleContext {
    /// proxy: stateless, a fresh node id each start; serves the HTTP API on `http` (default: `listen`) and
    /// registers that address, so clients and gateways can find proxies with `ListLiveNodes(role: .proxy)`.
    /// It has no wire listener: nothing calls a proxy over the wire protocol.
    func startProxy() async throws(RoleHostError) {
        guard let root = config.rootCoordinator else {
            throw .configuration("role proxy needs the root coordinator's address: pass --rootcoord HOST:PORT")
        }
        let id = try await prepareSession(as: .proxy, persistentIDIn: nil)
        let cpu: CPUExecutor
        do {
            cpu = try CPUExecutor(name: "proxy", threads: config.cpuThreads, niceness: config.cpuNiceness)
        } catch {
            throw .roleFailed(role, reason: "cannot start the proxy threads: \(error)")
        }
        shutdown.add("proxy threads") { cpu.shutdown() }
        var configuration = ProxyConfiguration(rootCoord: WireAddress(host: root.host, port: root.port))
        configuration.nodeID = id.rawValue
        let proxy: Proxy
        do {
            proxy = try Proxy(configuration: configuration, transport: transport, cpu: cpu, embedding: loadTextEmbedding())
        } catch {
            throw .roleFailed(role, reason: "\(error)")
        }
        shutdown.add("proxy") { proxy.close() }
        try serveAPI(proxy, node: "proxy-\(id.rawValue)")
        try await register(address: httpAddress?.description)
    }
}
