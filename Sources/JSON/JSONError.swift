/// A JSON parse or serialization failure. Parse errors carry the byte offset where the input went wrong.
public struct JSONError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        case unexpectedEndOfInput
        case unexpectedByte(UInt8)
        case invalidNumber
        case numberOutOfRange
        case invalidEscape
        case loneSurrogate
        case controlCharacterInString
        case invalidUTF8
        case duplicateKey(String)
        case nestingTooDeep(limit: Int)
        case inputTooLarge(limit: Int)
        case trailingContent
        case typeMismatch(expected: String)
        case nonFiniteNumber
    }

    public let kind: Kind
    /// Byte offset into the input (0 for serialization errors).
    public let offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String {
        let what: String
        switch kind {
        case .unexpectedEndOfInput: what = "unexpected end of input"
        case .unexpectedByte(let b):
            what = b >= 0x20 && b < 0x7f
                ? "unexpected character '\(Character(Unicode.Scalar(b)))'" : "unexpected byte 0x\(String(b, radix: 16))"
        case .invalidNumber: what = "invalid number"
        case .numberOutOfRange: what = "number out of range"
        case .invalidEscape: what = "invalid escape sequence in string"
        case .loneSurrogate: what = "unpaired UTF-16 surrogate in \\u escape"
        case .controlCharacterInString: what = "unescaped control character in string"
        case .invalidUTF8: what = "invalid UTF-8"
        case .duplicateKey(let k): what = "duplicate object key \"\(k)\""
        case .nestingTooDeep(let l): what = "nesting deeper than \(l) levels"
        case .inputTooLarge(let l): what = "input larger than \(l) bytes"
        case .trailingContent: what = "unexpected content after the JSON value"
        case .typeMismatch(let e): what = "expected \(e)"
        case .nonFiniteNumber: return "cannot encode NaN or infinity in JSON"
        }
        return "\(what) at byte \(offset)"
    }
}
