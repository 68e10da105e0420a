/// Errors of `ObjectStore` implementations.
public enum ObjectStoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The key (or list prefix) breaks the `ObjectKey` charset rules; the caller must fix the name.
    case invalidKey(String, reason: String)
    /// No object under the key.
    case notFound(ObjectKey)
    /// The key cannot be stored because an existing object or prefix occupies the same place (the local backend
    /// cannot hold both `a/b` and `a/b/c`); choose non-overlapping key layouts.
    case keyConflict(ObjectKey, reason: String)
    /// The stored object fails verification (damaged on disk); restore it from a replica or rebuild it.
    case corrupt(ObjectKey, reason: String)
    /// The object is larger than the store's read limit.
    case tooLarge(ObjectKey, size: Int, limit: Int)
    /// A system call failed (disk full, permissions…); see `IOFailure`. Usually retriable once the cause is fixed.
    case io(IOFailure)

    public var description: String {
        switch self {
        case .invalidKey(let key, let reason): return "invalid object key '\(key)': \(reason)"
        case .notFound(let key): return "object '\(key)' not found"
        case .keyConflict(let key, let reason): return "object key '\(key)' conflicts: \(reason)"
        case .corrupt(let key, let reason):
            return "object '\(key)' is corrupt: \(reason); restore it from a replica or rebuild it"
        case .tooLarge(let key, let size, let limit):
            return "object '\(key)' is \(size) bytes, over the read limit of \(limit) bytes"
        case .io(let failure): return "object store I/O error: \(failure)"
        }
    }
}
