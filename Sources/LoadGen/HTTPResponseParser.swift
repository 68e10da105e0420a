/// One HTTP response as the load client sees it.
public struct HTTPReply: Sendable, Equatable {
    /// The status code (100…599).
    public var status: Int
    /// The whole body (de-chunked).
    public var body: [UInt8]
    /// False when the server said `Connection: close` (or spoke HTTP/1.0 without keep-alive): the client must
    /// reconnect before the next request.
    public var keepAlive: Bool
}

/// Why a reply could not be parsed (counted as `RequestFailure.malformed`).
public struct HTTPReplyError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}

/// A strict, bounded HTTP/1.1 response parser for the load client.
///
/// `parse(_:)` looks at the bytes received so far and returns a reply once one is complete, removing its bytes
/// from the buffer (a keep-alive connection may hold the start of nothing else: the client does not pipeline).
/// Framing: `Content-Length`, `Transfer-Encoding: chunked`, bodyless statuses (1xx, 204, 304), or — only when
/// the server closes the connection — read-to-end (`finish(_:)`). Heads larger than `maxHeadBytes`, bodies
/// larger than `maxBodyBytes`, bad status lines, bad lengths and bad chunk syntax are `HTTPReplyError`s, so a
/// hostile or broken server can make the client neither crash nor allocate without bound.
public struct HTTPResponseParser: Sendable {
    /// Largest accepted status line + header block.
    public var maxHeadBytes = 64 * 1024
    /// Largest accepted body.
    public var maxBodyBytes = 64 << 20

    public init() {}

    private struct Head {
        var status: Int
        var headLength: Int          // including the blank line
        var contentLength: Int?
        var chunked: Bool
        var keepAlive: Bool
    }

    /// Returns the first complete reply in `buffer` and removes its bytes, or nil when more bytes are needed.
    /// - Throws: `HTTPReplyError` when the bytes cannot be (the start of) a valid response.
    public func parse(_ buffer: inout [UInt8]) throws(HTTPReplyError) -> HTTPReply? {
        guard let head = try parseHead(buffer) else { return nil }
        if head.status < 200 || head.status == 204 || head.status == 304 {
            if head.status < 200 {
                // Interim response (e.g. 100 Continue): drop it and look for the final one.
                buffer.removeFirst(head.headLength)
                return try parse(&buffer)
            }
            buffer.removeFirst(head.headLength)
            return HTTPReply(status: head.status, body: [], keepAlive: head.keepAlive)
        }
        if head.chunked {
            guard let (body, end) = try dechunk(buffer, from: head.headLength) else { return nil }
            buffer.removeFirst(end)
            return HTTPReply(status: head.status, body: body, keepAlive: head.keepAlive)
        }
        if let n = head.contentLength {
            let end = head.headLength + n
            guard buffer.count >= end else { return nil }
            let body = Array(buffer[head.headLength..<end])
            buffer.removeFirst(end)
            return HTTPReply(status: head.status, body: body, keepAlive: head.keepAlive)
        }
        // No framing: the body runs to the end of the connection (see `finish`).
        if buffer.count - head.headLength > maxBodyBytes { throw HTTPReplyError("unframed body exceeds \(maxBodyBytes) bytes") }
        return nil
    }

    /// Called when the server closed the connection: returns a reply whose body was delimited by the close
    /// (no Content-Length, not chunked), or nil when the buffer holds nothing.
    /// - Throws: `HTTPReplyError` when the close cut a framed reply short.
    public func finish(_ buffer: inout [UInt8]) throws(HTTPReplyError) -> HTTPReply? {
        if buffer.isEmpty { return nil }
        if let r = try parse(&buffer) { return r }
        guard let head = try parseHead(buffer) else {
            throw HTTPReplyError("connection closed inside a response head (\(buffer.count) bytes)")
        }
        guard !head.chunked, head.contentLength == nil else {
            throw HTTPReplyError("connection closed inside a response body")
        }
        let body = Array(buffer[head.headLength...])
        buffer.removeAll()
        return HTTPReply(status: head.status, body: body, keepAlive: false)
    }

