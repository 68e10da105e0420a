/// The server side of the protocol: whatever answers requests arriving on a listener.
///
/// Transports call `handle` once per request on Swift's cooperative pool, never on a socket thread, so a
/// slow handler delays only its own reply. Handlers that do CPU-heavy work must move it to dedicated threads
/// (see docs/wire-protocol.md). Most roles use `WireRouter` rather than implementing this directly.
public protocol MessageHandler: Sendable {
    /// Decodes the request body in `request`, does the work and writes the reply body into `response`.
    ///
    /// Throwing sends an error reply instead: a `WireError` travels as is, a `WireErrorConvertible` as its
    /// `wireError`, a `WireDecodingError` as `malformedMessage`, anything else as `handlerFailed`.
    /// The task is cancelled when the caller abandons the call (deadline, cancellation, disconnect).
    func handle(
        kind: MessageKind, request: inout WireReader, response: inout WireWriter, context: RequestContext
    ) async throws
}

/// What a handler knows about the request besides its body.
public struct RequestContext: Sendable {
    /// The caller's request id (unique per connection while in flight).
    public var requestID: UInt64
    /// The calling peer's self-declared name and address, for logs.
    public var peer: String

    public init(requestID: UInt64, peer: String) {
        self.requestID = requestID
        self.peer = peer
    }
}

/// Routes requests by message kind to typed handlers; the usual `MessageHandler`.
///
/// ```swift
/// var router = WireRouter()
/// router.on(Search.self) { request, context in try await node.search(request) }
/// let listener = try await transport.listen(on: address, handler: router)
/// ```
/// Build it fully before serving (it is a value: registering after `listen` has no effect on the copy the
/// listener holds). A kind with no route gets an `unknownKind` error reply.
public struct WireRouter: MessageHandler {
    typealias Route = @Sendable (inout WireReader, inout WireWriter, RequestContext) async throws -> Void
    private var routes: [MessageKind: Route] = [:]

    public init() {}

    /// Registers `handler` for requests of type `R`. Traps if `R.kind` is reserved or already routed — a
    /// programming error found at start-up.
    public mutating func on<R: WireRequest>(
        _: R.Type, _ handler: @escaping @Sendable (R, RequestContext) async throws -> R.Response
    ) {
        precondition(!R.kind.isReserved, "\(R.self) uses reserved \(R.kind); role kinds start at 0x0100")
        precondition(routes[R.kind] == nil, "\(R.kind) of \(R.self) is already routed")
        routes[R.kind] = { reader, writer, context in
            let request = try R(from: &reader)
            try reader.finish()
            let response = try await handler(request, context)
            response.encode(into: &writer)
        }
    }

    public func handle(
        kind: MessageKind, request: inout WireReader, response: inout WireWriter, context: RequestContext
    ) async throws {
        guard let route = routes[kind] else {
            throw WireError(.unknownKind, "no handler for \(kind) on this node (peer runs a newer version?)")
        }
        try await route(&request, &response, context)
    }
}

/// Runs a handler for one decoded request frame and produces the sealed reply frame. Shared by the TCP and
/// in-memory transports so both answer identically.
enum Dispatch {
    /// - Parameter maxBodySize: the frame size limit; a larger reply becomes a `frameTooLarge` error reply
    ///   (the caller would otherwise reject the frame and lose the whole connection).
    /// - Parameter checksumBody: false only for in-process frames (see `InMemoryNetwork`).
    static func reply(
        handler: any MessageHandler, header: FrameHeader, body: WireReader, peer: String, maxBodySize: Int,
        checksumBody: Bool = true
    ) async -> [UInt8] {
        var request = body
        var response = WireWriter()
        do {
            try await handler.handle(
                kind: header.kind, request: &request, response: &response,
                context: RequestContext(requestID: header.requestID, peer: peer))
            guard response.count <= maxBodySize else {
                let error = WireError(
                    .frameTooLarge,
                    "reply to \(header.kind) is \(response.count) bytes, over the frame size limit of \(maxBodySize); "
                        + "page the result")
                return Frame.error(error, kind: header.kind, requestID: header.requestID, checksumBody: checksumBody)
            }
            return Frame.seal(
                consume response, kind: header.kind, requestID: header.requestID, flags: .response,
                checksumBody: checksumBody)
        } catch {
            return Frame.error(
                WireError.from(handlerError: error), kind: header.kind, requestID: header.requestID,
                checksumBody: checksumBody)
        }
    }
}
