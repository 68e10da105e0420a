import HTTP

/// How one request failed, as counted in a load report ("errors by kind").
///
/// | kind | meaning |
/// |---|---|
/// | `connect` | TCP connect refused, unreachable or timed out |
/// | `timeout` | no complete reply within the request timeout |
/// | `connection` | the server reset or closed the connection before a reply began |
/// | `http` | a reply with a status other than 200 (the status is kept) |
/// | `envelope` | HTTP 200 with a Milvus envelope `code` ≠ 0 (the code is kept) |
/// | `malformed` | the reply is not valid HTTP/1.1, was cut short by a close, or its body is not the expected JSON |
public enum RequestFailure: Error, Hashable, Sendable, CustomStringConvertible, Comparable {
    case connect
    case timeout
    case connection
    case http(status: Int)
    case envelope(code: Int64)
    case malformed

    /// Stable key for reports and JSON: `connect`, `timeout`, `connection`, `http_503`, `code_1100`, `malformed`.
    public var description: String {
        switch self {
        case .connect: return "connect"
        case .timeout: return "timeout"
        case .connection: return "connection"
        case .http(let s): return "http_\(s)"
        case .envelope(let c): return "code_\(c)"
        case .malformed: return "malformed"
        }
    }

    public static func < (a: RequestFailure, b: RequestFailure) -> Bool { a.description < b.description }

    /// The kind of an HTTP client failure (a reply cut short by a close is `malformed`).
    public init(_ failure: HTTPClientFailure) {
        switch failure {
        case .connect: self = .connect
        case .timeout: self = .timeout
        case .connection: self = .connection
        case .malformed: self = .malformed
        }
    }
}
