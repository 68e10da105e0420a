import Testing
@testable import HTTP

/// Feeds `chunks` one at a time and collects every result until the parser needs more after the last one.
func parse(_ chunks: [[UInt8]], config: HTTPServerConfiguration = .init()) -> [Result<HTTPRequest, HTTPParseError>] {
    var p = HTTPRequestParser(limits: .init(config))
    var buf = ByteBuffer()
    var out: [Result<HTTPRequest, HTTPParseError>] = []
    for c in chunks {
        c.withUnsafeBytes { buf.append($0) }
        loop: while true {
            switch p.next(&buf) {
            case .needMore: break loop
            case .request(let r): out.append(.success(r))
            case .error(let e): out.append(.failure(e)); return out
            }
        }
    }
    return out
}

func parse(_ text: String, config: HTTPServerConfiguration = .init()) -> [Result<HTTPRequest, HTTPParseError>] {
    parse([Array(text.utf8)], config: config)
}

func statusOf(_ text: String, config: HTTPServerConfiguration = .init()) -> Int? {
    guard case .failure(let e) = parse(text, config: config).last else { return nil }
    return e.status.code
}

@Suite struct HTTPRequestParserTests {
    @Test func simpleGet() throws {
        let r = parse("GET /health?verbose=1 HTTP/1.1\r\nHost: x\r\nX-Thing:  a b \r\n\r\n")
        #expect(r.count == 1)
        let req = try r[0].get()
        #expect(req.method == .GET)
        #expect(req.path == "/health")
        #expect(req.query == "verbose=1")
        #expect(req.version == .http1_1)
        #expect(req.keepAlive)
        #expect(req.headers["x-thing"] == "a b")
        #expect(req.headers["HOST"] == "x")
        #expect(req.body.isEmpty)
    }

    @Test func contentLengthBodyByteByByte() throws {
        let text = "POST /v2/vectordb/entities/search HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n{\"a\": [1 ]}"
        let r = parse(Array(text.utf8).map { [$0] })
        #expect(r.count == 1)
        let req = try r[0].get()
        #expect(String(decoding: req.body, as: UTF8.self) == "{\"a\": [1 ]}")
        #expect(req.path == "/v2/vectordb/entities/search")
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let text = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
        for split in [1, 3, 7, 1000] {
            let bytes = Array(text.utf8)
            let chunks = stride(from: 0, to: bytes.count, by: split).map { Array(bytes[$0..<min($0 + split, bytes.count)]) }
            let r = parse(chunks)
            #expect(r.count == 1, "split \(split)")
            #expect(String(decoding: try r[0].get().body, as: UTF8.self) == "hello world")
        }
    }

    @Test func pipelinedRequestsInOneBuffer() throws {
        let one = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
        let two = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
        let three = "GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        let r = parse(one + two + three)
        #expect(r.count == 3)
        #expect(try r.map { try $0.get().path } == ["/a", "/b", "/c"])
        #expect(try r[1].get().body == Array("abc".utf8))
        #expect(try !r[2].get().keepAlive)
    }

    @Test func http10KeepAliveRules() throws {
        #expect(try !parse("GET / HTTP/1.0\r\n\r\n")[0].get().keepAlive)
        #expect(try parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")[0].get().keepAlive)
        #expect(try !parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n")[0].get().keepAlive)
        #expect(try parse("GET / HTTP/1.0\r\n\r\n")[0].get().version == .http1_0)
    }

    @Test func leadingEmptyLinesAreSkipped() throws {
        #expect(try parse("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")[0].get().path == "/")
    }

    @Test func absoluteFormTarget() throws {
        #expect(try parse("GET http://example.com/p?q HTTP/1.1\r\nHost: example.com\r\n\r\n")[0].get().path == "/p")
    }

    @Test func badRequests() {
        let bad = [
            "GET /\r\n\r\n",                                           // no version
            "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",                      // double space
            "GET / HTTP/1.1\r\n\r\n",                                   // missing Host
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",             // two Hosts
            "GET / HTTP/1.1\r\nHost : h\r\n\r\n",                       // space before colon
            "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",             // obs-fold
            "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\u{01}\r\n\r\n",                  // control char in value
            "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
            "GET nopath HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET * HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET / HTTQ/1.1\r\nHost: h\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /\u{7f} HTTP/1.1\r\nHost: h\r\n\r\n",
        ]
        for b in bad { #expect(statusOf(b) == 400, "\(b.debugDescription)") }
    }

    @Test func statusForEachRejection() {
        var cfg = HTTPServerConfiguration()
        cfg.requireContentLength = true
        cfg.maxBodyBytes = 100
        cfg.maxURIBytes = 64
        cfg.maxHeaderBytes = 512
        cfg.maxHeaderCount = 4
        #expect(statusOf("POST / HTTP/1.1\r\nHost: h\r\n\r\n", config: cfg) == 411)
        #expect(statusOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", config: cfg) == 413)
        #expect(statusOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", config: cfg) == 413)
        #expect(statusOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n60\r\n" + String(repeating: "a", count: 96) + "\r\n10\r\n", config: cfg) == 413)
        #expect(statusOf("GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\nHost: h\r\n\r\n", config: cfg) == 414)
        #expect(statusOf("GET /" + String(repeating: "a", count: 200), config: cfg) == 414)   // unterminated
        #expect(statusOf("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 600) + "\r\n\r\n", config: cfg) == 431)
        #expect(statusOf("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 600), config: cfg) == 431)
        #expect(statusOf("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", config: cfg) == 431)
        #expect(statusOf("BREW / HTTP/1.1\r\nHost: h\r\n\r\n") == 501)
        #expect(statusOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == 501)
        #expect(statusOf("GET / HTTP/2.0\r\nHost: h\r\n\r\n") == 505)
        #expect(statusOf("GET / HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n") == 417)
    }

    @Test func minorVersionAboveOneIsHTTP11() throws {
        #expect(try parse("GET / HTTP/1.7\r\nHost: h\r\n\r\n")[0].get().version == .http1_1)
    }

    @Test func expectContinueIsReportedUntilBodyArrives() {
        var p = HTTPRequestParser(limits: .init(HTTPServerConfiguration()))
        var buf = ByteBuffer()
        Array("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8).withUnsafeBytes { buf.append($0) }
        guard case .needMore = p.next(&buf) else { Issue.record("expected needMore"); return }
        #expect(p.wantsContinue)
        Array("ok".utf8).withUnsafeBytes { buf.append($0) }
        guard case .request(let r) = p.next(&buf) else { Issue.record("expected request"); return }
        #expect(r.body == Array("ok".utf8))
        #expect(!p.wantsContinue)
    }

    @Test func incompleteInputNeedsMore() {
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\n").isEmpty)
        #expect(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab").isEmpty)
    }
}
