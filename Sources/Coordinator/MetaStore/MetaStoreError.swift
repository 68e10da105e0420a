import Shard

/// Errors of the coordinator's durable meta store (`MetaStore`).
public enum MetaStoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A compare-and-set condition failed: `key` is at `actual` (0 = absent) instead of `expected`.
    /// Re-read the key and retry with its current revision.
    case revisionMismatch(key: String, expected: UInt64, actual: UInt64)
    /// A key is empty, longer than `MetaStore.maxKeyBytes`, or contains a NUL byte.
    case invalidKey(String)
    /// A value (or a whole transaction) exceeds the store's size limit.
    case tooLarge(String)
    /// The write-ahead log failed (disk full, I/O error, locked directory…). After a failed append the store
    /// refuses writes until it is reopened.
    case log(LogError)
    /// The snapshot file could not be written or read.
    case storage(StorageError)
    /// The on-disk state is inconsistent (a WAL record that does not decode, a revision gap, a snapshot
    /// ahead of its log). Restore the meta directory from a backup.
    case corrupt(String)
    /// The store was closed.
    case closed

    public var description: String {
        switch self {
        case .revisionMismatch(let key, let expected, let actual):
            return "meta key '\(key)' is at revision \(actual), not \(expected) (0 = absent): re-read and retry"
        case .invalidKey(let reason): return "invalid meta key: \(reason)"
        case .tooLarge(let reason): return "meta write too large: \(reason)"
        case .log(let error): return "meta store write-ahead log: \(error)"
        case .storage(let error): return "meta store snapshot: \(error)"
        case .corrupt(let reason): return "meta store is corrupt: \(reason); restore the meta directory from a backup"
        case .closed: return "the meta store is closed"
        }
    }
}
