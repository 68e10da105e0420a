import Coordinator
import Foundation
import Node
import Proxy
import QueryCoord
import Runtime
import Wire

/// The real roles in one process over `InMemoryNetwork`: root coordinator, log node, query nodes, query
/// coordinator, and a proxy that discovers the query coordinator and the log node through sessions. Nodes
/// register and renew their sessions here (a small loop; the runtime's session keeper replaces it in the
/// `vecnode` binary).
final class RealCluster: @unchecked Sendable {
    let network = InMemoryNetwork(defaultTimeout: .seconds(30))
    let directory: String
    let rootCoord: RootCoord
    let logNode: LogNode
    let queryNodes: [QueryNode]
    let queryCoord: QueryCoord
    let proxy: Proxy
    private let cpu: CPUExecutor
    private var listeners: [any WireListener] = []
    private var nodeListeners: [any WireListener] = []
    private var renewals: [Task<Void, Never>] = []
    private var nodeRenewals: [Task<Void, Never>] = []

    static let rootAddress = WireAddress(host: "rootcoord", port: 1)
    static let logAddress = WireAddress(host: "lognode", port: 1)
    static let queryCoordAddress = WireAddress(host: "querycoord", port: 1)

    init(queryNodes count: Int = 1, configure: (inout ProxyConfiguration) -> Void = { _ in }) async throws {
        directory = NSTemporaryDirectory() + "proxy-real-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let quiet: @Sendable (String) -> Void = { _ in }
        var rootConfig = RootCoord.Configuration(dataDirectory: directory + "/rootcoord")
        rootConfig.sessionTTL = .seconds(2)
        rootCoord = try RootCoord(configuration: rootConfig)
        await rootCoord.startLeaseTicker()
        listeners.append(try await network.listen(on: Self.rootAddress, handler: rootCoord.router()))
        let root = network.client(for: Self.rootAddress)

        logNode = try LogNode(configuration: LogNode.Configuration(dataDirectory: directory + "/lognode"), logger: Logger(role: "lognode", sink: quiet))
        listeners.append(try await network.listen(on: Self.logAddress, handler: logNode.router()))
        renewals.append(try await Self.register(root, NodeID(900), .logNode, Self.logAddress))

        cpu = try CPUExecutor(name: "test-search", threads: 2)
        var nodes: [QueryNode] = []
        for i in 0..<count {
            let id = NodeID(Int64(100 + i))
            var config = QueryNode.Configuration(nodeID: id, dataDirectory: directory + "/querynodes")
            config.pollWait = .milliseconds(200)
            let node = try QueryNode(configuration: config, transport: network, cpu: cpu, logger: Logger(role: "querynode", sink: quiet))
            let address = WireAddress(host: "querynode\(i)", port: 1)
            nodeListeners.append(try await network.listen(on: address, handler: node.router()))
            nodeRenewals.append(try await Self.register(root, id, .queryNode, address))
            nodes.append(node)
        }
        queryNodes = nodes

        var qcConfig = QueryCoord.Configuration(dataDirectory: directory + "/querycoord", rootCoord: Self.rootAddress)
        qcConfig.pollInterval = .milliseconds(50)
        qcConfig.maintenanceInterval = .milliseconds(300)
        qcConfig.retryInterval = .milliseconds(200)
        qcConfig.loadTimeout = .seconds(60)
        queryCoord = try QueryCoord(configuration: qcConfig, transport: network, logger: Logger(role: "querycoord", sink: quiet))
        await queryCoord.start()
        listeners.append(try await network.listen(on: Self.queryCoordAddress, handler: queryCoord.router()))
        renewals.append(try await Self.register(root, NodeID(800), .queryCoord, Self.queryCoordAddress))

        var config = ProxyConfiguration(rootCoord: Self.rootAddress)
        config.nodeID = 7
        config.requestTimeout = .seconds(60)
        configure(&config)
        proxy = try Proxy(configuration: config, transport: network)
    }

    /// Registers a session and renews it every half second until cancelled.
    static func register(_ root: any WireClient, _ id: NodeID, _ role: Coordinator.NodeRole, _ address: WireAddress) async throws -> Task<Void, Never> {
        let request = RegisterSession(nodeID: id, role: role, address: address.description)
        let grant = try await root.call(request)
        return Task {
            var session = grant.sessionID
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                do {
                    _ = try await root.call(RenewSession(sessionID: session))
                } catch {
                    if let again = try? await root.call(request) { session = again.sessionID }
                }
            }
        }
    }

    /// Query node `i` dies: its listener stops and its lease runs out.
    func killQueryNode(_ i: Int) async {
        nodeRenewals[i].cancel()
        await nodeListeners[i].stop()
    }

    func shutdown() async {
        for t in renewals + nodeRenewals { t.cancel() }
        for l in nodeListeners + listeners { await l.stop() }
        await queryCoord.close()
        for n in queryNodes { await n.close() }
        await logNode.stop()
        proxy.close()
        cpu.shutdown()
        await rootCoord.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
