import API
import Coordinator
import Foundation
import Node
import Runtime
import Wire

/// Runs one role of the cluster from a `NodeConfig` on a given transport: TCP when each role is its own
/// `vecnode` process, an `InMemoryNetwork` when `LocalCluster` runs them all in one process.
///
/// ```swift
/// let host = try await RoleHost.start(config: config, transport: tcp)   // serving and registered
/// …
/// await host.stop()                                                       // deregister, drain, close
/// ```
///
/// What starting a role does, in order: open the role's state in `<data-dir>/<role>` (created if missing),
/// serve its wire messages on `config.listen`, serve the HTTP API on `config.http` (proxy), then register with
/// the root coordinator at `config.rootCoordinator` and keep the lease (`NodeSessionKeeper`), so a node is
/// discoverable only once it answers. `stop()` undoes the same steps newest first: deregister, stop HTTP
/// (in-flight requests finish), stop the wire listener, close the role's files. A start that fails halfway
/// undoes what it did before throwing.
///
/// Node ids: durable roles (log node, query coordinator) keep the id rootcoord allocated them in
/// `<data-dir>/<role>/node-id`, so a restart is the same node; stateless roles (query node, proxy) get a
/// fresh id each start, since they rejoin empty.
public final class RoleHost: Sendable {
    /// The role running.
    public let role: Runtime.NodeRole
    /// Where the role's wire listener is bound (with the real port if 0 was configured); nil for the proxy,
    /// which serves HTTP only.
    public let wireAddress: WireAddress?
    /// Where the HTTP API is served (proxy), with the real port.
    public let httpAddress: HostPort?
    /// The node id rootcoord knows this node by (nil for rootcoord itself).
    public let nodeID: NodeID?
    private let shutdown: ShutdownSequence

    init(role: Runtime.NodeRole, wireAddress: WireAddress?, httpAddress: HostPort?, nodeID: NodeID?,
                 shutdown: ShutdownSequence) {
        self.role = role
        self.wireAddress = wireAddress
        self.httpAddress = httpAddress
        self.nodeID = nodeID
        self.shutdown = shutdown
    }

    /// Whether this build can run `role` as its own process, and if not, why.
    public static func unavailability(of role: Runtime.NodeRole) -> String? {
        switch role {
        case .rootcoord, .lognode, .querycoord, .querynode, .proxy, .standalone, .gateway, .datacoord, .datanode,
             .indexcoord, .indexnode:
            return nil
        }
    }

    /// Starts the role `config.role` (not `standalone`: see `LocalCluster`; `gateway` ignores `transport`, see
    /// `startGateway(config:logger:gatewayDefaults:)`).
    /// - Parameters:
    ///   - config: a configuration that passed `validate()`.
    ///   - transport: how this role listens and reaches the others.
    ///   - logger: the role's log; the role name and, once known, the node id are filled in.
    ///   - sessionTTL: rootcoord only: the lease of node sessions.
    /// - Throws: `RoleHostError`, after undoing whatever had started.
    public static func start(config: NodeConfig, transport: any WireTransport, logger: Logger? = nil,
                             sessionTTL: Duration = .seconds(2)) async throws(RoleHostError) -> RoleHost {
        guard let role = config.role, role != .standalone else {
            throw .configuration("RoleHost runs one cluster role; use LocalCluster for standalone")
        }
        if let reason = unavailability(of: role) { throw .unavailableRole(role, reason: reason) }
        if role == .gateway { return try startGateway(config: config, logger: logger) }
        let log = logger ?? Logger(role: role.rawValue)
        let context = RoleContext(config: config, role: role, transport: transport, log: log)
        do throws(RoleHostError) {
            switch role {
            case .rootcoord:
                try await context.startRootCoord(sessionTTL: sessionTTL)
            case .lognode:
                try await context.startLogNode()
            case .querycoord:
                try await context.startQueryCoord()
            case .querynode:
                try await context.startQueryNode()
            case .proxy:
                try await context.startProxy()
            case .datacoord:
                try await context.startDataCoord()
            case .datanode:
                try await context.startDataNode()
            case .indexcoord:
                try await context.startIndexCoord()
            case .indexnode:
                try await context.startIndexNode()
            case .standalone, .gateway:
                throw .unavailableRole(role, reason: unavailability(of: role) ?? "not wired")
            }
        } catch {
            await context.shutdown.run()
            throw error
        }
        let host = RoleHost(role: role, wireAddress: context.wireAddress, httpAddress: context.httpAddress,
                            nodeID: context.nodeID, shutdown: context.shutdown)
        context.log.info("ready", ["addr": context.wireAddress?.description ?? "-",
                                   "http": context.httpAddress?.description ?? "-"])
        return host
    }

    /// Stops the role cleanly: deregisters, lets in-flight HTTP requests finish, stops listening, closes the
    /// role's files. Idempotent.
    public func stop() async {
        await shutdown.run()
    }
}

