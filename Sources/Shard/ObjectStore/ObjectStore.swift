import Foundation

/// A store of immutable objects by key — the MinIO/S3 role: sealed segment files, index files and snapshots.
///
/// Semantics every backend provides:
/// - `put` is atomic: readers see the whole old object, the whole new one, or none — never a partial write. An
///   object is never modified in place; a second `put` to the same key replaces it whole (as in S3), which makes
///   retried uploads safe.
/// - Once `put` returns the object is durable.
/// - `list(prefix:)` returns keys in ascending byte order; the prefix is a plain string prefix, not a directory.
/// - `delete` of an absent key succeeds (idempotent, as in S3).
///
/// Methods block on I/O: call them from a dedicated thread (flush, index build), not from the cooperative pool
/// of Swift concurrency.
public protocol ObjectStore: Sendable {
    /// Stores `data` under `key`, replacing any existing object atomically.
    func put(_ key: ObjectKey, _ data: Data) throws
    /// The object's bytes. Throws `ObjectStoreError.notFound` when absent, `.corrupt` when it fails verification.
    func get(_ key: ObjectKey) throws -> Data
    /// Whether an object exists under `key`.
    func exists(_ key: ObjectKey) throws -> Bool
    /// The keys starting with `prefix` (any string in the key charset, possibly empty or ending mid-component),
    /// sorted ascending by bytes.
    func list(prefix: String) throws -> [ObjectKey]
    /// Removes the object under `key`, if any.
    func delete(_ key: ObjectKey) throws
}
