import API
import HTTP
import Net
import Runtime

/// The HTTP API of a proxy (or of a standalone cluster): the Milvus REST v2 routes, the seed's `/health` and
/// `/search`, `/metrics`, `/openapi.json` and the web console `/console` over one `APIBackend`, served by an `HTTPServer`.
enum APIServer {
    /// Binds `address` and starts serving. Every response names the node in `X-Upstream-Server`.
    /// - Throws: `RoleHostError.http` when the address cannot be bound.
    static func start(backend: any APIBackend, address: HostPort, node: String) throws(RoleHostError) -> HTTPServer {
        let metrics = APIMetrics()
        var router = HTTPRouter()
        MilvusRESTRoutes(backend: backend, auth: .disabled, metrics: metrics).register(on: &router)
        SeedRoutes(backend: backend, auth: .disabled).register(on: &router)
        metrics.register(on: &router, sources: (backend as? any MetricsSource).map { [$0] } ?? [])
        OpenAPIDocument.register(on: &router)
        ConsoleRoutes().register(on: &router)
        do {
            var config = HTTPServerConfiguration(address: try SocketAddress(host: address.host, port: address.port))
            config.extraResponseHeaders = SeedRoutes.upstreamHeaders(node: node)
            config.responseObserver = { metrics.observe($0) }
            let server = try HTTPServer(configuration: config, router: router)
            try server.start()
            return server
        } catch {
            throw .http(address: address.description, reason: "\(error)")
        }
    }

    /// Seconds in-flight requests get to finish at shutdown before their connections are closed.
    static let shutdownGracePeriod = 10.0
}
