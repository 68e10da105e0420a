/// Why a message body could not be decoded. Thrown by every `WireReader` read; bytes from the network never
/// reach a precondition or a crash.
public enum WireDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The body ended before a field was complete: `needed` bytes were required, `remaining` were left.
    case truncated(needed: Int, remaining: Int)
    /// A string's bytes are not valid UTF-8.
    case invalidUTF8(length: Int)
    /// A declared length or element count exceeds the reader's limit for that field.
    case lengthOverLimit(length: UInt64, limit: Int)
    /// A variable-length integer is longer than 10 bytes or overflows 64 bits.
    case malformedVarint
    /// A field holds a value its type does not allow (for example a Bool byte other than 0 or 1).
    case invalidValue(String)
    /// Bytes were left after the message was fully decoded: the peer encodes a different message layout.
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .truncated(let needed, let remaining):
            return "message truncated: a field needs \(needed) bytes but only \(remaining) remain"
        case .invalidUTF8(let length):
            return "string of \(length) bytes is not valid UTF-8"
        case .lengthOverLimit(let length, let limit):
            return "declared length \(length) exceeds the limit of \(limit) for this field"
        case .malformedVarint:
            return "variable-length integer is longer than 10 bytes or overflows 64 bits"
        case .invalidValue(let what):
            return "invalid value: \(what)"
        case .trailingBytes(let n):
            return "\(n) unexpected bytes after the end of the message (peer uses a different message layout?)"
        }
    }
}
