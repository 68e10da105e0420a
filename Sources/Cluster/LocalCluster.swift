import Coordinator
import Foundation
import Runtime
import Wire

/// Every role of the cluster in this process, over an `InMemoryNetwork`: rootcoord, a log node, query
/// nodes, a data node, the query and data coordinators, an index node, the index coordinator and a proxy serving
/// the HTTP API. `vecnode --role standalone` runs one; tests start one on an ephemeral HTTP port.
///
/// ```swift
/// var configuration = LocalCluster.Configuration(dataDirectory: "./vecnode-data")
/// configuration.http = HostPort(host: "127.0.0.1", port: 19530)
/// let cluster = try await LocalCluster.start(configuration)
/// …
/// await cluster.stop()
/// ```
///
/// Each role runs exactly as in its own process (`RoleHost`: same start-up, sessions, shutdown), only the
/// transport differs. Data layout under the data directory: `rootcoord/` (meta store), `lognode/`
/// (channels, node id), `querycoord/` (meta store, node id), `querynodes/<i>/querynode/` (scratch, wiped at
/// start), `datacoord/` (meta store, node id), `datanodes/1/datanode/` (scratch), `indexcoord/` (meta store, node
/// id), `objects/` (the object store of flushed shards and their index objects). A standalone data directory can
/// therefore not be opened by a second standalone at the same time (the meta stores are locked), and everything
/// acknowledged is back after a restart.
public final class LocalCluster: Sendable {
    /// What to run.
    public struct Configuration: Sendable {
        /// Root of every role's durable state (created if missing).
        public var dataDirectory: String
        /// Where the proxy serves HTTP (port 0: any free port; see `httpAddress`). Default 127.0.0.1:19530.
        public var http = HostPort(host: "127.0.0.1", port: 19530)
        /// Query nodes (1…16). Default 1.
        public var queryNodes = 1
        /// Search threads per query node and the proxy's threads, and their niceness.
        public var cpuThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        public var cpuNiceness: Int32 = 10
        /// Lease of node sessions. Default 2 s.
        public var sessionTTL: Duration = .seconds(2)
        /// Where log lines go; nil: standard error.
        public var logSink: (@Sendable (String) -> Void)?
        /// How often the data node flushes channels with unflushed data. Default 10 s.
        public var flushIntervalMilliseconds = 10_000
        /// The text model for TextEmbedding functions (nil: none, texts are refused).
        public var modelDirectory: String?

        public init(dataDirectory: String) { self.dataDirectory = dataDirectory }

        /// The settings of a `standalone` node configuration: its data directory, HTTP address (`http`, else
        /// `listen`) and CPU settings.
        public init(standalone config: NodeConfig) {
            dataDirectory = config.dataDirectory
            http = config.httpAddress
            cpuThreads = config.cpuThreads
            cpuNiceness = config.cpuNiceness
            modelDirectory = config.modelDirectory
            flushIntervalMilliseconds = config.flushIntervalMilliseconds
        }
    }

    /// Where the HTTP API answers (the real port when 0 was configured).
    public let httpAddress: HostPort
    /// The network the roles talk over (tests may call roles directly on it).
    public let network: InMemoryNetwork
    /// The roles, in start order.
    public let hosts: [RoleHost]

    /// In-memory address of the root coordinator.
    public static let rootCoordinatorAddress = HostPort(host: "rootcoord", port: 1)

    private init(httpAddress: HostPort, network: InMemoryNetwork, hosts: [RoleHost]) {
        self.httpAddress = httpAddress
        self.network = network
        self.hosts = hosts
    }

    /// Starts rootcoord, the log node, the query nodes, the data node, the query and data coordinators, the index
    /// node, the index coordinator and the proxy, in that order, each registered before the next starts; returns
    /// when the HTTP API is served.
    /// - Throws: `RoleHostError` (after stopping the roles already started).
    public static func start(_ configuration: Configuration) async throws(RoleHostError) -> LocalCluster {
        guard (1...16).contains(configuration.queryNodes) else {
            throw .configuration("query nodes must be 1...16, got \(configuration.queryNodes)")
        }
        let network = InMemoryNetwork()
        var hosts: [RoleHost] = []
        func logger(_ role: String) -> Logger {
            if let sink = configuration.logSink { return Logger(role: role, sink: sink) }
            return Logger(role: role)
        }
        func config(_ role: Runtime.NodeRole, port: UInt16, dataDirectory: String? = nil) -> NodeConfig {
            var c = NodeConfig(environment: [:])
            c.role = role
            c.listen = HostPort(host: role.rawValue, port: port)
            c.rootCoordinator = rootCoordinatorAddress
            c.dataDirectory = dataDirectory ?? configuration.dataDirectory
            c.cpuThreads = configuration.cpuThreads
            c.cpuNiceness = configuration.cpuNiceness
            c.modelDirectory = configuration.modelDirectory ?? ""
            c.objectStore = (configuration.dataDirectory as NSString).appendingPathComponent("objects")
            c.flushIntervalMilliseconds = configuration.flushIntervalMilliseconds
            if role == .proxy { c.http = configuration.http }
            return c
        }
        var plan: [(NodeConfig, String)] = [
            (config(.rootcoord, port: rootCoordinatorAddress.port), "rootcoord"),
            (config(.lognode, port: 1), "lognode"),
        ]
        for i in 1...configuration.queryNodes {
            let dir = (configuration.dataDirectory as NSString).appendingPathComponent("querynodes/\(i)")
            plan.append((config(.querynode, port: UInt16(i), dataDirectory: dir), "querynode"))
        }
        plan.append((config(.datanode, port: 1,
                            dataDirectory: (configuration.dataDirectory as NSString).appendingPathComponent("datanodes/1")), "datanode"))
        plan.append((config(.querycoord, port: 1), "querycoord"))
        plan.append((config(.datacoord, port: 1), "datacoord"))
        plan.append((config(.indexnode, port: 1), "indexnode"))
        plan.append((config(.indexcoord, port: 1), "indexcoord"))
        plan.append((config(.proxy, port: 1), "proxy"))
        do throws(RoleHostError) {
            for (c, name) in plan {
                hosts.append(try await RoleHost.start(config: c, transport: network, logger: logger(name),
                                                      sessionTTL: configuration.sessionTTL))
            }
        } catch {
            for host in hosts.reversed() { await host.stop() }
            throw error
        }
        guard let http = hosts.last?.httpAddress else {
            for host in hosts.reversed() { await host.stop() }
            throw .roleFailed(.standalone, reason: "the proxy started without an HTTP address")
        }
        return LocalCluster(httpAddress: http, network: network, hosts: hosts)
    }

    /// Stops every role, newest first (proxy, index coordinator, index node, data and query coordinators, data
    /// node, query nodes, log node, rootcoord): HTTP requests in flight finish, sessions are deregistered, files
    /// closed. Idempotent.
    public func stop() async {
        for host in hosts.reversed() { await host.stop() }
    }
}
