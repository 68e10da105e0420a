#if canImport(Glibc)
import Glibc
#endif
import CEpoll

/// An IPv4 or IPv6 socket address (host + port), parsed from text with typed errors.
///
/// Accepted forms: `1.2.3.4:80`, `[::1]:80`, `localhost:80` (→ 127.0.0.1), `*:80` and `:80` (→ 0.0.0.0).
/// Other host names go through `resolve(_:)` (getaddrinfo, blocking: call it at startup, not on a hot path).
/// Port 0 asks the kernel for an ephemeral port when binding.
public struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
    enum Storage: Sendable, Equatable {
        case v4(host: UInt32, port: UInt16)            // host in network byte order
        case v6(host: [UInt8], port: UInt16, scope: UInt32)
    }
    let storage: Storage

    /// The port in host byte order.
    public var port: UInt16 {
        switch storage {
        case .v4(_, let p), .v6(_, let p, _): return p
        }
    }

    /// True for IPv6 addresses.
    public var isIPv6: Bool { if case .v6 = storage { return true } else { return false } }

    /// Builds an address from a numeric host (`127.0.0.1`, `::1`) and a port.
    /// - Throws: `NetError.invalidAddress` when `host` is not a numeric IPv4/IPv6 literal.
    public init(host: String, port: UInt16) throws {
        if let s = SocketAddress.numeric(host, port: port) { self = s; return }
        throw NetError.invalidAddress(host, reason: "host is not a numeric IPv4 or IPv6 address")
    }

    /// Parses `HOST:PORT` with a numeric host, `localhost`, `*` or an empty host (all interfaces).
    /// - Throws: `NetError.invalidAddress` naming the bad part.
    public init(parsing text: String) throws {
        let (host, port) = try SocketAddress.split(text)
        if host.isEmpty || host == "*" {
            self.init(storage: .v4(host: 0, port: port)); return
        }
        if host == "localhost" {
            self.init(storage: .v4(host: UInt32(0x7f00_0001).bigEndian, port: port)); return
        }
        guard let s = SocketAddress.numeric(host, port: port) else {
            throw NetError.invalidAddress(text, reason: "host '\(host)' is not a numeric IP address (use resolve() for names)")
        }
        self = s
    }

    init(storage: Storage) { self.storage = storage }

    /// Resolves `HOST:PORT` where HOST may be a DNS name (first IPv4 result preferred). Blocking.
    public static func resolve(_ text: String) throws -> SocketAddress {
        if let a = try? SocketAddress(parsing: text) { return a }
        let (host, port) = try split(text)
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &res)
        guard rc == 0, let first = res else {
            throw NetError.unresolvableHost(host, reason: cString(gai_strerror(rc)))
        }
        defer { freeaddrinfo(first) }
        var found: SocketAddress?
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            if let a = SocketAddress(sockaddr: ai.pointee.ai_addr, port: port) {
                if !a.isIPv6 { return a }
                if found == nil { found = a }
            }
            p = ai.pointee.ai_next
        }
        guard let f = found else { throw NetError.unresolvableHost(host, reason: "no IPv4/IPv6 address") }
        return f
    }

    static func split(_ text: String) throws -> (String, UInt16) {
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw NetError.invalidAddress(text, reason: "missing ']' after IPv6 host")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw NetError.invalidAddress(text, reason: "missing ':PORT' after ']'") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw NetError.invalidAddress(text, reason: "missing ':PORT'")
            }
            host = text[..<colon]
            if host.contains(":") {
                throw NetError.invalidAddress(text, reason: "IPv6 hosts must be bracketed, e.g. [::1]:80")
            }
            portText = text[text.index(after: colon)...]
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let p = Int(portText), p <= 65535 else {
            throw NetError.invalidAddress(text, reason: "port '\(portText)' is not an integer in 0...65535")
        }
        return (String(host), UInt16(p))
    }

    static func numeric(_ host: String, port: UInt16) -> SocketAddress? {
        var a4 = in_addr()
        if inet_pton(AF_INET, host, &a4) == 1 { return SocketAddress(storage: .v4(host: a4.s_addr, port: port)) }
        var a6 = in6_addr()
        if inet_pton(AF_INET6, host, &a6) == 1 {
            let bytes = withUnsafeBytes(of: &a6) { Array($0) }
            return SocketAddress(storage: .v6(host: bytes, port: port, scope: 0))
        }
        return nil
    }

    /// Decodes a kernel `sockaddr` (AF_INET / AF_INET6); `port` overrides the stored port when given.
    init?(sockaddr p: UnsafePointer<sockaddr>?, port: UInt16? = nil) {
        guard let p else { return nil }
        switch Int32(p.pointee.sa_family) {
        case AF_INET:
            let sin = UnsafeRawPointer(p).loadUnaligned(as: sockaddr_in.self)
            self.init(storage: .v4(host: sin.sin_addr.s_addr, port: port ?? UInt16(bigEndian: sin.sin_port)))
        case AF_INET6:
            var sin6 = UnsafeRawPointer(p).loadUnaligned(as: sockaddr_in6.self)
            let bytes = withUnsafeBytes(of: &sin6.sin6_addr) { Array($0) }
            self.init(storage: .v6(host: bytes, port: port ?? UInt16(bigEndian: sin6.sin6_port), scope: sin6.sin6_scope_id))
        default:
            return nil
        }
    }

    /// Calls `body` with this address as a kernel `sockaddr` and its length.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        switch storage {
        case .v4(let host, let port):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr.s_addr = host
            return try withUnsafePointer(to: &sin) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6(let host, let port, let scope):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            sin6.sin6_scope_id = scope
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { dst in for i in 0..<16 { dst[i] = host[i] } }
            return try withUnsafePointer(to: &sin6) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }

    var family: Int32 { isIPv6 ? AF_INET6 : AF_INET }

    /// The numeric host text (`127.0.0.1`, `::1`).
    public var host: String {
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch storage {
        case .v4(let h, _):
            var a = in_addr(s_addr: h)
            inet_ntop(AF_INET, &a, &buf, socklen_t(buf.count))
        case .v6(let h, _, _):
            var a = in6_addr()
            withUnsafeMutableBytes(of: &a) { dst in for i in 0..<16 { dst[i] = h[i] } }
            inet_ntop(AF_INET6, &a, &buf, socklen_t(buf.count))
        }
        return cString(buf)
    }

    /// `host:port`, with IPv6 hosts bracketed.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
