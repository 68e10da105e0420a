import Coordinator
import Foundation
import Node
import Proxy
import Wire

/// An in-process cluster over `InMemoryNetwork` for proxy tests: a real root coordinator, and test
/// stand-ins for the log node, query nodes and query coordinator (Support/Fake*.swift), with a `Proxy`.
final class TestCluster {
    let network = InMemoryNetwork()
    let directory: String
    let rootCoord: RootCoord
    let logNode = FakeLogNode()
    let queryNodes: [FakeQueryNode]
    let queryCoord: FakeQueryCoord
    let proxy: Proxy
    private var listeners: [any WireListener] = []
    private var nodeListeners: [any WireListener] = []

    static let rootAddress = WireAddress(host: "rootcoord", port: 1)
    static let logAddress = WireAddress(host: "lognode", port: 1)
    static let queryCoordAddress = WireAddress(host: "querycoord", port: 1)

    init(queryNodes count: Int = 1, embedding: (any ProxyEmbedding)? = nil, configure: (inout ProxyConfiguration) -> Void = { _ in }) async throws {
        directory = NSTemporaryDirectory() + "proxy-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        rootCoord = try RootCoord(configuration: RootCoord.Configuration(dataDirectory: directory + "/rootcoord"))
        listeners.append(try await network.listen(on: Self.rootAddress, handler: rootCoord.router()))
        listeners.append(try await network.listen(on: Self.logAddress, handler: logNode.router()))
        var nodes: [FakeQueryNode] = []
        var placements: [(id: NodeID, address: WireAddress)] = []
        for i in 0..<count {
            let address = WireAddress(host: "querynode\(i)", port: 1)
            let node = FakeQueryNode(nodeID: NodeID(Int64(100 + i)), network: network, logNode: Self.logAddress,
                                     directory: directory + "/querynode\(i)")
            nodeListeners.append(try await network.listen(on: address, handler: node.router()))
            nodes.append(node)
            placements.append((NodeID(Int64(100 + i)), address))
        }
        queryNodes = nodes
        queryCoord = FakeQueryCoord(network: network, rootCoord: Self.rootAddress, logNode: Self.logAddress, nodes: placements)
        listeners.append(try await network.listen(on: Self.queryCoordAddress, handler: queryCoord.router()))
        var config = ProxyConfiguration(rootCoord: Self.rootAddress)
        config.queryCoord = Self.queryCoordAddress
        config.logNode = Self.logAddress
        config.nodeID = 7
        config.requestTimeout = .seconds(60)
        configure(&config)
        proxy = try Proxy(configuration: config, transport: network, embedding: embedding)
    }

    /// Stops query node `i`'s listener (the node "dies").
    func stopQueryNode(_ i: Int) async { await nodeListeners[i].stop() }

    func shutdown() async {
        for l in nodeListeners + listeners { await l.stop() }
        proxy.close()
        await rootCoord.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
