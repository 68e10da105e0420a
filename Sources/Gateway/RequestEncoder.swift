import HTTP

/// Serialises a received request for forwarding: same method, target, headers and body, minus the
/// hop-by-hop headers (RFC 9110 §7.6.1), with a fresh `Content-Length` and `Connection: keep-alive`, and
/// `X-Forwarded-Proto`-free (the gateway only speaks plain HTTP).
enum RequestEncoder {
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "content-length", "expect",
    ]

    static func encode(_ request: HTTPRequest) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + request.body.count)
        out.append(contentsOf: "\(request.method) ".utf8)
        out.append(contentsOf: request.path.utf8)
        if let q = request.query {
            out.append(UInt8(ascii: "?"))
            out.append(contentsOf: q.utf8)
        }
        out.append(contentsOf: " HTTP/1.1\r\n".utf8)
        for (name, value) in request.headers where !hopByHop.contains(name.lowercased()) {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "Content-Length: \(request.body.count)\r\nConnection: keep-alive\r\n\r\n".utf8)
        out.append(contentsOf: request.body)
        return out
    }
}
