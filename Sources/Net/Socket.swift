#if canImport(Glibc)
import Glibc
#endif
import CEpoll

/// A TCP socket file descriptor with the options and I/O calls vecnode needs.
///
/// A thin value wrapper: it does not close the descriptor on deinit; whoever created it owns it and calls
/// `close()` exactly once. All sends use `MSG_NOSIGNAL` so a reset peer yields `EPIPE`, never SIGPIPE.
public struct Socket: Sendable, Hashable {
    /// The raw descriptor.
    public let fd: Int32

    /// Wraps an existing descriptor (ownership passes to the caller of `close()`).
    public init(fd: Int32) { self.fd = fd }

    /// Outcome of one nonblocking `send` / `receive`.
    public enum IOResult: Equatable, Sendable {
        /// `n` bytes were transferred (n > 0).
        case bytes(Int)
        /// The socket is nonblocking and not ready; retry after readiness.
        case wouldBlock
        /// The peer closed its side (receive only).
        case endOfStream
    }

    /// Creates a TCP socket (close-on-exec) for the given address family.
    public static func makeTCP(ipv6: Bool = false) throws -> Socket {
        let fd = Glibc.socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NetError.errno("socket") }
        return Socket(fd: fd)
    }

    /// Opens a blocking TCP connection to `address` with TCP_NODELAY set.
    /// - Parameters:
    ///   - timeout: connect deadline in seconds.
    ///   - ioTimeout: when set, later blocking sends/receives fail with `timedOut` after this many seconds;
    ///     when nil they block without a deadline.
    /// - Throws: `NetError.system` (e.g. ECONNREFUSED) or `.timedOut`.
    public static func connect(to address: SocketAddress, timeout: Double = 5, ioTimeout: Double? = nil) throws -> Socket {
        let s = try makeTCP(ipv6: address.isIPv6)
        do {
            try s.setNonBlocking(true)
            let rc = address.withSockaddr { Glibc.connect(s.fd, $0, $1) }
            if rc != 0 {
                guard Glibc.errno == EINPROGRESS else { throw NetError.errno("connect to \(address)") }
                var pfd = pollfd(fd: s.fd, events: Int16(POLLOUT), revents: 0)
                let n = poll(&pfd, 1, Int32(max(1, timeout * 1000)))
                if n == 0 { throw NetError.timedOut("connect to \(address)") }
                if n < 0 { throw NetError.errno("poll(connect)") }
                var err: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len)
                if err != 0 { throw NetError.system(call: "connect to \(address)", errno: err) }
            }
            try s.setNonBlocking(false)
            try s.setNoDelay()
            if let t = ioTimeout { try s.setTimeouts(seconds: t) }
            return s
        } catch {
            s.close()
            throw error
        }
    }

    /// Sets or clears O_NONBLOCK.
    public func setNonBlocking(_ on: Bool) throws {
        let flags = fcntl(fd, F_GETFL, 0)
        guard flags >= 0 else { throw NetError.errno("fcntl(F_GETFL)") }
        let nf = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        guard fcntl(fd, F_SETFL, nf) == 0 else { throw NetError.errno("fcntl(F_SETFL)") }
    }

    /// Disables Nagle's algorithm: small responses leave immediately instead of waiting up to 40 ms.
    public func setNoDelay() throws { try setInt(Int32(IPPROTO_TCP), TCP_NODELAY, 1, "setsockopt(TCP_NODELAY)") }

    /// Allows rebinding a listening port that still has connections in TIME_WAIT.
    public func setReuseAddress() throws { try setInt(SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt(SO_REUSEADDR)") }

    /// Sets SO_RCVTIMEO and SO_SNDTIMEO for blocking sockets (a blocked call then fails with EAGAIN).
    public func setTimeouts(seconds: Double) throws {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        let len = socklen_t(MemoryLayout<timeval>.size)
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, len) == 0,
              setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, len) == 0
        else { throw NetError.errno("setsockopt(SO_RCVTIMEO)") }
    }

    private func setInt(_ level: Int32, _ name: Int32, _ value: Int32, _ what: String) throws {
        var v = value
        guard setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else { throw NetError.errno(what) }
    }

    /// One `send` with MSG_NOSIGNAL. Retries on EINTR.
    /// - Throws: `NetError.system` on a hard error (EPIPE / ECONNRESET when the peer is gone).
    @inline(__always)
    public func send(_ buffer: UnsafeRawBufferPointer) throws -> IOResult {
        while true {
            let n = Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .bytes(n) }
            let e = Glibc.errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            throw NetError.system(call: "send", errno: e)
        }
    }

    /// One `recv`. Retries on EINTR.
    /// - Throws: `NetError.system` on a hard error; a blocking socket with a timeout throws `timedOut`.
    @inline(__always)
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult {
        while true {
            let n = Glibc.recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfStream }
            let e = Glibc.errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            throw NetError.system(call: "recv", errno: e)
        }
    }

    /// Blocking helper: sends every byte (for clients and tests; servers use the nonblocking `send`).
    public func sendAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                switch try send(UnsafeRawBufferPointer(rebasing: raw[off...])) {
                case .bytes(let n): off += n
                case .wouldBlock: throw NetError.timedOut("send")
                case .endOfStream: throw NetError.connectionClosed
                }
            }
        }
    }

    /// Blocking helper: receives up to `max` bytes; an empty array means end of stream.
    public func receive(max: Int = 65536) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max)
        let r = try out.withUnsafeMutableBytes { try receive(into: $0) }
        switch r {
        case .bytes(let n): out.removeSubrange(n...); return out
        case .endOfStream: return []
        case .wouldBlock: throw NetError.timedOut("receive")
        }
    }

    /// Half-closes the sending side (the peer reads end of stream).
    public func shutdownWrite() { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Closes the descriptor.
    public func close() { _ = Glibc.close(fd) }

    /// The locally bound address.
    public func localAddress() throws -> SocketAddress {
        var ss = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &ss) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard rc == 0 else { throw NetError.errno("getsockname") }
        let a = withUnsafePointer(to: &ss) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress(sockaddr: $0) } }
        guard let a else { throw NetError.system(call: "getsockname", errno: EAFNOSUPPORT) }
        return a
    }
}
