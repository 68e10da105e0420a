import Testing
@testable import Runtime

struct HostPortTests {
    @Test func parsesHostsAndIPv6Literals() throws {
        #expect(try HostPort(parsing: "127.0.0.1:19530") == HostPort(host: "127.0.0.1", port: 19530))
        #expect(try HostPort(parsing: "node-3.cluster_a.local:0") == HostPort(host: "node-3.cluster_a.local", port: 0))
        let v6 = try HostPort(parsing: "[::1]:65535")
        #expect(v6 == HostPort(host: "::1", port: 65535))
        #expect(v6.description == "[::1]:65535")
        #expect(try HostPort(parsing: "0.0.0.0:1").isWildcard)
        #expect(try HostPort(parsing: "[::]:1").isWildcard)
    }

    @Test(arguments: [
        ("", "empty address"), ("localhost", "no port"), (":80", "empty host"), ("host:", "empty port"),
        ("host:http", "bad port"), ("host:65536", "bad port"), ("host:-1", "bad port"), ("host:123456", "bad port"),
        ("::1:80", "need brackets"), ("bad host:1", "bad host"), ("[zz]:1", "bad IPv6"), ("[]:1", "bad IPv6"),
        ("h\u{0}st:1", "bad host"),
    ])
    func rejectsBadAddresses(input: String, expected: String) {
        do {
            let parsed = try HostPort(parsing: input)
            Issue.record("accepted \(input) as \(parsed)")
        } catch {
            #expect(error.description.contains(expected), "\(input): \(error)")
        }
    }
}
