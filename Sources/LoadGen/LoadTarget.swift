import Net

/// The server under load: where to connect and what to put in the request line and headers.
///
/// Parsed from `http://HOST:PORT[/prefix]` (a missing port means 80). The prefix is prepended to every request
/// path (for servers mounted under a path behind a proxy). Only plain HTTP: a benchmark of TLS would measure
/// the TLS library.
public struct LoadTarget: Sendable, Equatable {
    /// Resolved address to connect to.
    public let address: SocketAddress
    /// Value of the `Host` header (`host:port` as written in the URL).
    public let hostHeader: String
    /// Path prefix without a trailing slash ("" for none).
    public let pathPrefix: String
    /// Optional `Authorization: Bearer …` token.
    public var bearerToken: String?

    /// A target at a known address (tests, in-process servers).
    public init(address: SocketAddress, pathPrefix: String = "", bearerToken: String? = nil) {
        self.address = address
        self.hostHeader = address.description
        self.pathPrefix = pathPrefix
        self.bearerToken = bearerToken
    }

    /// Parses and resolves `url` (blocking DNS lookup for names: call it at startup).
    /// - Throws: `LoadError.invalidURL` naming the bad part.
    public init(url: String, bearerToken: String? = nil) throws(LoadError) {
        if let t = bearerToken, t.isEmpty || t.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value > 0x7e }) {
            throw .invalidConfiguration("--token must be non-empty printable ASCII on one line")
        }
        guard url.hasPrefix("http://") else {
            throw .invalidURL(url, reason: url.hasPrefix("https://") ? "https is not supported" : "the scheme must be http://")
        }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        var prefix = String(rest.dropFirst(authority.count))
        while prefix.hasSuffix("/") { prefix.removeLast() }
        guard !authority.isEmpty else { throw .invalidURL(url, reason: "no host") }
        guard !authority.contains("@") else { throw .invalidURL(url, reason: "credentials in the URL are not supported (use --token)") }
        guard prefix.allSatisfy({ $0.isASCII && $0 != " " && $0 != "?" && $0 != "#" }) else {
            throw .invalidURL(url, reason: "the path must be plain ASCII without spaces, query or fragment")
        }
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        let hostPort = hasPort ? String(authority) : String(authority) + ":80"
        do {
            address = try SocketAddress.resolve(hostPort)
        } catch {
            throw .invalidURL(url, reason: "\(error)")
        }
        guard address.port != 0 else { throw .invalidURL(url, reason: "port 0") }
        hostHeader = String(authority)
        pathPrefix = prefix
        self.bearerToken = bearerToken
    }

    /// The bytes of a `POST path` request with a JSON body, ready to send on a keep-alive connection.
    public func post(_ path: String, json body: [UInt8]) -> [UInt8] {
        var head = "POST \(pathPrefix)\(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nContent-Type: application/json\r\n"
        if let t = bearerToken { head += "Authorization: Bearer \(t)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }
}
