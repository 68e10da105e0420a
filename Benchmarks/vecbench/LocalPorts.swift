import Net

/// Free TCP ports on 127.0.0.1 for the servers vecbench starts. A port is probed by binding it and closing the
/// socket again, so another process could still take it before the server binds (the server then fails to
/// start and says so); ephemeral ports make that unlikely.
enum LocalPorts {
    /// A port the kernel picks as free.
    static func ephemeral() throws -> UInt16 {
        let l = try TCPListener(address: try SocketAddress(host: "127.0.0.1", port: 0))
        defer { l.close() }
        return l.address.port
    }

    /// Whether every port in `ports` can be bound now.
    static func free(_ ports: [Int]) -> Bool {
        for p in ports {
            guard let port = UInt16(exactly: p), let a = try? SocketAddress(host: "127.0.0.1", port: port),
                  let l = try? TCPListener(address: a) else { return false }
            l.close()
        }
        return true
    }

    /// A base port for `scripts/cluster.sh up --base-port` with `queryNodes` and `proxies`: the coordinators'
    /// BASE…BASE+9, query nodes' BASE+10+i, proxies' BASE+100+i and data nodes' BASE+201…BASE+208 (scripts that
    /// run them) must all be free. Tries bases in 20000…59000.
    static func clusterBase(queryNodes: Int, proxies: Int) throws -> Int {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let base = Int.random(in: 200...590, using: &generator) * 100
            let ports = Array(base...(base + 9)) + (1...queryNodes).map { base + 10 + $0 } + (1...proxies).map { base + 100 + $0 }
                + Array((base + 201)...(base + 208))
            if free(ports) { return base }
        }
        throw BenchError("no free range of ports for the cluster found in 20000…59100")
    }
}
