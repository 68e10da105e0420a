import HTTP
import Net

/// Settings of the gateway role. Defaults suit a handful of proxies on one host or a LAN.
public struct GatewayConfiguration: Sendable {
    /// Where clients connect (the seed's NGINX listened on 8000).
    public var listen: SocketAddress
    /// The proxies' HTTP addresses.
    public var upstreams: [SocketAddress]
    /// Threads carrying requests to the proxies: the most requests in flight toward them (default 128).
    public var forwardingThreads = 128
    /// HTTP event-loop threads accepting clients (default 1).
    public var loopThreads = 1
    /// Seconds to connect to a proxy (default 1).
    public var connectTimeout = 1.0
    /// Seconds for a proxy to answer one request (default 30).
    public var requestTimeout = 30.0
    /// Seconds between active health checks of each proxy (default 0.5).
    public var healthInterval = 0.5
    /// Consecutive failed checks or requests that mark a proxy down (default 2); one passing check marks it up.
    public var failuresToMarkDown = 2
    /// Most proxies one request is tried on (default 3).
    public var maxAttempts = 3
    /// Largest request body accepted (default 64 MiB, as the proxies).
    public var maxBodyBytes = 64 << 20

    public init(listen: SocketAddress, upstreams: [SocketAddress]) {
        self.listen = listen
        self.upstreams = upstreams
    }

    /// Checks every field's range.
    /// - Throws: `GatewayError.invalidConfiguration` naming the field.
    public func validate() throws(GatewayError) {
        guard !upstreams.isEmpty else { throw .invalidConfiguration("at least one upstream is required (--upstreams HOST:PORT,...)") }
        guard upstreams.count <= 256 else { throw .invalidConfiguration("at most 256 upstreams, got \(upstreams.count)") }
        guard (1...4096).contains(forwardingThreads) else { throw .invalidConfiguration("forwardingThreads must be in 1...4096") }
        guard (1...64).contains(loopThreads) else { throw .invalidConfiguration("loopThreads must be in 1...64") }
        guard connectTimeout > 0, requestTimeout > 0, healthInterval > 0 else {
            throw .invalidConfiguration("timeouts and the health interval must be positive")
        }
        guard failuresToMarkDown >= 1, maxAttempts >= 1 else { throw .invalidConfiguration("failuresToMarkDown and maxAttempts must be at least 1") }
    }

    /// Whether a request may be sent again to another proxy after it reached one that failed: reads only
    /// (GET/HEAD, and the POST endpoints that do not change data), never writes or DDL.
    public static func isRetriable(method: HTTPMethod, path: String) -> Bool {
        if method == .GET || method == .HEAD { return true }
        guard method == .POST else { return false }
        if path == "/search" { return true }
        guard let action = path.split(separator: "/").last else { return false }
        return readActions.contains(String(action))
    }

    static let readActions: Set<String> = [
        "search", "query", "get", "describe", "list", "has", "get_load_state", "get_stats", "get_replicas",
        "hybrid_search", "advanced_search",
    ]
}

/// Gateway set-up errors.
public enum GatewayError: Error, CustomStringConvertible, Equatable {
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): "gateway configuration: \(m)"
        }
    }
}
