import HTTP
import JSON
import Net
import Synchronization

/// The `gateway` role: an HTTP load balancer in front of the proxies (the seed's NGINX). Every request is
/// forwarded to one healthy proxy chosen by least connections; `X-Upstream-Server` on the reply names the
/// proxy that served it (the proxy's own header is kept; the gateway adds the upstream's address when the
/// reply has none). Active health checks (`GET /health` every `healthInterval`) take proxies out and put
/// them back; transport failures count too.
///
/// Retries: a request that could not be sent (connection refused, reset before sending) goes to another
/// proxy; a request that failed after being sent, or got 502/503/504, is retried on another proxy only if it
/// is a read (see ``GatewayConfiguration/isRetriable(method:path:)``), so an insert is never applied twice.
/// When every proxy has failed the client gets 502 with a JSON message.
///
/// `GET /gateway/status` answers the gateway's own view: every upstream, its health and load.
public final class Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let balancer: Balancer
    private let pool: ForwardingPool
    private let server: HTTPServer
    private let prober: HealthProber

    /// Binds the listener (port 0 picks a free port) and starts the forwarding threads; call ``start()``.
    /// `onHealthChange` hears every upstream going down or up (name, healthy), e.g. to log it.
    public init(configuration: GatewayConfiguration, onHealthChange: (@Sendable (String, Bool) -> Void)? = nil) throws {
        try configuration.validate()
        self.configuration = configuration
        let upstreams = configuration.upstreams.map { Upstream(name: $0.description, address: $0) }
        let balancer = Balancer(upstreams: upstreams)
        self.balancer = balancer
        let pool = try ForwardingPool(upstreams: configuration.upstreams, threads: configuration.forwardingThreads,
                                      connectTimeout: configuration.connectTimeout,
                                      requestTimeout: configuration.requestTimeout)
        self.pool = pool
        prober = HealthProber(upstreams: upstreams, configuration: configuration, onChange: onHealthChange)
        var router = HTTPRouter()
        router.get("/gateway/status") { _ in .json(Gateway.status(balancer)) }
        let config = configuration
        router.fallback = { request in
            await Gateway.forward(request, balancer: balancer, pool: pool, configuration: config, onHealthChange: onHealthChange)
        }
        var http = HTTPServerConfiguration(address: configuration.listen)
        http.maxBodyBytes = configuration.maxBodyBytes
        http.loopThreads = configuration.loopThreads
        server = try HTTPServer(configuration: http, router: router)
    }

    /// Where the gateway listens (with the real port when 0 was configured).
    public var address: SocketAddress { server.address }

    public func start() throws {
        try server.start()
        prober.start()
    }

    /// Stops accepting, lets requests in flight finish (up to `gracePeriod` seconds), stops probing and the
    /// forwarding threads.
    public func shutdown(gracePeriod: Double = 10) async {
        await server.shutdown(gracePeriod: gracePeriod)
        prober.stop()
        pool.shutdown()
    }

    static func forward(_ request: HTTPRequest, balancer: Balancer, pool: ForwardingPool,
                        configuration: GatewayConfiguration,
                        onHealthChange: (@Sendable (String, Bool) -> Void)? = nil) async -> HTTPResponse {
        let bytes = RequestEncoder.encode(request)
        let retriable = GatewayConfiguration.isRetriable(method: request.method, path: request.path)
        var tried = Set<Int>()
        var lastProblem = "no upstream configured"
        while tried.count < configuration.maxAttempts, let i = balancer.pick(excluding: tried) {
            tried.insert(i)
            let upstream = balancer.upstreams[i]
            upstream.begin()
            let result = await pool.forward(bytes, idempotent: retriable, to: i)
            switch result {
            case .success(let reply):
                let unavailable = reply.status == 502 || reply.status == 503 || reply.status == 504
                if let change = upstream.end(succeeded: !unavailable, downAfter: configuration.failuresToMarkDown) {
                    onHealthChange?(upstream.name, change)
                }
                if unavailable && retriable {
                    lastProblem = "\(upstream.name) answered \(reply.status)"
                    continue
                }
                return response(from: reply, upstream: upstream)
            case .failure(let failure):
                if let change = upstream.end(succeeded: false, downAfter: configuration.failuresToMarkDown) {
                    onHealthChange?(upstream.name, change)
                }
                lastProblem = "\(upstream.name): \(failure)"
                // Not sent at all: always safe to try elsewhere. Sent: only reads.
                if failure == .connect || retriable { continue }
                return .json(["error": .string("upstream \(upstream.name) failed after the request was sent (\(failure)); "
                                  + "not retried because the request may have been applied")], status: HTTPStatus(code: 502))
            }
        }
        return .json(["error": .string("no upstream could serve the request: \(lastProblem)")], status: HTTPStatus(code: 502))
    }

    static func response(from reply: HTTPClientReply, upstream: Upstream) -> HTTPResponse {
        var headers = HTTPHeaders()
        var named = false
        for (name, value) in reply.headers {
            switch name.lowercased() {
            case "connection", "keep-alive", "transfer-encoding", "content-length", "date", "server": continue
            case "x-upstream-server": named = true
            default: break
            }
            headers.add(name: name, value: value)
        }
        if !named { headers.add(name: "X-Upstream-Server", value: upstream.name) }
        return HTTPResponse(status: HTTPStatus(code: reply.status), headers: headers, body: reply.body)
    }

    static func status(_ balancer: Balancer) -> JSONValue {
        .object(["upstreams": .array(balancer.upstreams.map { u in
            let c = u.counters
            return .object(["address": .string(u.name), "healthy": .bool(u.isHealthy), "inFlight": .int(Int64(u.inFlight)),
                            "served": .int(Int64(c.served)), "failed": .int(Int64(c.failed))])
        })])
    }
}
