import HTTP

/// `GET /console`: the built-in web console (``ConsolePage``), one self-contained HTML page that reads
/// the public API from the browser. The page itself carries no data, so it is served without
/// credentials; its API calls send `Authorization: Bearer user:password` from its login box.
public struct ConsoleRoutes: Sendable {
    public init() {}

    /// The page's bytes, built once.
    static let body = Array(ConsolePage.html.utf8)

    /// Adds `GET /console` and `GET /console/`.
    public func register(on router: inout HTTPRouter) {
        router.get("/console") { _ in ConsoleRoutes.page() }
        router.get("/console/") { _ in ConsoleRoutes.page() }
    }

    static func page() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/html; charset=utf-8")
        headers.add(name: "cache-control", value: "no-cache")
        // Everything is inline and same-origin: forbid anything else.
        headers.add(name: "content-security-policy",
                    value: "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:")
        return HTTPResponse(status: .ok, headers: headers, body: body)
    }
}
