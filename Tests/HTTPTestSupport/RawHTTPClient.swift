import Net
import JSON
import HTTP

/// Shared by the HTTP and API test targets.
/// A response as read off the wire by `RawHTTPClient`, with strict framing checks.
public struct RawResponse {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

public struct MalformedResponse: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// A blocking HTTP/1.1 client over a raw socket: sends bytes verbatim, parses responses strictly
/// (status line, fields, content-length framing), so tests see exactly what the server wrote.
public final class RawHTTPClient {
    public let socket: Socket
    private var buffer: [UInt8] = []
    private var eof = false

    public init(port: UInt16, timeout: Double = 5) throws {
        socket = try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: port), ioTimeout: timeout)
    }

    deinit { socket.close() }

    public func send(_ s: String) throws { try socket.sendAll(Array(s.utf8)) }
    public func send(_ b: [UInt8]) throws { try socket.sendAll(b) }

    private func fill() throws -> Bool {
        if eof { return false }
        let chunk: [UInt8]
        do {
            chunk = try socket.receive(max: 65536)
        } catch let e as NetError where e.isPeerReset {
            eof = true
            return false
        }
        if chunk.isEmpty { eof = true; return false }
        buffer.append(contentsOf: chunk)
        return true
    }

    /// Reads one response; nil when the server closed the connection cleanly before sending any byte.
    /// - Parameter headRequest: the request was HEAD (no body follows despite content-length).
    /// - Throws: `MalformedResponse` for anything that is not a well-formed HTTP/1.1 response.
    public func readResponse(headRequest: Bool = false) throws -> RawResponse? {
        var headEnd: Int? = nil
        while true {
            if let i = findCRLFCRLF() { headEnd = i; break }
            if !(try fill()) {
                if buffer.isEmpty { return nil }
                throw MalformedResponse(description: "connection closed inside a response head: \(String(decoding: buffer, as: UTF8.self).debugDescription)")
            }
            if buffer.count > 1 << 20 { throw MalformedResponse(description: "response head too large") }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "HTTP/1.1", parts[1].count == 3, let status = Int(parts[1]) else {
            throw MalformedResponse(description: "bad status line \(statusLine.debugDescription)")
        }
        var headers: [(String, String)] = []
        for l in lines {
            guard let c = l.firstIndex(of: ":"), c > l.startIndex else { throw MalformedResponse(description: "bad field \(l.debugDescription)") }
            headers.append((String(l[..<c]), l[l.index(after: c)...].trimmingCharacters(in: " \t")))
        }
        var resp = RawResponse(status: status, headers: headers, body: [])
        let bodyless = status < 200 || status == 204 || status == 304
        if bodyless { return resp }
        guard let cl = resp.header("content-length"), let n = Int(cl), n >= 0 else {
            throw MalformedResponse(description: "missing content-length in \(status) response")
        }
        if headRequest { return resp }
        while buffer.count < n {
            guard try fill() else { throw MalformedResponse(description: "connection closed inside a body (\(buffer.count)/\(n))") }
        }
        resp.body = Array(buffer[..<n])
        buffer.removeFirst(n)
        return resp
    }

    /// True when the server closes the connection (end of stream) without sending anything more.
    public func isClosedByServer() throws -> Bool {
        if !buffer.isEmpty { return false }
        return !(try fill())
    }

    private func findCRLFCRLF() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }
}

extension String {
    public func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

extension Substring {
    public func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
