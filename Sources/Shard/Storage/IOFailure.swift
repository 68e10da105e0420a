#if canImport(Glibc)
import Glibc
#endif

/// A failed system call on a file: which call, on which path, and the `errno` it returned.
///
/// The domain errors of Shard (`LogError`, `ObjectStoreError`, `StorageError`) wrap it as their `.io` case so a
/// message always names the file and the operating system's reason (e.g. "fsync /data/log/…: No space left on
/// device").
public struct IOFailure: Error, CustomStringConvertible, Sendable, Equatable {
    /// The system call or step that failed, e.g. `"open"`, `"fsync"`, `"rename"`.
    public let operation: String
    /// The path the call was made on (the source path for `rename`).
    public let path: String
    /// The `errno` value.
    public let code: Int32

    public init(operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// Whether the disk is full (ENOSPC / EDQUOT): the operator must free space; retrying later may succeed.
    public var isOutOfSpace: Bool { code == ENOSPC || code == EDQUOT }

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(code))) (errno \(code))"
    }
}
