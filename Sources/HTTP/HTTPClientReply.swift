/// A response as an HTTP client receives it: status, header fields in order, the whole body (de-chunked),
/// and whether the connection may carry another request.
public struct HTTPClientReply: Sendable, Equatable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var keepAlive: Bool

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8], keepAlive: Bool) {
        self.status = status
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.name.lowercased() == n }?.value
    }

    public static func == (a: HTTPClientReply, b: HTTPClientReply) -> Bool {
        a.status == b.status && a.body == b.body && a.keepAlive == b.keepAlive
            && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
    }
}

/// Why an HTTP client exchange produced no reply.
public enum HTTPClientFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The TCP connection could not be made (nothing was sent).
    case connect
    /// No complete reply within the deadline.
    case timeout
    /// The connection broke after the request was (possibly) sent.
    case connection
    /// The reply was not valid HTTP/1.x or exceeded a limit.
    case malformed(String)

    public var description: String {
        switch self {
        case .connect: "connection refused or unreachable"
        case .timeout: "timed out"
        case .connection: "connection lost"
        case .malformed(let m): "malformed reply: \(m)"
        }
    }
}