    private func parseHead(_ b: [UInt8]) throws(HTTPReplyError) -> Head? {
        // Find the blank line ending the head.
        var headEnd = -1
        let limit = min(b.count, maxHeadBytes + 4)
        if limit >= 4 {
            for i in 0...(limit - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 {
                headEnd = i
                break
            }
        }
        if headEnd < 0 {
            if b.count > maxHeadBytes { throw HTTPReplyError("response head exceeds \(maxHeadBytes) bytes") }
            // Reject garbage early instead of waiting for a blank line that never comes.
            let prefix = Array("HTTP/1.".utf8)
            for i in 0..<min(b.count, prefix.count) where b[i] != prefix[i] {
                throw HTTPReplyError("reply does not start with HTTP/1.x")
            }
            return nil
        }
        // Status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF
        guard headEnd >= 12, b[0] == 72, b[1] == 84, b[2] == 84, b[3] == 80, b[4] == 47, b[5] == 49, b[6] == 46,
              b[7] == 48 || b[7] == 49, b[8] == 32
        else { throw HTTPReplyError("bad status line") }
        var status = 0
        for i in 9..<12 {
            guard b[i] >= 48, b[i] <= 57 else { throw HTTPReplyError("bad status code") }
            status = status * 10 + Int(b[i] - 48)
        }
        guard (100...599).contains(status), b[12] == 32 || b[12] == 13 else { throw HTTPReplyError("bad status code \(status)") }
        var keepAlive = b[7] == 49            // HTTP/1.1 defaults to keep-alive, 1.0 to close
        var contentLength: Int?
        var chunked = false
        // Header fields, one per CRLF-terminated line.
        var lineStart = 0
        while lineStart < headEnd, !(b[lineStart] == 13 && b[lineStart + 1] == 10) { lineStart += 1 }
        lineStart += 2
        while lineStart < headEnd + 2 {
            var lineEnd = lineStart
            while !(b[lineEnd] == 13 && b[lineEnd + 1] == 10) { lineEnd += 1 }
            guard let colon = b[lineStart..<lineEnd].firstIndex(of: 58), colon > lineStart else {
                throw HTTPReplyError("bad header line")
            }
            let name = Self.lowercased(b[lineStart..<colon])
            var vs = colon + 1, ve = lineEnd
            while vs < ve, b[vs] == 32 || b[vs] == 9 { vs += 1 }
            while ve > vs, b[ve - 1] == 32 || b[ve - 1] == 9 { ve -= 1 }
            switch name {
            case "content-length":
                guard vs < ve, ve - vs <= 12 else { throw HTTPReplyError("bad content-length") }
                var n = 0
                for i in vs..<ve {
                    guard b[i] >= 48, b[i] <= 57 else { throw HTTPReplyError("bad content-length") }
                    n = n * 10 + Int(b[i] - 48)
                }
                guard n <= maxBodyBytes else { throw HTTPReplyError("content-length \(n) exceeds \(maxBodyBytes) bytes") }
                if let c = contentLength, c != n { throw HTTPReplyError("conflicting content-length fields") }
                contentLength = n
            case "transfer-encoding":
                let v = Self.lowercased(b[vs..<ve])
                guard v.hasSuffix("chunked") else { throw HTTPReplyError("unsupported transfer-encoding '\(v)'") }
                chunked = true
            case "connection":
                let v = Self.lowercased(b[vs..<ve])
                if v.contains("close") { keepAlive = false } else if v.contains("keep-alive") { keepAlive = true }
            default:
                break
            }
            lineStart = lineEnd + 2
        }
        if chunked && contentLength != nil { throw HTTPReplyError("both content-length and chunked") }
        return Head(status: status, headLength: headEnd + 4, contentLength: contentLength, chunked: chunked, keepAlive: keepAlive)
    }

    /// Decodes a chunked body starting at `start`; nil when incomplete. Returns the body and the offset just
    /// past the trailer section.
    private func dechunk(_ b: [UInt8], from start: Int) throws(HTTPReplyError) -> ([UInt8], Int)? {
        var body: [UInt8] = []
        var i = start
        while true {
            // chunk-size [; ext] CRLF
            var size = 0
            var digits = 0
            while i < b.count, let d = Self.hexValue(b[i]) {
                size = size * 16 + d
                digits += 1
                guard digits <= 8 else { throw HTTPReplyError("chunk size too long") }
                i += 1
            }
            guard i < b.count else { return nil }
            guard digits > 0 else { throw HTTPReplyError("bad chunk size") }
            while i < b.count, b[i] != 13 {
                guard i - start < maxHeadBytes + maxBodyBytes else { throw HTTPReplyError("chunk extension too long") }
                i += 1
            }
            guard i + 1 < b.count else { return nil }
            guard b[i + 1] == 10 else { throw HTTPReplyError("bad chunk line ending") }
            i += 2
            guard body.count + size <= maxBodyBytes else { throw HTTPReplyError("chunked body exceeds \(maxBodyBytes) bytes") }
            if size == 0 {
                // Trailer fields, then a blank line.
                while true {
                    var e = i
                    while e + 1 < b.count, !(b[e] == 13 && b[e + 1] == 10) { e += 1 }
                    guard e + 1 < b.count else { return nil }
                    if e == i { return (body, e + 2) }
                    guard e - start < maxHeadBytes + maxBodyBytes else { throw HTTPReplyError("trailer too long") }
                    i = e + 2
                }
            }
            guard b.count >= i + size + 2 else { return nil }
            body.append(contentsOf: b[i..<(i + size)])
            guard b[i + size] == 13, b[i + size + 1] == 10 else { throw HTTPReplyError("chunk not followed by CRLF") }
            i += size + 2
        }
    }

    private static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c - 48)
        case 97...102: return Int(c - 87)
        case 65...70: return Int(c - 55)
        default: return nil
        }
    }

    private static func lowercased(_ s: ArraySlice<UInt8>) -> String {
        String(decoding: s.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
