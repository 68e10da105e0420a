import Gateway
import Net
import Runtime

extension RoleHost {
    /// Starts the `gateway` role: an HTTP load balancer on `config.httpAddress` (default: `--listen`) in front
    /// of the proxies in `config.upstreams` (least connections, active health checks, `X-Upstream-Server`; see
    /// `Gateway`). It joins no cluster (no secret, no rootcoord, no wire listener): it only speaks HTTP to the
    /// addresses it was given, so it also runs in front of proxies of a cluster it cannot authenticate to.
    /// Every upstream going down or up is logged (`upstream down` at warn, `upstream up` at info).
    /// - Parameters:
    ///   - config: a validated configuration with role `gateway`.
    ///   - gatewayDefaults: settings the flags do not cover (timeouts, threads); `listen` and `upstreams` are
    ///     replaced by the configuration's.
    /// - Throws: `RoleHostError.configuration` for a wrong role, unresolvable addresses or invalid settings,
    ///   `.http` when the listener cannot bind.
    public static func startGateway(config: NodeConfig, logger: Logger? = nil,
                                    gatewayDefaults: GatewayConfiguration? = nil) throws(RoleHostError) -> RoleHost {
        guard config.role == .gateway else { throw .configuration("startGateway runs role gateway, not \(config.role?.rawValue ?? "none")") }
        let log = logger ?? Logger(role: NodeRole.gateway.rawValue)
        let listen: SocketAddress
        var upstreams: [SocketAddress] = []
        do {
            listen = try SocketAddress(host: config.httpAddress.host, port: config.httpAddress.port)
            for u in config.upstreams { upstreams.append(try SocketAddress(host: u.host, port: u.port)) }
        } catch {
            throw .configuration("gateway: \(error) (use numeric IP addresses or resolvable host names)")
        }
        var settings = gatewayDefaults ?? GatewayConfiguration(listen: listen, upstreams: upstreams)
        settings.listen = listen
        settings.upstreams = upstreams
        let gateway: Gateway
        do {
            gateway = try Gateway(configuration: settings) { name, healthy in
                if healthy {
                    log.info("upstream up", ["upstream": name])
                } else {
                    log.warn("upstream down", ["upstream": name])
                }
            }
            try gateway.start()
        } catch let error as GatewayError {
            throw .configuration(error.description)
        } catch {
            throw .http(address: config.httpAddress.description, reason: "\(error)")
        }
        let shutdown = ShutdownSequence(log: log)
        shutdown.add("gateway") { await gateway.shutdown(gracePeriod: APIServer.shutdownGracePeriod) }
        let address = HostPort(host: config.httpAddress.host, port: gateway.address.port)
        log.info("ready", ["http": address.description,
                           "upstreams": config.upstreams.map(\.description).joined(separator: ",")])
        return RoleHost(role: .gateway, wireAddress: nil, httpAddress: address, nodeID: nil, shutdown: shutdown)
    }
}
