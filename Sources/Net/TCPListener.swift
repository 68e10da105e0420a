#if canImport(Glibc)
import Glibc
#endif
import CEpoll

/// A nonblocking listening TCP socket.
///
/// Bind to port 0 for an ephemeral port and read it back from `address.port`. Accepted sockets are
/// nonblocking, close-on-exec and have TCP_NODELAY set.
public final class TCPListener: @unchecked Sendable {
    /// The listening socket.
    public let socket: Socket
    /// The bound address (with the kernel-chosen port when bound to port 0).
    public let address: SocketAddress

    /// Binds and listens.
    /// - Parameters:
    ///   - address: where to listen; port 0 picks an ephemeral port.
    ///   - backlog: kernel accept queue length (capped by `net.core.somaxconn`).
    /// - Throws: `NetError.system` (e.g. EADDRINUSE) naming the address.
    public init(address: SocketAddress, backlog: Int32 = 1024) throws {
        let s = try Socket.makeTCP(ipv6: address.isIPv6)
        do {
            try s.setReuseAddress()
            try s.setNonBlocking(true)
            let rc = address.withSockaddr { Glibc.bind(s.fd, $0, $1) }
            guard rc == 0 else { throw NetError.errno("bind \(address)") }
            guard Glibc.listen(s.fd, backlog) == 0 else { throw NetError.errno("listen \(address)") }
            self.address = try s.localAddress()
        } catch {
            s.close()
            throw error
        }
        socket = s
    }

    /// Accepts one pending connection, or returns nil when none is pending (EAGAIN).
    /// - Throws: `NetError.system` for EMFILE/ENFILE (descriptor exhaustion) and other hard errors;
    ///   transient per-connection errors (ECONNABORTED, EPROTO…) return nil so the caller just retries.
    public func accept() throws -> Socket? {
        while true {
            let fd = cepoll_accept(socket.fd, nil, nil)
            if fd >= 0 {
                let s = Socket(fd: fd)
                try? s.setNoDelay()
                return s
            }
            let e = Glibc.errno
            switch e {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            case ECONNABORTED, EPROTO, EPERM, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH:
                continue
            default:
                throw NetError.system(call: "accept", errno: e)
            }
        }
    }

    /// Closes the listening socket (pending, unaccepted connections are reset by the kernel).
    public func close() { socket.close() }
}
