/// A way for roles to reach each other: TCP between processes (`TCPTransport`) or direct calls inside one
/// process (`InMemoryNetwork`). Roles depend on this protocol only, never on sockets.
public protocol WireTransport: Sendable {
    /// A client for calls to `address`. Cheap: connections are opened lazily and pooled per address.
    func client(for address: WireAddress) -> any WireClient
    /// Serves `handler` on `address` (port 0 picks a free port; the listener reports the bound address).
    func listen(on address: WireAddress, handler: any MessageHandler) async throws(WireError) -> any WireListener
}

/// A running server; stop it to close the socket and every connection.
public protocol WireListener: Sendable {
    /// The bound address (with the real port when 0 was requested).
    var address: WireAddress { get }
    /// Stops accepting, closes every connection and cancels handlers in flight. Idempotent.
    func stop() async
}

/// Calls to one peer.
public protocol WireClient: Sendable {
    /// Sends a request of `kind` with `body` and returns a reader over the reply body.
    ///
    /// Throws `WireError`: the remote handler's error, or `deadlineExceeded`, `cancelled`,
    /// `connectionClosed`, `unavailable`, `malformedFrame`… from the transport.
    func call(kind: MessageKind, body: consuming WireWriter, options: CallOptions) async throws(WireError) -> WireReader
}

extension WireClient {
    /// Calls `request` and decodes its typed response. Every failure is a `WireError`.
    public func call<R: WireRequest>(_ request: R, options: CallOptions = CallOptions()) async throws(WireError) -> R.Response {
        var body = WireWriter()
        request.encode(into: &body)
        var options = options
        if options.lane == nil { options.lane = R.lane }
        var reader = try await call(kind: R.kind, body: consume body, options: options)
        do {
            let response = try R.Response(from: &reader)
            try reader.finish()
            return response
        } catch {
            throw WireError(.malformedMessage, "reply to \(R.self): \(error)")
        }
    }
}

/// Per-call settings.
public struct CallOptions: Sendable {
    /// Time allowed for the whole call; `nil` uses the transport's default timeout.
    public var timeout: Duration?
    /// Connection lane; `nil` picks the request type's lane (or `.bulk` for bodies over the bulk threshold).
    public var lane: WireLane?

    public init(timeout: Duration? = nil, lane: WireLane? = nil) {
        self.timeout = timeout
        self.lane = lane
    }
}

/// A peer address `HOST:PORT`. For the in-memory transport the host is just a name.
public struct WireAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (`[v6addr]:PORT` for IPv6 literals).
    public init(parsing text: String) throws(WireError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw WireError(.invalidConfiguration, "address '\(text)' is not HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = UInt16(text[text.index(after: colon)...]) else {
            throw WireError(.invalidConfiguration, "address '\(text)' is not HOST:PORT with a port 0…65535")
        }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