/// What the role-specific start code works with, and what it leaves behind for `RoleHost`.
final class RoleContext: @unchecked Sendable {
    let config: NodeConfig
    let role: Runtime.NodeRole
    let transport: any WireTransport
    private(set) var log: Logger
    let shutdown: ShutdownSequence
    private(set) var wireAddress: WireAddress?
    var httpAddress: HostPort?
    private(set) var nodeID: NodeID?

    init(config: NodeConfig, role: Runtime.NodeRole, transport: any WireTransport, log: Logger) {
        self.config = config
        self.role = role
        self.transport = transport
        self.log = log
        shutdown = ShutdownSequence(log: log)
    }

    /// `<data-dir>/<name>` (default: the role's name), created if missing.
    func directory(_ name: String? = nil) throws(RoleHostError) -> String {
        let path = (config.dataDirectory as NSString).appendingPathComponent(name ?? role.rawValue)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .dataDirectory(path: path, reason: (error as NSError).localizedDescription)
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw .dataDirectory(path: path, reason: "not writable (\(String(cString: strerror(errno))))")
        }
        return path
    }

    /// Serves `handler` on `config.listen` until shutdown.
    func listen(_ handler: any MessageHandler) async throws(RoleHostError) {
        let address = WireAddress(host: config.listen.host, port: config.listen.port)
        let listener: any WireListener
        do {
            listener = try await transport.listen(on: address, handler: handler)
        } catch {
            throw .listen(address: address.description, error)
        }
        wireAddress = listener.address
        shutdown.add("wire listener") { await listener.stop() }
        log.info("listening", ["addr": listener.address.description])
    }

    /// Serves the HTTP API over `backend` on `config.httpAddress` until shutdown (in-flight requests finish).
    func serveAPI(_ backend: any APIBackend, node: String) throws(RoleHostError) {
        let server = try APIServer.start(backend: backend, address: config.httpAddress, node: node)
        httpAddress = HostPort(host: config.httpAddress.host, port: server.address.port)
        shutdown.add("http") { await server.shutdown(gracePeriod: APIServer.shutdownGracePeriod) }
        log.info("serving HTTP", ["addr": httpAddress!.description])
    }

    /// The address peers dial: `advertise`, else the bound wire address, else `listen`.
    var peerAddress: String {
        if let a = config.advertise { return a.description }
        return wireAddress?.description ?? config.listen.description
    }

    /// The session being prepared: what `register()` announces.
    private var session: (role: Coordinator.NodeRole, id: NodeID, root: HostPort)?

    /// Prepares this node's session as `role` and returns its node id: with `persistentIDIn`, the id in
    /// `<directory>/node-id` (allocated and written the first time); otherwise a fresh one from rootcoord.
    /// Call `register()` once the node serves.
    @discardableResult
    func prepareSession(as role: Coordinator.NodeRole, persistentIDIn directory: String?) async throws(RoleHostError) -> NodeID {
        guard let root = config.rootCoordinator else {
            throw .configuration("role \(self.role) needs the root coordinator's address: pass --rootcoord HOST:PORT")
        }
        let idFile = directory.map { ($0 as NSString).appendingPathComponent("node-id") }
        var id: NodeID
        if let idFile, let known = try NodeIDFile.read(idFile) {
            id = known
        } else {
            do {
                id = try await keeper(role: role, id: nil, root: root, address: "-").allocateNodeID(timeout: Self.joinTimeout)
            } catch {
                throw .join(error)
            }
            if let idFile { try NodeIDFile.write(id, to: idFile) }
        }
        session = (role, id, root)
        nodeID = id
        log = log.with(nodeID: String(id.rawValue))
        return id
    }

    private func keeper(role: Coordinator.NodeRole, id: NodeID?, root: HostPort, address: String) -> NodeSessionKeeper {
        NodeSessionKeeper(rootCoordinator: transport.client(for: WireAddress(host: root.host, port: root.port)),
                          rootCoordinatorAddress: root.description,
                          configuration: .init(role: role, address: address, nodeID: id), logger: log)
    }

    /// How long a node waits for rootcoord at start-up (it may be starting too).
    static let joinTimeout = Duration.seconds(15)

    /// Registers the prepared session, announcing `address` (default: `peerAddress`, known once listening),
    /// and keeps its lease until shutdown (deregistering first). Returns the keeper (its `sessionID` tells a
    /// role when the node registered again).
    @discardableResult
    func register(address: String? = nil) async throws(RoleHostError) -> NodeSessionKeeper {
        guard let session else { throw .configuration("internal: register() before prepareSession()") }
        let keeper = keeper(role: session.role, id: session.id, root: session.root, address: address ?? peerAddress)
        do {
            _ = try await keeper.start(timeout: Self.joinTimeout)
        } catch {
            throw .join(error)
        }
        shutdown.add("session") { await keeper.stop() }
        return keeper
    }
}
