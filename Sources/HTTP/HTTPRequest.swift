/// A complete HTTP request as handed to a handler: method, target, version, headers and the whole body
/// (already de-chunked; bounded by `HTTPServerConfiguration.maxBodyBytes`).
public struct HTTPRequest: Sendable {
    public let method: HTTPMethod
    public let version: HTTPVersion
    /// Header fields (case-insensitive lookup). For parsed requests the storage also holds the request
    /// line, which `path` and `query` point into.
    public let headers: HTTPHeaders
    /// The body bytes (empty when the request had none).
    public var body: [UInt8]
    /// `path` / `query` as offsets into `headers.storage`.
    let pathRange: Range<Int>
    let queryRange: Range<Int>?
    /// Whether the connection may stay open after this request (HTTP/1.1 without `Connection: close`,
    /// or HTTP/1.0 with `Connection: keep-alive`).
    public let keepAlive: Bool

    init(method: HTTPMethod, version: HTTPVersion, headers: HTTPHeaders, pathRange: Range<Int>,
         queryRange: Range<Int>?, keepAlive: Bool, body: [UInt8]) {
        self.method = method
        self.version = version
        self.headers = headers
        self.pathRange = pathRange
        self.queryRange = queryRange
        self.keepAlive = keepAlive
        self.body = body
    }

    /// Builds a request in memory (for tests and for in-process callers of a router).
    /// - Parameter target: origin-form target, e.g. `/v2/vectordb/entities/search?x=1`.
    public init(method: HTTPMethod, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        var h = headers
        let start = h.storage.count
        h.storage.append(contentsOf: target.utf8)
        let end = h.storage.count
        if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            let qo = start + target.utf8.distance(from: target.utf8.startIndex, to: q)
            pathRange = start..<qo
            queryRange = (qo + 1)..<end
        } else {
            pathRange = start..<end
            queryRange = nil
        }
        self.method = method
        self.version = .http1_1
        self.headers = h
        self.keepAlive = true
        self.body = body
    }

    /// The path component of the target, exactly as sent (not percent-decoded), e.g. `/health`.
    public var path: String { string(pathRange) }

    /// The query string after `?` (not decoded), or nil when there is none.
    public var query: String? { queryRange.map(string) }

    /// Calls `body` with the raw path bytes (no allocation; used by the router).
    @inline(__always)
    public func withPathBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try headers.storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[pathRange])) }
    }

    private func string(_ r: Range<Int>) -> String {
        headers.storage.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[r]), as: UTF8.self) }
    }
}
