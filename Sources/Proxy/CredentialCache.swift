import Synchronization
import Wire

/// Recently verified user/password pairs, so authenticated HTTP requests do not each cost a root
/// coordinator call. Stores SHA-256(user ‖ 0 ‖ password), never the password; entries expire after the
/// configured TTL and are dropped when this proxy changes or drops the user.
final class CredentialCache: Sendable {
    private let entries = Mutex<[String: (digest: [UInt8], until: ContinuousClock.Instant)]>([:])

    static func digest(_ user: String, _ password: String) -> [UInt8] {
        SHA256.hash(Array(user.utf8) + [0] + Array(password.utf8))
    }

    func isValid(_ user: String, _ password: String, now: ContinuousClock.Instant = .now) -> Bool {
        let d = Self.digest(user, password)
        return entries.withLock { e in
            guard let entry = e[user], entry.until > now else { return false }
            return SHA256.constantTimeEqual(entry.digest, d)
        }
    }

    func remember(_ user: String, _ password: String, ttl: Duration) {
        let d = Self.digest(user, password)
        entries.withLock { $0[user] = (d, .now + ttl) }
    }

    func forget(_ user: String) { _ = entries.withLock { $0.removeValue(forKey: user) } }
}
