import Testing
import Net

@Suite struct TCPListenerTests {
    @Test func ephemeralPortAcceptAndExchange() throws {
        let l = try TCPListener(address: SocketAddress(parsing: "127.0.0.1:0"))
        defer { l.close() }
        #expect(l.address.port != 0)
        #expect(try l.accept() == nil)          // nonblocking: nothing pending yet
        let client = try Socket.connect(to: l.address, ioTimeout: 5)
        defer { client.close() }
        var server: Socket? = nil
        for _ in 0..<100 where server == nil {
            server = try l.accept()
            if server == nil { usleepMs(5) }
        }
        let s = try #require(server)
        defer { s.close() }
        try client.sendAll(Array("ping".utf8))
        var got: [UInt8] = []
        while got.count < 4 {
            var buf = [UInt8](repeating: 0, count: 16)
            let r = try buf.withUnsafeMutableBytes { try s.receive(into: $0) }
            switch r {
            case .bytes(let n): got += buf[..<n]
            case .wouldBlock: usleepMs(1)
            case .endOfStream: Issue.record("unexpected EOF"); return
            }
        }
        #expect(got == Array("ping".utf8))
        // After the peer closes, sends fail with a typed error instead of SIGPIPE killing the process.
        s.close()
        var failed = false
        for _ in 0..<50 where !failed {
            do {
                try client.sendAll([UInt8](repeating: 1, count: 65536))
            } catch let e as NetError {
                failed = true
                #expect(e.isPeerReset, "\(e)")
            }
        }
        #expect(failed)
        #expect(try client.localAddress().host == "127.0.0.1")
    }

    @Test func bindConflictAndRefusedConnect() throws {
        let l = try TCPListener(address: SocketAddress(parsing: "127.0.0.1:0"))
        #expect(throws: NetError.self) { try TCPListener(address: l.address) }
        let port = l.address.port
        l.close()
        #expect(throws: NetError.self) { try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: port), timeout: 1) }
    }
}

func usleepMs(_ ms: Int) {
    var ts = timespec(tv_sec: 0, tv_nsec: ms * 1_000_000)
    nanosleep(&ts, nil)
}

#if canImport(Glibc)
import Glibc
#endif
