import Net

/// Limits, timeouts and threading of an `HTTPServer`. Every default is chosen for an API server on a
/// small machine; `validate()` rejects settings that cannot work.
public struct HTTPServerConfiguration: Sendable {
    /// Where to listen (default 127.0.0.1:0 — an ephemeral port; read the bound port from `HTTPServer.address`).
    public var address: SocketAddress
    /// Event-loop threads (default 1). Each runs one epoll instance; the listening socket is shared with
    /// EPOLLEXCLUSIVE so accepted connections spread over the loops. One loop keeps up with tens of
    /// thousands of small requests/s; add one on machines with more cores.
    public var loopThreads: Int = 1
    /// Maximum bytes of request line plus header fields, including the blank line (default 64 KiB) → 431.
    public var maxHeaderBytes: Int = 64 * 1024
    /// Maximum request-target length (default 8 KiB) → 414.
    public var maxURIBytes: Int = 8 * 1024
    /// Maximum number of header fields, trailers included (default 100) → 431.
    public var maxHeaderCount: Int = 100
    /// Maximum body size after de-chunking (default 64 MiB, Milvus's gRPC message limit) → 413.
    public var maxBodyBytes: Int = 64 << 20
    /// Requests of one connection that may be in flight (parsed, not yet answered) at once (default 16).
    /// Further pipelined requests wait in the socket buffer: a client cannot make the server queue
    /// unbounded work.
    public var maxPipelinedRequests: Int = 16
    /// Maximum open connections across all loops (default 10,000); further connections are closed on accept.
    public var maxConnections: Int = 10_000
    /// Seconds allowed from the first byte of a request to its last (default 30). Exceeded: 408, close.
    /// This is what defeats slowloris clients trickling a header byte at a time.
    public var readTimeout: Double = 30
    /// Seconds a keep-alive connection may sit idle between requests (default 60). Exceeded: close.
    public var idleTimeout: Double = 60
    /// Seconds a response may wait for the client to read it without any progress (default 30). Exceeded: close.
    public var writeTimeout: Double = 30
    /// When true, POST/PUT/PATCH without `Content-Length` or chunked body get 411. Default false:
    /// RFC 9112 says such a request has an empty body, and Milvus answers it with its own 1801 error.
    public var requireContentLength: Bool = false
    /// Fields added to every response, including the server's own error responses (e.g.
    /// `X-Upstream-Server: <node>`). Handlers should not set the same names. Default none.
    public var extraResponseHeaders = HTTPHeaders()
    /// Called on the event-loop thread for every response the server writes — handler responses, 404/405,
    /// parse errors and timeouts alike — so metrics see everything. It must be cheap and must not block
    /// (count into atomics or a lock-free histogram). Default nil.
    public var responseObserver: (@Sendable (HTTPExchange) -> Void)? = nil
    /// Where handlers run. nil (default): Swift's global concurrent executor. Pass a dedicated-thread
    /// executor for CPU-heavy handlers so they never occupy the cooperative pool; the event loops are
    /// OS threads of their own either way, so a slow handler never blocks network I/O.
    public var handlerExecutor: (any TaskExecutor)? = nil

    public init(address: SocketAddress) { self.address = address }

    /// 127.0.0.1 on an ephemeral port.
    public init() { self.address = try! SocketAddress(host: "127.0.0.1", port: 0) }

    /// Checks that every limit is positive and sensible.
    /// - Throws: `HTTPServerError.invalidConfiguration` naming the field.
    public func validate() throws {
        func check(_ ok: Bool, _ msg: String) throws {
            if !ok { throw HTTPServerError.invalidConfiguration(msg) }
        }
        try check((1...64).contains(loopThreads), "loopThreads must be in 1...64, got \(loopThreads)")
        try check(maxHeaderBytes >= 256, "maxHeaderBytes must be ≥ 256, got \(maxHeaderBytes)")
        try check(maxURIBytes >= 16 && maxURIBytes < maxHeaderBytes, "maxURIBytes must be in 16..<maxHeaderBytes, got \(maxURIBytes)")
        try check(maxHeaderCount >= 1, "maxHeaderCount must be ≥ 1")
        try check(maxBodyBytes >= 0, "maxBodyBytes must be ≥ 0")
        try check(maxPipelinedRequests >= 1, "maxPipelinedRequests must be ≥ 1")
        try check(maxConnections >= 1, "maxConnections must be ≥ 1")
        try check(readTimeout > 0 && idleTimeout > 0 && writeTimeout > 0, "timeouts must be positive")
    }
}

/// Errors starting or configuring an `HTTPServer`.
public enum HTTPServerError: Error, CustomStringConvertible, Sendable {
    case invalidConfiguration(String)
    case alreadyStarted
    case network(NetError)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): return "invalid HTTP server configuration: \(m)"
        case .alreadyStarted: return "HTTP server already started"
        case .network(let e): return "HTTP server: \(e)"
        }
    }
}

/// One answered request, as reported to `HTTPServerConfiguration.responseObserver`.
public struct HTTPExchange: Sendable {
    /// The request method; nil when the request was rejected before it was parsed (400, 413, 408, …).
    public let method: HTTPMethod?
    /// The registered route path that matched (also for 405); nil for 404s and rejected requests.
    /// Route strings come from the router, so their number is bounded: safe as a metrics label.
    public let route: String?
    /// The response status code.
    public let status: Int
    /// Nanoseconds from the request being fully received to its response being queued for sending
    /// (handler time plus queueing; excludes reading the request and the network write).
    public let durationNanoseconds: UInt64
    /// Body sizes in bytes.
    public let requestBodyBytes: Int
    public let responseBodyBytes: Int
}
