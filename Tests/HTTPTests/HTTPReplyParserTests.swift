import HTTP
import Testing

/// The client-side reply parser: every framing, incremental input, limits, malformed replies.
@Suite struct HTTPReplyParserTests {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Feeds `input` one byte at a time; returns every reply parsed and what is left.
    static func feedBytewise(_ input: [UInt8], parser: HTTPReplyParser = HTTPReplyParser()) throws -> ([HTTPClientReply], [UInt8]) {
        var buffer: [UInt8] = []
        var out: [HTTPClientReply] = []
        for b in input {
            buffer.append(b)
            while let r = try parser.parse(&buffer) { out.append(r) }
        }
        return (out, buffer)
    }

    @Test func contentLengthAndPipelinedReplies() throws {
        let input = Self.bytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Upstream-Server: p1\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
            + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        let (replies, rest) = try Self.feedBytewise(input)
        #expect(rest.isEmpty)
        #expect(replies.count == 2)
        #expect(replies[0].status == 200)
        #expect(replies[0].body == Self.bytes("{\"a\":1}"))
        #expect(replies[0].header("x-upstream-server") == "p1")
        #expect(replies[0].keepAlive)
        #expect(replies[1].status == 404 && replies[1].body.isEmpty)
    }

    @Test func chunkedWithExtensionsAndTrailers() throws {
        let input = Self.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\nT: v\r\n\r\n")
        let (replies, rest) = try Self.feedBytewise(input)
        #expect(rest.isEmpty)
        #expect(replies.map { String(decoding: $0.body, as: UTF8.self) } == ["Wikipedia"])
    }

    @Test func bodylessStatusesAndCloseDelimitedBodies() throws {
        var b = Self.bytes("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil the end")
        let parser = HTTPReplyParser()
        let first = try parser.parse(&b)
        #expect(first?.status == 204)
        #expect(try parser.parse(&b) == nil)  // body runs until close
        let last = try parser.finish(&b)
        #expect(last?.body == Self.bytes("until the end"))
        #expect(last?.keepAlive == false)
        var closeHeader = Self.bytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi")
        #expect(try parser.parse(&closeHeader)?.keepAlive == false)
    }

    @Test func truncatedReplyAtCloseIsAnError() {
        var b = Self.bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        #expect(throws: HTTPClientFailure.self) { try HTTPReplyParser().finish(&b) }
    }

    @Test func malformedAndOversizedRepliesAreRefused() {
        var small = HTTPReplyParser()
        small.maxBodyBytes = 100
        small.maxHeadBytes = 200
        let bad = [
            "HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 999 Huh\r\n\r\n", "HTTP/2.0 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "HTTP/1.1 200 OK\r\n: novalue\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFF\r\n",
            "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 300) + "\r\n\r\n",
        ]
        for text in bad {
            var b = Self.bytes(text)
            #expect(throws: HTTPClientFailure.self, "\(text.prefix(40))") { _ = try small.parse(&b) }
        }
    }

    @Test func randomGarbageNeverCrashes() {
        var state: UInt64 = 42
        for _ in 0..<2_000 {
            var b: [UInt8] = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".utf8)
            for _ in 0..<3 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let i = Int(state >> 33) % b.count
                b[i] = UInt8(truncatingIfNeeded: state >> 20)
            }
            _ = try? HTTPReplyParser().parse(&b)
        }
    }
}
