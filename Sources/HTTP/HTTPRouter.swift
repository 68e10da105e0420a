import JSON

/// Maps method + exact path to a handler.
///
/// Paths are compared byte for byte as sent (case-sensitive, not percent-decoded, query excluded).
/// A path with no route → 404; a path whose routes do not include the method → 405 with an `Allow`
/// header. HEAD falls back to the GET handler (the server drops the body). Matching allocates nothing.
public struct HTTPRouter: Sendable {
    /// A request handler. Runs as an async task off the event loop; see
    /// `HTTPServerConfiguration.handlerExecutor` for keeping CPU-heavy handlers off the cooperative pool.
    /// Throw `HTTPError` to answer with a status; `JSONError` becomes 400; anything else becomes 500.
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    struct Route: Sendable {
        let method: HTTPMethod
        let path: [UInt8]
        let pattern: String
        let handler: Handler
    }

    /// Routes bucketed by a hash of the path bytes.
    private var table: [UInt64: [Route]] = [:]

    /// Handles every request no route matches (instead of 404/405), e.g. a reverse proxy forwarding
    /// whatever it receives. Its metrics label is `"*"`.
    public var fallback: Handler?

    public init() {}

    /// The outcome of matching a request.
    public enum Match: Sendable {
        case handler(Handler)
        case notFound
        case methodNotAllowed(allowed: [HTTPMethod])
    }

    /// Adds (or replaces) the handler for `method` + `path`.
    /// - Precondition: `path` starts with "/" (API misuse otherwise).
    public mutating func add(_ method: HTTPMethod, _ path: String, _ handler: @escaping Handler) {
        precondition(path.hasPrefix("/"), "route path must start with '/': \(path)")
        let bytes = Array(path.utf8)
        let h = bytes.withUnsafeBufferPointer(HTTPRouter.hash)
        var routes = table[h] ?? []
        routes.removeAll { $0.method == method && $0.path == bytes }
        routes.append(Route(method: method, path: bytes, pattern: path, handler: handler))
        table[h] = routes
    }

    /// Every registered route as (method, path), sorted by path then method: lets tests check that
    /// documentation (an OpenAPI document) covers what is served. The fallback is not listed.
    public var routes: [(method: HTTPMethod, path: String)] {
        table.values.joined().map { ($0.method, $0.pattern) }.sorted { ($0.path, $0.method.rawValue) < ($1.path, $1.method.rawValue) }
    }

    public mutating func get(_ path: String, _ handler: @escaping Handler) { add(.GET, path, handler) }
    public mutating func post(_ path: String, _ handler: @escaping Handler) { add(.POST, path, handler) }

    /// Finds the handler for `method` and raw `path` bytes.
    public func match(method: HTTPMethod, path: UnsafeBufferPointer<UInt8>) -> Match {
        matchRoute(method: method, path: path).match
    }

    /// `match` plus the registered path that matched (nil for 404), a bounded label set for metrics.
    func matchRoute(method: HTTPMethod, path: UnsafeBufferPointer<UInt8>) -> (match: Match, route: String?) {
        let found = matchTable(method: method, path: path)
        if let fallback {
            switch found.match {
            case .handler: return found
            case .notFound, .methodNotAllowed: return (.handler(fallback), "*")
            }
        }
        return found
    }

    private func matchTable(method: HTTPMethod, path: UnsafeBufferPointer<UInt8>) -> (match: Match, route: String?) {
        guard let bucket = table[HTTPRouter.hash(path)] else { return (.notFound, nil) }
        var allowed: [HTTPMethod] = []
        var get: Handler? = nil
        var pattern: String? = nil
        for r in bucket where r.path.count == path.count && r.path.withUnsafeBufferPointer({ memcmpEqual($0.baseAddress!, path.baseAddress!, path.count) }) {
            if r.method == method { return (.handler(r.handler), r.pattern) }
            if r.method == .GET { get = r.handler }
            allowed.append(r.method)
            pattern = r.pattern
        }
        if method == .HEAD, let g = get { return (.handler(g), pattern) }
        if allowed.isEmpty { return (.notFound, nil) }
        if get != nil && !allowed.contains(.HEAD) { allowed.append(.HEAD) }
        return (.methodNotAllowed(allowed: allowed), pattern)
    }

    /// Finds the handler for a request.
    public func match(_ request: HTTPRequest) -> Match {
        request.withPathBytes { match(method: request.method, path: $0) }
    }

    /// Routes and runs a request in process (no sockets): what the server does, minus the wire.
    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        switch match(request) {
        case .handler(let h): return await HTTPRouter.run(h, request)
        case .notFound: return HTTPRouter.notFound(request)
        case .methodNotAllowed(let allowed): return HTTPRouter.methodNotAllowed(request, allowed)
        }
    }

    static func run(_ h: Handler, _ request: HTTPRequest) async -> HTTPResponse {
        do {
            return try await h(request)
        } catch let e as HTTPError {
            return e.response
        } catch let e as JSONError {
            return .error(.badRequest, "invalid JSON body: \(e)")
        } catch {
            return .error(.internalServerError, "\(error)")
        }
    }

    static func notFound(_ r: HTTPRequest) -> HTTPResponse {
        .error(.notFound, "no route for \(r.path)")
    }

    static func methodNotAllowed(_ r: HTTPRequest, _ allowed: [HTTPMethod]) -> HTTPResponse {
        var resp = HTTPResponse.error(.methodNotAllowed, "method \(r.method.rawValue) not allowed for \(r.path)")
        resp.headers.add(name: "allow", value: allowed.map(\.rawValue).joined(separator: ", "))
        return resp
    }

    /// FNV-1a over the path bytes (stable, cheap for short paths).
    @inline(__always)
    static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in p { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
