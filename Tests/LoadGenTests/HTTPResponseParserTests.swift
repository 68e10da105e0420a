import Testing
@testable import LoadGen

@Suite struct HTTPResponseParserTests {
    let parser = HTTPResponseParser()

    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func contentLengthReplyArrivingByteByByte() throws {
        let wire = bytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"code\":0}\n")
        var buffer: [UInt8] = []
        var reply: HTTPReply?
        for (i, b) in wire.enumerated() {
            buffer.append(b)
            reply = try parser.parse(&buffer)
            if i < wire.count - 1 { #expect(reply == nil, "complete after \(i + 1) of \(wire.count) bytes") }
        }
        #expect(reply == HTTPReply(status: 200, body: bytes("{\"code\":0}\n"), keepAlive: true))
        #expect(buffer.isEmpty)
    }

    @Test func chunkedBodyWithTrailerAndNextReplyKept() throws {
        var buffer = bytes("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                           + "4;ext=1\r\nabcd\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\nHTTP/1.1")
        let r = try #require(try parser.parse(&buffer))
        #expect(r.status == 503 && r.body == bytes("abcd0123456789") && !r.keepAlive)
        #expect(buffer == bytes("HTTP/1.1"))
    }

    @Test func bodylessStatusesAndInterimReplies() throws {
        var buffer = bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
        let r = try #require(try parser.parse(&buffer))
        #expect(r.status == 204 && r.body.isEmpty && buffer.isEmpty)
    }

    @Test func http10DefaultsToCloseAndReadToEnd() throws {
        var buffer = bytes("HTTP/1.0 200 OK\r\n\r\nhello")
        #expect(try parser.parse(&buffer) == nil)
        let r = try #require(try parser.finish(&buffer))
        #expect(r.status == 200 && r.body == bytes("hello") && !r.keepAlive)
        var cut = bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        #expect(throws: HTTPReplyError.self) { try parser.finish(&cut) }
        var empty: [UInt8] = []
        #expect(try parser.finish(&empty) == nil)
    }

    @Test(arguments: [
        "HTTQ/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1 999 Nope\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n",
        "<html>",
    ])
    func malformedRepliesAreTypedErrors(_ text: String) {
        var buffer = bytes(text)
        #expect(throws: HTTPReplyError.self) { try parser.parse(&buffer) }
    }

    @Test func limitsBoundMemory() throws {
        var small = HTTPResponseParser()
        small.maxHeadBytes = 256
        small.maxBodyBytes = 100
        var head = bytes("HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 400))
        #expect(throws: HTTPReplyError.self) { try small.parse(&head) }
        var body = bytes("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n")
        #expect(throws: HTTPReplyError.self) { try small.parse(&body) }
        var chunked = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n")
        #expect(throws: HTTPReplyError.self) { try small.parse(&chunked) }
        var unframed = bytes("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "b", count: 101))
        #expect(throws: HTTPReplyError.self) { try small.parse(&unframed) }
    }
}
