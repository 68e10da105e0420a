import Foundation
import Glibc

/// A failed socket operation, with the system's reason.
struct SocketError: Error, CustomStringConvertible {
    /// What was attempted, e.g. "connect to 10.0.0.2:19530".
    var operation: String
    /// The system's explanation (strerror / gai_strerror).
    var reason: String
    /// The operation hit SO_RCVTIMEO / SO_SNDTIMEO (or a connect timeout) rather than failing outright.
    var timedOut: Bool = false

    var description: String { "\(operation): \(reason)" }

    static func errno(_ operation: String, _ code: Int32 = Glibc.errno) -> SocketError {
        SocketError(
            operation: operation, reason: String(cString: strerror(code)),
            timedOut: code == EAGAIN || code == EWOULDBLOCK || code == ETIMEDOUT)
    }
}

/// Every Glibc socket call of the Wire module, in one place (the HTTP server has its own; the two are meant
/// to be merged). Blocking sockets throughout: each connection has its own reader and writer threads
/// (see `FrameConnection`), which the spike measured at 59–115k messages/s with the least code.
///
/// Conventions: every send passes `MSG_NOSIGNAL` (a closed peer must not raise SIGPIPE); connected sockets
/// get `TCP_NODELAY` (frames are written whole, so Nagle only adds latency) and `SO_KEEPALIVE`; `EINTR` is
/// retried everywhere.
enum Socket {
    /// Resolves `host:port` and calls `body` with each candidate address until it returns a value.
    private static func withAddresses<T>(
        _ operation: String, host: String, port: UInt16, passive: Bool,
        _ body: (UnsafeMutablePointer<addrinfo>) throws(SocketError) -> T?
    ) throws(SocketError) -> T {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw SocketError(operation: "\(operation): resolve '\(host)'", reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(first) }
        var lastError = SocketError(operation: operation, reason: "no usable address for '\(host)'")
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            do {
                if let value = try body(ai) { return value }
            } catch {
                lastError = error
            }
            cursor = ai.pointee.ai_next
        }
        throw lastError
    }

    /// Creates a listening socket on `host:port` (port 0: the kernel picks) and returns it with the bound port.
    static func listen(host: String, port: UInt16, backlog: Int32 = 512) throws(SocketError) -> (fd: Int32, port: UInt16) {
        let operation = "listen on \(host):\(port)"
        return try withAddresses(operation, host: host, port: port, passive: true) { (ai) throws(SocketError) in
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            guard fd >= 0 else { throw .errno(operation) }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            guard bind(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 else {
                let e = SocketError.errno(operation)
                Glibc.close(fd)
                throw e
            }
            guard Glibc.listen(fd, backlog) == 0 else {
                let e = SocketError.errno(operation)
                Glibc.close(fd)
                throw e
            }
            return (fd, localPort(fd) ?? port)
        }
    }

    /// The local port a socket is bound to.
    static func localPort(_ fd: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        default:
            return nil
        }
    }

    /// Accepts one connection; returns its socket (configured) and the peer's numeric address.
    static func accept(_ listener: Int32) throws(SocketError) -> (fd: Int32, peer: String) {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(listener, $0, &length) }
            }
            if fd >= 0 {
                configure(fd)
                let peer = withUnsafePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { numericName($0, length) }
                }
                return (fd, peer)
            }
            let code = errno
            if code == EINTR || code == ECONNABORTED { continue }
            throw .errno("accept", code)
        }
    }

    private static func numericName(_ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let rc = getnameinfo(
            address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
            NI_NUMERICHOST | NI_NUMERICSERV)
        guard rc == 0 else { return "?" }
        let h = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let s = String(decoding: service.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return h.contains(":") ? "[\(h)]:\(s)" : "\(h):\(s)"
    }

    /// Connects to `host:port` within `timeout` and returns the configured, blocking socket.
    static func connect(host: String, port: UInt16, timeout: Duration) throws(SocketError) -> Int32 {
        let operation = "connect to \(host):\(port)"
        return try withAddresses(operation, host: host, port: port, passive: false) { (ai) throws(SocketError) in
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            guard fd >= 0 else { throw .errno(operation) }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) != 0 {
                guard errno == EINPROGRESS else {
                    let e = SocketError.errno(operation)
                    Glibc.close(fd)
                    throw e
                }
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let millis = Int32(clamping: timeout.components.seconds * 1000
                    + timeout.components.attoseconds / 1_000_000_000_000_000)
                var rc: Int32
                repeat { rc = poll(&pfd, 1, max(1, millis)) } while rc < 0 && errno == EINTR
                if rc == 0 {
                    Glibc.close(fd)
                    throw SocketError(operation: operation, reason: "timed out after \(timeout)", timedOut: true)
                }
                var soError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
                if rc < 0 || soError != 0 {
                    let e = SocketError.errno(operation, rc < 0 ? errno : soError)
                    Glibc.close(fd)
                    throw e
                }
            }
            _ = fcntl(fd, F_SETFL, flags)
            configure(fd)
            return fd
        }
    }

    /// TCP_NODELAY and SO_KEEPALIVE on a connected socket.
    static func configure(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sets SO_RCVTIMEO (`nil`: block forever).
    static func setReceiveTimeout(_ fd: Int32, _ timeout: Duration?) { setTimeout(fd, SO_RCVTIMEO, timeout) }

    /// Sets SO_SNDTIMEO (`nil`: block forever).
    static func setSendTimeout(_ fd: Int32, _ timeout: Duration?) { setTimeout(fd, SO_SNDTIMEO, timeout) }

    private static func setTimeout(_ fd: Int32, _ option: Int32, _ timeout: Duration?) {
        var tv = timeval()
        if let timeout {
            tv.tv_sec = Int(timeout.components.seconds)
            tv.tv_usec = Int(timeout.components.attoseconds / 1_000_000_000_000)
            if tv.tv_sec == 0 && tv.tv_usec == 0 { tv.tv_usec = 1 }
        }
        _ = setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// One `send` with MSG_NOSIGNAL. Returns the bytes written; with `nonBlocking`, 0 means the socket
    /// buffer is full. Throws on a broken connection (or a send timeout when blocking).
    static func send(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, nonBlocking: Bool) throws(SocketError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let flags = Int32(MSG_NOSIGNAL) | (nonBlocking ? Int32(MSG_DONTWAIT) : 0)
        while true {
            let n = Glibc.send(fd, base, buffer.count, flags)
            if n >= 0 { return n }
            let code = errno
            if code == EINTR { continue }
            if nonBlocking && (code == EAGAIN || code == EWOULDBLOCK) { return 0 }
            throw .errno("send", code)
        }
    }

    /// Writes all of `buffer` (blocking, bounded by SO_SNDTIMEO).
    static func sendAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SocketError) {
        var offset = 0
        while offset < buffer.count {
            offset += try send(fd, UnsafeRawBufferPointer(rebasing: buffer[offset...]), nonBlocking: false)
        }
    }

    /// Writes all of `bytes` (blocking, bounded by SO_SNDTIMEO).
    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(SocketError) {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(SocketError) in try sendAll(fd, raw) } }
        try result.get()
    }

    /// One `recv` into `buffer`; returns the bytes read, 0 at end of stream.
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> Int {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n >= 0 { return n }
            let code = errno
            if code == EINTR { continue }
            throw .errno("recv", code)
        }
    }

    /// Shuts both directions down: wakes a thread blocked in `recv`, `send` or `accept` on this socket.
    static func shutdown(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// Closes the descriptor. Call once, after every thread using it has finished.
    static func close(_ fd: Int32) { _ = Glibc.close(fd) }
}

/// A connected socket shared by several threads: `shutdown` may be called from anywhere at any time (to
/// wake the threads using it), `close` once by its owner after they have finished. Guards against calling
/// `shutdown` on a descriptor number that was closed and reused by another socket.
final class SocketHandle: @unchecked Sendable {
    let fd: Int32
    private let lock = NSLock()
    private var closed = false

    init(_ fd: Int32) { self.fd = fd }

    /// Shuts the connection down unless the descriptor is already closed.
    func shutdown() {
        lock.lock()
        if !closed { Socket.shutdown(fd) }
        lock.unlock()
    }

    /// Closes the descriptor (once).
    func close() {
        lock.lock()
        if !closed {
            closed = true
            Socket.close(fd)
        }
        lock.unlock()
    }
}
