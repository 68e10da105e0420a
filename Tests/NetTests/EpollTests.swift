import Testing
import Net

@Suite struct EpollTests {
    @Test func readinessAndWake() throws {
        let ep = try Epoll()
        let l = try TCPListener(address: SocketAddress(parsing: "127.0.0.1:0"))
        defer { l.close() }
        try ep.add(l.socket.fd, .readable, token: 7)
        let events = UnsafeMutableBufferPointer<Epoll.Event>.allocate(capacity: 8)
        defer { events.deallocate() }
        #expect(try ep.wait(into: events, timeoutMs: 0) == 0)
        let c = try Socket.connect(to: l.address)
        defer { c.close() }
        let n = try ep.wait(into: events, timeoutMs: 1000)
        #expect(n == 1 && events[0].token == 7)
        #expect(Epoll.Events(rawValue: events[0].events).contains(.readable))
        ep.remove(l.socket.fd)
        ep.wake()
        let m = try ep.wait(into: events, timeoutMs: 1000)
        #expect(m == 1 && events[0].token == Epoll.wakeToken)
        #expect(try ep.wait(into: events, timeoutMs: 0) == 0)     // the wake was drained
    }
}
