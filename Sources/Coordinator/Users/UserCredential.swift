import Wire

/// A user's stored password: a random 16-byte salt and SHA-256(salt ‖ UTF-8 password). The password itself
/// is never stored. Meta-store record `users/<name>`: format version u8 (1), salt (bytes), digest (bytes).
public struct UserCredential: Sendable, Equatable, WireCodable {
    static let formatVersion: UInt8 = 1
    static let saltBytes = 16

    public var salt: [UInt8]
    public var digest: [UInt8]

    /// A credential for `password` with a fresh random salt.
    public init(password: String) {
        var rng = SystemRandomNumberGenerator()
        let salt = (0..<Self.saltBytes).map { _ in UInt8.random(in: 0...255, using: &rng) }
        self.init(salt: salt, password: password)
    }

    /// A credential for `password` with the given salt (tests use a fixed one).
    public init(salt: [UInt8], password: String) {
        self.salt = salt
        digest = SHA256.hash(salt + Array(password.utf8))
    }

    /// Whether `password` is the one this credential was made from (constant-time digest comparison).
    public func matches(_ password: String) -> Bool {
        SHA256.constantTimeEqual(SHA256.hash(salt + Array(password.utf8)), digest)
    }

    public func encode(into w: inout WireWriter) {
        w.writeUInt8(Self.formatVersion)
        w.writeBytes(salt)
        w.writeBytes(digest)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        let version = try r.readUInt8()
        guard version == Self.formatVersion else { throw .invalidValue("user record version \(version)") }
        salt = try r.readBytes(limit: 64)
        digest = try r.readBytes(limit: 64)
        guard digest.count == 32, !salt.isEmpty else { throw .invalidValue("user record with a \(salt.count)-byte salt and \(digest.count)-byte digest") }
    }

    /// Milvus's user-name rule: 1…32 characters, the first a letter, the rest letters, digits or `_`.
    public static func validateName(_ name: String) throws(UserError) {
        let bytes = Array(name.utf8)
        func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        guard (1...32).contains(bytes.count), isLetter(bytes[0]),
              bytes.allSatisfy({ isLetter($0) || ($0 >= 48 && $0 <= 57) || $0 == 95 })
        else { throw .invalidName(name) }
    }

    /// Milvus's password rule: 6…256 bytes.
    public static func validatePassword(_ password: String) throws(UserError) {
        guard (6...256).contains(password.utf8.count) else { throw .invalidPassword }
    }
}
