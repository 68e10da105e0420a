#if canImport(Glibc)
import Glibc
#endif

/// Errors from the socket layer. Each says which call failed and why, in words an operator can act on.
public enum NetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A `host:port` string could not be parsed (`reason` says which part is wrong).
    case invalidAddress(String, reason: String)
    /// A host name did not resolve to any IPv4/IPv6 address.
    case unresolvableHost(String, reason: String)
    /// A system call failed with `errno`.
    case system(call: String, errno: Int32)
    /// A blocking operation did not complete within its deadline.
    case timedOut(String)
    /// The peer closed the connection before the operation completed.
    case connectionClosed

    public var description: String {
        switch self {
        case .invalidAddress(let s, let reason):
            return "invalid address '\(s)': \(reason) (expected HOST:PORT, e.g. 127.0.0.1:19530 or [::1]:19530)"
        case .unresolvableHost(let h, let reason):
            return "cannot resolve host '\(h)': \(reason)"
        case .system(let call, let e):
            return "\(call) failed: \(cString(strerror(e))) (errno \(e))"
        case .timedOut(let what):
            return "\(what) timed out"
        case .connectionClosed:
            return "connection closed by peer"
        }
    }

    /// Captures the current `errno` for `call`.
    static func errno(_ call: String) -> NetError { .system(call: call, errno: Glibc.errno) }

    /// True when the failure is a peer reset / broken pipe rather than a local problem.
    public var isPeerReset: Bool {
        if case .system(_, let e) = self { return e == ECONNRESET || e == EPIPE || e == ENOTCONN }
        return self == .connectionClosed
    }
}

/// Decodes a NUL-terminated C string (nil pointer → empty).
func cString(_ p: UnsafePointer<CChar>?) -> String {
    guard let p else { return "" }
    let n = strlen(p)
    return p.withMemoryRebound(to: UInt8.self, capacity: n) { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) }
}

func cString(_ a: [CChar]) -> String { a.withUnsafeBufferPointer { cString($0.baseAddress) } }
