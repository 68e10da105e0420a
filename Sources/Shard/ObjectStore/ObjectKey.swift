/// The validated name of an object in an `ObjectStore`, e.g. `"segments/42/vectors.bin"`.
///
/// Charset (checked at construction, so every backend can map a key to a path or URL safely):
/// - 1 to 1024 bytes; components separated by single `/`;
/// - each component is 1–255 characters from `A–Z a–z 0–9 . _ - =` and does not start with `.`
///   (which also excludes `.` and `..`, and keeps `.`-names free for backends' temporary files);
/// - no leading `/` (absolute paths), no trailing `/`, no empty components (`//`).
public struct ObjectKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The key as a string.
    public let rawValue: String

    /// Validates `rawValue` against the key charset.
    ///
    /// - Throws: `ObjectStoreError.invalidKey` naming the rule that was broken.
    public init(_ rawValue: String) throws {
        if let reason = ObjectKey.violation(in: rawValue, isPrefix: false) {
            throw ObjectStoreError.invalidKey(rawValue, reason: reason)
        }
        self.rawValue = rawValue
    }

    /// The components of the key.
    public var components: [Substring] { rawValue.split(separator: "/", omittingEmptySubsequences: false) }

    public var description: String { rawValue }

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool { a.rawValue.utf8.lexicographicallyPrecedes(b.rawValue.utf8) }

    static let maxBytes = 1024
    static let maxComponentBytes = 255

    /// Why `text` is not a valid key (or, with `isPrefix`, a valid `list` prefix, which may be empty, end in `/`
    /// or end in a partial component); `nil` when it is valid.
    static func violation(in text: String, isPrefix: Bool) -> String? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return isPrefix ? nil : "a key must not be empty" }
        if bytes.count > maxBytes { return "longer than \(maxBytes) bytes" }
        if bytes[0] == UInt8(ascii: "/") { return "must be relative (no leading '/')" }
        var componentLength = 0
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: "/") {
                if componentLength == 0 { return "empty component ('//') at byte \(i)" }
                componentLength = 0
                continue
            }
            guard isAllowed(b) else {
                return "character \(describe(b)) at byte \(i) is outside [A-Za-z0-9._=-] and '/'"
            }
            if componentLength == 0 && b == UInt8(ascii: ".") {
                return "component at byte \(i) starts with '.' ('.', '..' and hidden names are not allowed)"
            }
            componentLength += 1
            if componentLength > maxComponentBytes { return "component longer than \(maxComponentBytes) bytes" }
        }
        if componentLength == 0 && !isPrefix { return "must not end with '/'" }
        return nil
    }

    private static func isAllowed(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"),
            UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    private static func describe(_ b: UInt8) -> String {
        b >= 0x21 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "0x" + String(b, radix: 16)
    }
}
