/// Parses HTTP/1.x responses from a byte buffer, for clients: status line, headers, and a body delimited by
/// `Content-Length`, chunked transfer coding, or (without either) the connection's end. Bounded: a head over
/// `maxHeadBytes` or a body over `maxBodyBytes` is an error, never an unbounded allocation.
public struct HTTPReplyParser: Sendable {
    public var maxHeadBytes = 64 * 1024
    public var maxBodyBytes = 64 << 20

    public init() {}

    /// Removes one complete reply from the front of `buffer` and returns it; nil when more bytes are needed.
    /// - Throws: ``HTTPClientFailure/malformed(_:)``.
    public func parse(_ buffer: inout [UInt8]) throws(HTTPClientFailure) -> HTTPClientReply? {
        guard let head = try parseHead(buffer) else { return nil }
        switch head.framing {
        case .none:
            buffer.removeFirst(head.length)
            return HTTPClientReply(status: head.status, headers: head.headers, body: [], keepAlive: head.keepAlive)
        case .length(let n):
            guard buffer.count - head.length >= n else { return nil }
            let body = Array(buffer[head.length..<(head.length + n)])
            buffer.removeFirst(head.length + n)
            return HTTPClientReply(status: head.status, headers: head.headers, body: body, keepAlive: head.keepAlive)
        case .chunked:
            guard let (body, end) = try dechunk(buffer, from: head.length) else { return nil }
            buffer.removeFirst(end)
            return HTTPClientReply(status: head.status, headers: head.headers, body: body, keepAlive: head.keepAlive)
        case .untilClose:
            return nil
        }
    }

    /// At the connection's end: the reply whose body ran until the close, if `buffer` holds one; nil when
    /// the buffer is empty. A reply cut short is an error.
    public func finish(_ buffer: inout [UInt8]) throws(HTTPClientFailure) -> HTTPClientReply? {
        if buffer.isEmpty { return nil }
        if let r = try parse(&buffer) { return r }
        guard let head = try parseHead(buffer), case .untilClose = head.framing else {
            throw .malformed("the connection closed inside a reply")
        }
        let body = Array(buffer[head.length...])
        buffer.removeAll()
        return HTTPClientReply(status: head.status, headers: head.headers, body: body, keepAlive: false)
    }

    private enum Framing {
        case none, length(Int), chunked, untilClose
    }

    private struct Head {
        var status: Int
        var headers: [(name: String, value: String)]
        var keepAlive: Bool
        var framing: Framing
        var length: Int
    }

    private func parseHead(_ b: [UInt8]) throws(HTTPClientFailure) -> Head? {
        guard let end = Self.find(b, [13, 10, 13, 10], from: 0, limit: maxHeadBytes) else {
            if b.count > maxHeadBytes { throw .malformed("reply head over \(maxHeadBytes) bytes") }
            return nil
        }
        guard let lineEnd = Self.find(b, [13, 10], from: 0, limit: end + 2) else { throw .malformed("no status line") }
        let statusLine = b[0..<lineEnd]
        // "HTTP/1.x NNN reason"
        guard statusLine.count >= 12, Array(statusLine.prefix(7)) == Array("HTTP/1.".utf8),
              statusLine[statusLine.startIndex + 8] == 32 else { throw .malformed("bad status line") }
        let minor = statusLine[statusLine.startIndex + 7]
        guard minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1") else { throw .malformed("unsupported HTTP version") }
        var status = 0
        for i in 9..<12 {
            let c = statusLine[statusLine.startIndex + i]
            guard (48...57).contains(c) else { throw .malformed("bad status code") }
            status = status * 10 + Int(c - 48)
        }
        guard (100...599).contains(status) else { throw .malformed("status \(status) out of range") }
        var headers: [(name: String, value: String)] = []
        var keepAlive = minor == UInt8(ascii: "1")
        var contentLength: Int?
        var chunked = false
        var p = lineEnd + 2
        while p < end {
            guard let e = Self.find(b, [13, 10], from: p, limit: end + 2) else { throw .malformed("bad header line") }
            let line = b[p..<e]
            guard let colon = line.firstIndex(of: 58), colon > line.startIndex else { throw .malformed("header without a name") }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
            headers.append((name, value))
            switch name.lowercased() {
            case "content-length":
                guard let n = Int(value), n >= 0 else { throw .malformed("bad Content-Length") }
                guard n <= maxBodyBytes else { throw .malformed("body of \(n) bytes over \(maxBodyBytes)") }
                if let c = contentLength, c != n { throw .malformed("conflicting Content-Length") }
                contentLength = n
            case "transfer-encoding":
                chunked = value.lowercased().hasSuffix("chunked")
            case "connection":
                let v = value.lowercased()
                if v.contains("close") { keepAlive = false } else if v.contains("keep-alive") { keepAlive = true }
            default: break
            }
            p = e + 2
        }
        let framing: Framing
        if status < 200 || status == 204 || status == 304 {
            framing = .none
        } else if chunked {
            framing = .chunked
        } else if let n = contentLength {
            framing = n == 0 ? .none : .length(n)
        } else {
            framing = .untilClose
            keepAlive = false
        }
        return Head(status: status, headers: headers, keepAlive: keepAlive, framing: framing, length: end + 4)
    }

    /// The de-chunked body and the index after the final CRLF; nil when incomplete.
    private func dechunk(_ b: [UInt8], from start: Int) throws(HTTPClientFailure) -> ([UInt8], Int)? {
        var body: [UInt8] = []
        var p = start
        while true {
            guard let e = Self.find(b, [13, 10], from: p, limit: p + 1024) else {
                if b.count - p > 1024 { throw .malformed("chunk size line too long") }
                return nil
            }
            var size = 0
            var digits = 0
            for c in b[p..<e] {
                if c == 59 { break }  // ';' chunk extension
                guard let v = Self.hex(c) else { throw .malformed("bad chunk size") }
                size = size * 16 + v
                digits += 1
                guard size <= maxBodyBytes else { throw .malformed("chunk over \(maxBodyBytes) bytes") }
            }
            guard digits > 0 else { throw .malformed("empty chunk size") }
            p = e + 2
            if size == 0 {
                // Trailers, then an empty line.
                while true {
                    guard let t = Self.find(b, [13, 10], from: p, limit: p + maxHeadBytes) else { return nil }
                    if t == p { return (body, p + 2) }
                    p = t + 2
                }
            }
            guard b.count >= p + size + 2 else { return nil }
            guard body.count + size <= maxBodyBytes else { throw .malformed("body over \(maxBodyBytes) bytes") }
            body.append(contentsOf: b[p..<(p + size)])
            guard b[p + size] == 13, b[p + size + 1] == 10 else { throw .malformed("chunk not followed by CRLF") }
            p += size + 2
        }
    }

    private static func hex(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: Int(c - 48)
        case 97...102: Int(c - 87)
        case 65...70: Int(c - 55)
        default: nil
        }
    }

    /// First index of `pattern` in `b` at or after `from`, searching no further than `limit`.
    private static func find(_ b: [UInt8], _ pattern: [UInt8], from: Int, limit: Int) -> Int? {
        let last = min(b.count, limit) - pattern.count
        guard from <= last else { return nil }
        var i = from
        while i <= last {
            if b[i] == pattern[0] {
                var j = 1
                while j < pattern.count && b[i + j] == pattern[j] { j += 1 }
                if j == pattern.count { return i }
            }
            i += 1
        }
        return nil
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
