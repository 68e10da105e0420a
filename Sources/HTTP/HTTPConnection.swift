import Net

/// State of one client connection. Owned by exactly one `HTTPEventLoop` and touched only on its thread.
///
/// Requests are numbered in arrival order; each gets a `Slot` when dispatched and responses are written
/// strictly in slot order, whatever order handlers finish in (pipelining-safe).
final class HTTPConnection {
    /// A dispatched request waiting for (or holding) its response.
    struct Slot {
        let headOnly: Bool
        var keepAlive: Bool
        let version: HTTPVersion
        var response: HTTPResponse?
        /// For `HTTPExchange`: method and route (nil when rejected before parsing), start time, body size.
        let method: HTTPMethod?
        let route: String?
        let start: UInt64
        let requestBytes: Int
    }

    let socket: Socket
    /// Registration token: generation in the high 32 bits, fd in the low 32 (late completions for a
    /// closed connection whose fd was reused never match).
    let token: UInt64
    var input = ByteBuffer()
    var output = ByteBuffer()
    var parser: HTTPRequestParser
    var slots: [Slot] = []
    /// Sequence number of `slots[0]` and of the next dispatched request.
    var firstSeq: UInt64 = 0
    var nextSeq: UInt64 = 0
    /// No further requests are parsed (a request asked to close, a parse error, a timeout, shutdown).
    var stopParsing = false
    /// The last response is in `output`: close once it is sent.
    var closeWhenFlushed = false
    /// The peer sent end-of-stream.
    var readClosed = false
    var continueSent = false
    var closed = false
    var queuedForService = false
    var interest: Epoll.Events = .readable
    /// Monotonic ns when the current incomplete request's first byte arrived (0: none in progress).
    var requestStart: UInt64 = 0
    var lastActivity: UInt64
    /// Lingering close: the final response is sent and our side shut down; input is read and discarded
    /// until the peer's end of stream or this monotonic deadline (0: not lingering). Closing with unread
    /// input would make the kernel send RST, which can destroy the response before the client reads it.
    var lingerUntil: UInt64 = 0
    /// Monotonic ns since output has been waiting for the socket to drain (0: not blocked).
    var writeBlockedSince: UInt64 = 0

    init(socket: Socket, token: UInt64, limits: HTTPRequestParser.Limits, now: UInt64) {
        self.socket = socket
        self.token = token
        self.parser = HTTPRequestParser(limits: limits)
        self.lastActivity = now
    }

    /// True when nothing is buffered, pending or in flight.
    var isIdle: Bool { slots.isEmpty && input.isEmpty && output.isEmpty && !parser.midRequest }

    /// Reserves the next response slot and returns its sequence number.
    func enqueue(headOnly: Bool, keepAlive: Bool, version: HTTPVersion, method: HTTPMethod? = nil,
                 route: String? = nil, start: UInt64, requestBytes: Int = 0) -> UInt64 {
        slots.append(Slot(headOnly: headOnly, keepAlive: keepAlive, version: version, response: nil,
                          method: method, route: route, start: start, requestBytes: requestBytes))
        defer { nextSeq += 1 }
        return nextSeq
    }

    /// Stores the response for `seq` (ignored if the slot is gone, e.g. after a close).
    func fill(_ seq: UInt64, _ response: HTTPResponse) {
        guard seq >= firstSeq else { return }
        let i = Int(seq - firstSeq)
        guard i < slots.count else { return }
        slots[i].response = response
    }

    /// Serializes every response that is next in order into `output`. Returns whether any was written.
    func flushReady(commonFields: [UInt8], now: UInt64, observer: (@Sendable (HTTPExchange) -> Void)?) -> Bool {
        var wrote = false
        while let first = slots.first, let resp = first.response {
            let field: HTTPResponse.ConnectionField =
                !first.keepAlive ? .close : (first.version == .http1_0 ? .keepAlive : .none)
            resp.write(to: &output, headOnly: first.headOnly, connection: field, commonFields: commonFields)
            if let observer {
                observer(HTTPExchange(method: first.method, route: first.route, status: resp.status.code,
                                      durationNanoseconds: now &- first.start, requestBodyBytes: first.requestBytes,
                                      responseBodyBytes: resp.body.count))
            }
            slots.removeFirst()
            firstSeq += 1
            wrote = true
            if !first.keepAlive {
                closeWhenFlushed = true
                stopParsing = true
                firstSeq += UInt64(slots.count)
                slots.removeAll()
                break
            }
        }
        if wrote && slots.isEmpty && (!input.isEmpty || parser.midRequest) { requestStart = now }
        return wrote
    }
}
