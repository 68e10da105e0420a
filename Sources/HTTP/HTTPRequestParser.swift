/// Why a request was rejected before reaching a handler; each maps to one status code.
public enum HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Malformed syntax or a framing conflict (e.g. both Content-Length and Transfer-Encoding) → 400.
    case badRequest(String)
    /// POST/PUT/PATCH without a length when `requireContentLength` is set → 411.
    case lengthRequired
    /// Body larger than `maxBodyBytes` → 413.
    case bodyTooLarge(limit: Int)
    /// Request-target longer than `maxURIBytes` → 414.
    case uriTooLong(limit: Int)
    /// An `Expect` other than `100-continue` → 417.
    case expectationFailed
    /// Header section over `maxHeaderBytes` or more than `maxHeaderCount` fields → 431.
    case headersTooLarge(String)
    /// Unsupported method or transfer coding → 501.
    case notImplemented(String)
    /// HTTP major version other than 1 → 505.
    case versionNotSupported

    public var status: HTTPStatus {
        switch self {
        case .badRequest: return .badRequest
        case .lengthRequired: return .lengthRequired
        case .bodyTooLarge: return .contentTooLarge
        case .uriTooLong: return .uriTooLong
        case .expectationFailed: return .expectationFailed
        case .headersTooLarge: return .headerFieldsTooLarge
        case .notImplemented: return .notImplemented
        case .versionNotSupported: return .versionNotSupported
        }
    }

    public var description: String {
        switch self {
        case .badRequest(let m): return "bad request: \(m)"
        case .lengthRequired: return "a Content-Length header (or chunked body) is required"
        case .bodyTooLarge(let l): return "request body larger than \(l) bytes"
        case .uriTooLong(let l): return "request target longer than \(l) bytes"
        case .expectationFailed: return "only 'Expect: 100-continue' is supported"
        case .headersTooLarge(let m): return "request header fields too large: \(m)"
        case .notImplemented(let m): return "not implemented: \(m)"
        case .versionNotSupported: return "only HTTP/1.0 and HTTP/1.1 are supported"
        }
    }
}

/// Incremental HTTP/1.1 request parser (RFC 9112): feed it a connection's input buffer after every read;
/// it consumes complete requests and keeps chunked-body progress between calls.
///
/// Strictness (each violation is an error, never a guess): CRLF line endings only; single spaces in the
/// request line; no whitespace between a field name and its colon; no obs-fold; field values without
/// CR/LF/NUL/control characters; Content-Length digits only and consistent when repeated; Content-Length
/// together with Transfer-Encoding is rejected (request smuggling guard); exactly one Host for HTTP/1.1.
/// Up to 8 empty lines before a request line are skipped (RFC 9112 §2.2).
struct HTTPRequestParser {
    struct Limits {
        var maxHeaderBytes: Int
        var maxURIBytes: Int
        var maxHeaderCount: Int
        var maxBodyBytes: Int
        var requireContentLength: Bool

        init(_ c: HTTPServerConfiguration) {
            maxHeaderBytes = c.maxHeaderBytes
            maxURIBytes = c.maxURIBytes
            maxHeaderCount = c.maxHeaderCount
            maxBodyBytes = c.maxBodyBytes
            requireContentLength = c.requireContentLength
        }
    }

    enum Framing: Equatable { case none, length(Int), chunked }

    /// A parsed request head waiting for its body.
    struct Head {
        var method: HTTPMethod
        var version: HTTPVersion
        var headers: HTTPHeaders
        var pathRange: Range<Int>
        var queryRange: Range<Int>?
        var keepAlive: Bool
        var framing: Framing
        var expectContinue: Bool
    }

    enum Result {
        case needMore
        case request(HTTPRequest)
        case error(HTTPParseError)
    }

    private enum State {
        case head
        case body(Int)
        case chunkSize
        case chunkData(Int)
        case chunkDataEnd
        case trailers
    }

    let limits: Limits
    private var state = State.head
    private var head: Head?
    private var body: [UInt8] = []
    private var scanFrom = 0
    private var trailerBytes = 0
    private var trailerCount = 0

    init(limits: Limits) { self.limits = limits }

    /// True when the current request's head asked for `100 Continue` and its body is still incomplete.
    var wantsContinue: Bool {
        guard let h = head, h.expectContinue else { return false }
        return true
    }

