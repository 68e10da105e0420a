/// A frame's message kind: which message its body holds.
///
/// Ranges: `0x0000` is invalid; `0x0001…0x00FF` are reserved for the protocol itself (handshake, cancel);
/// `0x0100…0xFFFF` belong to the roles, which declare their kinds next to their messages
/// (`static let kind = MessageKind(0x0301)`). `WireRouter` refuses duplicates and reserved kinds when a
/// route is registered, so a collision is caught at start-up, not on the wire.
public struct MessageKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// Whether the kind belongs to the protocol's reserved range.
    public var isReserved: Bool { rawValue < 0x0100 }

    public var description: String { "kind 0x" + String(rawValue, radix: 16) }

    /// Server → client, first frame on a connection: the server's nonce.
    static let challenge = MessageKind(0x0001)
    /// Client → server: the client's nonce, name and proof of the cluster secret.
    static let hello = MessageKind(0x0002)
    /// Server → client: the handshake succeeded, with the server's proof of the secret.
    static let welcome = MessageKind(0x0003)
    /// Client → server: abandon the request with the frame's request id (deadline passed or task cancelled).
    static let cancel = MessageKind(0x0004)
}
