/// The HTTP versions the server speaks. Any `HTTP/1.x` with x ≥ 1 is treated as 1.1 (RFC 9110 §2.5);
/// other major versions get 505.
public enum HTTPVersion: Sendable, Equatable, CustomStringConvertible {
    case http1_0
    case http1_1

    public var description: String { self == .http1_0 ? "HTTP/1.0" : "HTTP/1.1" }
}
