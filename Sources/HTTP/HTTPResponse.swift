import JSON

/// A response produced by a handler. The server adds `content-length`, `date` and `connection` itself;
/// handler-set `content-length`, `transfer-encoding` and `connection` fields are ignored.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response from already-serialized bytes (`content-type: application/json`).
    public static func json(bytes: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        var h = HTTPHeaders()
        h.add(name: "content-type", value: "application/json")
        return HTTPResponse(status: status, headers: h, body: bytes)
    }

    /// A JSON response; a value that cannot be serialized (NaN/infinity) becomes a 500 error response.
    public static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> HTTPResponse {
        do {
            return json(bytes: try value.serialized(), status: status)
        } catch {
            return .error(.internalServerError, "response could not be encoded: \(error)")
        }
    }

    /// An error response with body `{"error": message}`.
    public static func error(_ status: HTTPStatus, _ message: String) -> HTTPResponse {
        var w = JSONWriter()
        w.beginObject()
        w.key("error")
        w.write(message)
        w.endObject()
        return json(bytes: w.bytes, status: status)
    }

    /// A plain-text response (`text/plain; charset=utf-8`).
    public static func text(_ s: String, status: HTTPStatus = .ok) -> HTTPResponse {
        var h = HTTPHeaders()
        h.add(name: "content-type", value: "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: h, body: Array(s.utf8))
    }
}

/// An error a handler throws to answer with a specific status and `{"error": message}`.
/// Any other error thrown by a handler becomes 500, except `JSONError`, which becomes 400.
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    public let status: HTTPStatus
    public let message: String

    public init(_ status: HTTPStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status): \(message)" }

    /// The response this error is sent as.
    public var response: HTTPResponse { .error(status, message) }
}
