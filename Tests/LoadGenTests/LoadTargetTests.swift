import Testing
@testable import LoadGen

@Suite struct LoadTargetTests {
    @Test func parsesHostPortAndPrefix() throws {
        let t = try LoadTarget(url: "http://127.0.0.1:19530/api/")
        #expect(t.address.port == 19530 && t.address.host == "127.0.0.1")
        #expect(t.hostHeader == "127.0.0.1:19530" && t.pathPrefix == "/api")
        let req = String(decoding: t.post("/search", json: Array("{}".utf8)), as: UTF8.self)
        #expect(req == "POST /api/search HTTP/1.1\r\nHost: 127.0.0.1:19530\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        #expect(try LoadTarget(url: "http://localhost").address.port == 80)
        #expect(try LoadTarget(url: "http://[::1]:8080").address.isIPv6)
        let auth = try LoadTarget(url: "http://127.0.0.1:1", bearerToken: "root:Milvus")
        #expect(String(decoding: auth.post("/x", json: []), as: UTF8.self).contains("Authorization: Bearer root:Milvus\r\n"))
    }

    @Test(arguments: ["https://127.0.0.1:1", "127.0.0.1:1", "http://", "http://127.0.0.1:99999", "http://127.0.0.1:0",
                      "http://u:p@127.0.0.1:1", "http://127.0.0.1:1/a b", "http://127.0.0.1:1/?q=1", "http://no-such-host.invalid:1"])
    func rejectsBadURLs(_ url: String) {
        #expect(throws: LoadError.self) { try LoadTarget(url: url) }
    }

    @Test func rejectsTokensThatWouldInjectHeaders() {
        #expect(throws: LoadError.self) { try LoadTarget(url: "http://127.0.0.1:1", bearerToken: "a\r\nX-Evil: 1") }
    }
}
