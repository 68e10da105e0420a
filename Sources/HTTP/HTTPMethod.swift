/// Request methods the server accepts. Any other syntactically valid method gets 501 Not Implemented.
public enum HTTPMethod: String, Sendable, CaseIterable, Hashable {
    case GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS

    /// Decodes a method token (case-sensitive, as RFC 9110 requires); nil for unsupported methods.
    init?(bytes p: UnsafeBufferPointer<UInt8>) {
        @inline(__always) func eq(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == p.count && memcmpEqual(p.baseAddress!, s.utf8Start, p.count)
        }
        switch p.count {
        case 3: if eq("GET") { self = .GET } else if eq("PUT") { self = .PUT } else { return nil }
        case 4: if eq("POST") { self = .POST } else if eq("HEAD") { self = .HEAD } else { return nil }
        case 5: if eq("PATCH") { self = .PATCH } else { return nil }
        case 6: if eq("DELETE") { self = .DELETE } else { return nil }
        case 7: if eq("OPTIONS") { self = .OPTIONS } else { return nil }
        default: return nil
        }
    }
}

@inline(__always)
func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    for i in 0..<n where a[i] != b[i] { return false }
    return true
}