    /// True when part of a request has been consumed (head parsed, body pending).
    var midRequest: Bool { head != nil }

    /// Parses the next request from `buf`, consuming what it uses.
    mutating func next(_ buf: inout ByteBuffer) -> Result {
        while true {
            switch state {
            case .head:
                switch parseHead(&buf) {
                case .none: return .needMore
                case .some(.failure(let e)): return .error(e)
                case .some(.success(let h)):
                    head = h
                    switch h.framing {
                    case .none: return finish()
                    case .length(let n): state = .body(n)
                    case .chunked: state = .chunkSize; body = []; trailerBytes = 0; trailerCount = 0
                    }
                }
            case .body(let n):
                guard buf.readable >= n else { return .needMore }
                body = buf.copyPrefix(n)
                buf.consume(n)
                return finish()
            case .chunkSize:
                let r: Swift.Result<Int, HTTPParseError>? = buf.withUnreadBytes { p in
                    guard let le = find("\r\n", in: p) else {
                        return p.count > 1024 ? .failure(.badRequest("chunk size line too long")) : nil
                    }
                    return HTTPRequestParser.parseChunkSize(UnsafeBufferPointer(rebasing: p[..<le]), maxBody: limits.maxBodyBytes).map { (le + 2) << 40 | $0 }
                }
                switch r {
                case .none: return .needMore
                case .some(.failure(let e)): return .error(e)
                case .some(.success(let packed)):
                    let consumed = packed >> 40, size = packed & ((1 << 40) - 1)
                    buf.consume(consumed)
                    if size == 0 {
                        state = .trailers
                    } else {
                        guard size <= limits.maxBodyBytes - body.count else { return .error(.bodyTooLarge(limit: limits.maxBodyBytes)) }
                        state = .chunkData(size)
                    }
                }
            case .chunkData(let remaining):
                let n = min(remaining, buf.readable)
                guard n > 0 else { return .needMore }
                buf.withUnreadBytes { body.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<n])) }
                buf.consume(n)
                state = n == remaining ? .chunkDataEnd : .chunkData(remaining - n)
            case .chunkDataEnd:
                guard buf.readable >= 2 else { return .needMore }
                let ok = buf.withUnreadBytes { $0[0] == 0x0d && $0[1] == 0x0a }
                guard ok else { return .error(.badRequest("chunk data not followed by CRLF")) }
                buf.consume(2)
                state = .chunkSize
            case .trailers:
                let r: Swift.Result<Int, HTTPParseError>? = buf.withUnreadBytes { p in
                    guard let le = find("\r\n", in: p) else {
                        return p.count > limits.maxHeaderBytes ? .failure(.headersTooLarge("trailer section too large")) : nil
                    }
                    if le == 0 { return .success(0) }
                    let line = UnsafeBufferPointer(rebasing: p[..<le])
                    if case .failure(let e) = HTTPRequestParser.validateFieldLine(line) { return .failure(e) }
                    return .success(le + 2)
                }
                switch r {
                case .none: return .needMore
                case .some(.failure(let e)): return .error(e)
                case .some(.success(0)):
                    buf.consume(2)
                    return finish()
                case .some(.success(let n)):
                    buf.consume(n)
                    trailerBytes += n
                    trailerCount += 1
                    if trailerBytes > limits.maxHeaderBytes || trailerCount + (head?.headers.count ?? 0) > limits.maxHeaderCount {
                        return .error(.headersTooLarge("too many trailer fields"))
                    }
                }
            }
        }
    }

    private mutating func finish() -> Result {
        let h = head!
        let req = HTTPRequest(method: h.method, version: h.version, headers: h.headers, pathRange: h.pathRange,
                              queryRange: h.queryRange, keepAlive: h.keepAlive, body: body)
        head = nil
        body = []
        state = .head
        scanFrom = 0
        return .request(req)
    }

    // MARK: - Head

    /// nil: need more bytes.
    private mutating func parseHead(_ buf: inout ByteBuffer) -> Swift.Result<Head, HTTPParseError>? {
        // Skip empty lines before the request line.
        var skipped = 0
        while buf.readable >= 2, skipped < 8, buf.withUnreadBytes({ $0[0] == 0x0d && $0[1] == 0x0a }) {
            buf.consume(2)
            skipped += 1
        }
        let limits = self.limits
        let from = max(0, scanFrom - 3)
        let end: Int? = buf.withUnreadBytes { find("\r\n\r\n", in: $0, from: from) }
        guard let end else {
            let n = buf.readable
            scanFrom = n
            if n > limits.maxHeaderBytes { return .failure(.headersTooLarge("more than \(limits.maxHeaderBytes) bytes")) }
            // A request line that is still unterminated past the URI limit cannot be valid.
            if n > limits.maxURIBytes + 32, buf.withUnreadBytes({ find("\r\n", in: UnsafeBufferPointer(rebasing: $0[..<(limits.maxURIBytes + 32)])) }) == nil {
                return .failure(.uriTooLong(limit: limits.maxURIBytes))
            }
            return nil
        }
        let headLen = end + 4
        if headLen > limits.maxHeaderBytes { return .failure(.headersTooLarge("more than \(limits.maxHeaderBytes) bytes")) }
        let storage = buf.copyPrefix(headLen)
        buf.consume(headLen)
        scanFrom = 0
        return HTTPRequestParser.parseHead(storage, limits: limits)
    }

    static func parseHead(_ storage: [UInt8], limits: Limits) -> Swift.Result<Head, HTTPParseError> {
        storage.withUnsafeBufferPointer { p -> Swift.Result<Head, HTTPParseError> in
            // Request line: method SP target SP version.
            guard let le = find("\r\n", in: p) else { return .failure(.badRequest("missing request line")) }
            let line = UnsafeBufferPointer(rebasing: p[..<le])
            guard let sp1 = line.firstIndex(of: 0x20) else { return .failure(.badRequest("malformed request line")) }
            guard sp1 > 0, sp1 <= 32, line[..<sp1].allSatisfy(isTokenByte) else {
                return .failure(.badRequest("malformed method"))
            }
            guard let sp2 = line[(sp1 + 1)...].firstIndex(of: 0x20) else {
                return .failure(.badRequest("malformed request line"))
            }
            let targetStart = sp1 + 1, targetEnd = sp2
            if targetEnd - targetStart > limits.maxURIBytes { return .failure(.uriTooLong(limit: limits.maxURIBytes)) }
            guard targetEnd > targetStart else { return .failure(.badRequest("empty request target")) }
            for i in targetStart..<targetEnd where line[i] < 0x21 || line[i] > 0x7e {
                return .failure(.badRequest("invalid byte in request target"))
            }
            let v = UnsafeBufferPointer(rebasing: line[(sp2 + 1)...])
            guard v.count == 8, v[0] == 0x48, v[1] == 0x54, v[2] == 0x54, v[3] == 0x50, v[4] == 0x2f,
                  v[5] >= 0x30, v[5] <= 0x39, v[6] == 0x2e, v[7] >= 0x30, v[7] <= 0x39
            else { return .failure(.badRequest("malformed HTTP version")) }
            guard v[5] == 0x31 else { return .failure(.versionNotSupported) }
            let version: HTTPVersion = v[7] == 0x30 ? .http1_0 : .http1_1
            guard let method = HTTPMethod(bytes: UnsafeBufferPointer(rebasing: line[..<sp1])) else {
                return .failure(.notImplemented("method \(String(decoding: UnsafeBufferPointer(rebasing: line[..<sp1]), as: UTF8.self))"))
            }

            // Target forms: origin-form "/…", absolute-form "http://host/…", asterisk-form "*" (OPTIONS).
            var pathStart = targetStart
            if line[targetStart] != UInt8(ascii: "/") {
                if targetEnd - targetStart == 1 && line[targetStart] == UInt8(ascii: "*") {
                    guard method == .OPTIONS else { return .failure(.badRequest("'*' target is only valid for OPTIONS")) }
                } else {
                    let t = UnsafeBufferPointer(rebasing: line[targetStart..<targetEnd])
                    var schemeEnd = 0
                    if t.count > 7, equalsLowercase(UnsafeBufferPointer(rebasing: t[..<7]), "http://") { schemeEnd = 7 }
                    else if t.count > 8, equalsLowercase(UnsafeBufferPointer(rebasing: t[..<8]), "https://") { schemeEnd = 8 }
                    guard schemeEnd > 0, let slash = t[schemeEnd...].firstIndex(of: UInt8(ascii: "/")) else {
                        return .failure(.badRequest("request target must be a path starting with '/'"))
                    }
                    pathStart = targetStart + slash
                }
            }
            var pathRange = pathStart..<targetEnd
            var queryRange: Range<Int>? = nil
            if let q = line[pathStart..<targetEnd].firstIndex(of: UInt8(ascii: "?")) {
                pathRange = pathStart..<q
                queryRange = (q + 1)..<targetEnd
            }

            // Header fields.
            var fields: [HTTPHeaders.Field] = []
            fields.reserveCapacity(8)
            var contentLength: Int? = nil
            var chunked = false
            var sawTransferEncoding = false
            var connClose = false, connKeepAlive = false
            var expectContinue = false
            var hostCount = 0
            var pos = le + 2
            while true {
                guard let rel = find("\r\n", in: UnsafeBufferPointer(rebasing: p[pos...])) else {
                    return .failure(.badRequest("unterminated header section"))
                }
                if rel == 0 { break }
                let ls = pos, lineEnd = pos + rel
                pos = lineEnd + 2
                let fl = UnsafeBufferPointer(rebasing: p[ls..<lineEnd])
                guard case .success(let r) = validateFieldLine(fl) else {
                    if case .failure(let e) = validateFieldLine(fl) { return .failure(e) }
                    return .failure(.badRequest("malformed header field"))
                }
                if fields.count == limits.maxHeaderCount {
                    return .failure(.headersTooLarge("more than \(limits.maxHeaderCount) header fields"))
                }
                let f = HTTPHeaders.Field(nameStart: Int32(ls), nameEnd: Int32(ls + r.nameEnd),
                                          valueStart: Int32(ls + r.valueStart), valueEnd: Int32(ls + r.valueEnd))
                fields.append(f)
                let name = UnsafeBufferPointer(rebasing: fl[..<r.nameEnd])
                let value = UnsafeBufferPointer(rebasing: fl[r.valueStart..<r.valueEnd])
                switch name.count {
                case 4 where equalsLowercase(name, "host"):
                    hostCount += 1
                case 6 where equalsLowercase(name, "expect"):
                    guard equalsLowercase(value, "100-continue") else { return .failure(.expectationFailed) }
                    expectContinue = version == .http1_1
                case 10 where equalsLowercase(name, "connection"):
                    forEachToken(value) { t in
                        if equalsLowercase(t, "close") { connClose = true }
                        else if equalsLowercase(t, "keep-alive") { connKeepAlive = true }
                    }
                case 14 where equalsLowercase(name, "content-length"):
                    guard value.count > 0, value.count <= 18, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                        if value.count > 18, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                            return .failure(.bodyTooLarge(limit: limits.maxBodyBytes))
                        }
                        return .failure(.badRequest("invalid Content-Length"))
                    }
                    var n = 0
                    for b in value { n = n * 10 + Int(b - 0x30) }
                    if let c = contentLength, c != n { return .failure(.badRequest("conflicting Content-Length values")) }
                    contentLength = n
                case 17 where equalsLowercase(name, "transfer-encoding"):
                    var codings = 0
                    var lastChunked = false
                    var bad = false
                    forEachToken(value) { t in
                        codings += 1
                        if lastChunked { bad = true }          // chunked must be last and only once
                        lastChunked = equalsLowercase(t, "chunked")
                    }
                    if sawTransferEncoding || bad || codings == 0 { return .failure(.badRequest("invalid Transfer-Encoding")) }
                    sawTransferEncoding = true
                    guard lastChunked else { return .failure(.badRequest("Transfer-Encoding must end with chunked")) }
                    guard codings == 1 else { return .failure(.notImplemented("transfer codings other than chunked")) }
                    chunked = true
                default:
                    break
                }
            }
            if sawTransferEncoding && contentLength != nil {
                return .failure(.badRequest("both Content-Length and Transfer-Encoding"))
            }
            if sawTransferEncoding && version == .http1_0 {
                return .failure(.badRequest("Transfer-Encoding in an HTTP/1.0 request"))
            }
            if version == .http1_1 && hostCount != 1 { return .failure(.badRequest("HTTP/1.1 requires exactly one Host header")) }
            if hostCount > 1 { return .failure(.badRequest("more than one Host header")) }
            let framing: Framing
            if chunked {
                framing = .chunked
            } else if let n = contentLength {
                guard n <= limits.maxBodyBytes else { return .failure(.bodyTooLarge(limit: limits.maxBodyBytes)) }
                framing = n == 0 ? .none : .length(n)
            } else {
                if limits.requireContentLength && (method == .POST || method == .PUT || method == .PATCH) {
                    return .failure(.lengthRequired)
                }
                framing = .none
            }
            let keepAlive = version == .http1_1 ? !connClose : (connKeepAlive && !connClose)
            return .success(Head(method: method, version: version,
                                 headers: HTTPHeaders(storage: storage, fields: fields),
                                 pathRange: pathRange, queryRange: queryRange, keepAlive: keepAlive,
                                 framing: framing, expectContinue: expectContinue && framing != .none))
        }
    }

    struct FieldLine { var nameEnd: Int; var valueStart: Int; var valueEnd: Int }

    /// Validates `name: value` (without CRLF) and returns the name end and trimmed value range.
    static func validateFieldLine(_ fl: UnsafeBufferPointer<UInt8>) -> Swift.Result<FieldLine, HTTPParseError> {
        guard let first = fl.first else { return .failure(.badRequest("empty header line")) }
        if first == 0x20 || first == 0x09 { return .failure(.badRequest("obsolete header line folding")) }
        guard let colon = fl.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            return .failure(.badRequest("header field without ':'"))
        }
        for i in 0..<colon where !isTokenByte(fl[i]) { return .failure(.badRequest("invalid header field name")) }
        var vs = colon + 1, ve = fl.count
        while vs < ve, fl[vs] == 0x20 || fl[vs] == 0x09 { vs += 1 }
        while ve > vs, fl[ve - 1] == 0x20 || fl[ve - 1] == 0x09 { ve -= 1 }
        for i in vs..<ve {
            let b = fl[i]
            if b < 0x20 && b != 0x09 || b == 0x7f { return .failure(.badRequest("invalid byte in header value")) }
        }
        return .success(FieldLine(nameEnd: colon, valueStart: vs, valueEnd: ve))
    }

    /// Calls `body` with each comma-separated token of a field value (whitespace trimmed, empties skipped).
    static func forEachToken(_ v: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var s = 0
        while s <= v.count {
            var e = s
            while e < v.count, v[e] != UInt8(ascii: ",") { e += 1 }
            var a = s, b = e
            while a < b, v[a] == 0x20 || v[a] == 0x09 { a += 1 }
            while b > a, v[b - 1] == 0x20 || v[b - 1] == 0x09 { b -= 1 }
            if b > a { body(UnsafeBufferPointer(rebasing: v[a..<b])) }
            s = e + 1
        }
    }

    /// Parses `HEX [; ext]` (whitespace before `;` allowed). More than 10 hex digits is rejected as too large.
    static func parseChunkSize(_ line: UnsafeBufferPointer<UInt8>, maxBody: Int) -> Swift.Result<Int, HTTPParseError> {
        var n = 0, i = 0
        while i < line.count {
            let c = line[i]
            let d: Int
            switch c {
            case 0x30...0x39: d = Int(c - 0x30)
            case 0x41...0x46: d = Int(c - 0x41 + 10)
            case 0x61...0x66: d = Int(c - 0x61 + 10)
            default: d = -1
            }
            if d < 0 { break }
            if i >= 10 { return .failure(.bodyTooLarge(limit: maxBody)) }
            n = n << 4 | d
            i += 1
        }
        guard i > 0 else { return .failure(.badRequest("invalid chunk size")) }
        var j = i
        while j < line.count, line[j] == 0x20 || line[j] == 0x09 { j += 1 }
        if j < line.count {
            guard line[j] == UInt8(ascii: ";") else { return .failure(.badRequest("invalid chunk size")) }
            for k in j..<line.count where line[k] < 0x20 && line[k] != 0x09 || line[k] == 0x7f {
                return .failure(.badRequest("invalid chunk extension"))
            }
        }
        return .success(n)
    }
}
