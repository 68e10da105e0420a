import Testing
import Net

@Suite struct SocketAddressTests {
    @Test func parsesForms() throws {
        #expect(try SocketAddress(parsing: "127.0.0.1:19530").description == "127.0.0.1:19530")
        #expect(try SocketAddress(parsing: "[::1]:80").description == "[::1]:80")
        #expect(try SocketAddress(parsing: "localhost:0").description == "127.0.0.1:0")
        #expect(try SocketAddress(parsing: ":8080").description == "0.0.0.0:8080")
        #expect(try SocketAddress(parsing: "*:8080").host == "0.0.0.0")
        #expect(try SocketAddress(parsing: "[::1]:80").isIPv6)
        #expect(try SocketAddress(host: "10.1.2.3", port: 65535).port == 65535)
    }

    @Test func rejectsBadAddresses() {
        for bad in ["127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:8x", "::1:80",
                    "[::1]80", "[::1:80", "300.1.1.1:80", "example.com:80", ""] {
            #expect(throws: NetError.self, "\(bad)") { try SocketAddress(parsing: bad) }
        }
        #expect(throws: NetError.self) { try SocketAddress(host: "nope", port: 1) }
        do {
            _ = try SocketAddress(parsing: "1.2.3.4:99999")
        } catch let e as NetError {
            #expect(e.description.contains("port '99999'"))
        } catch {
            Issue.record("wrong error type")
        }
    }

    @Test func resolvesLocalhostName() throws {
        #expect(try SocketAddress.resolve("localhost:5").port == 5)
        #expect(throws: NetError.self) { try SocketAddress.resolve("no-such-host.invalid:80") }
    }
}
