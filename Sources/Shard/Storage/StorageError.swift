/// Errors of the durable-file helpers (`AtomicFile`, `ChecksummedFile`).
public enum StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A system call failed (disk full, permissions, missing directory…); see the wrapped `IOFailure`.
    case io(IOFailure)
    /// The file exists but its bytes fail validation (bad magic, unknown version, wrong length, checksum
    /// mismatch). The file is damaged or is not a vecnode file; restore it from a replica or backup.
    case corrupt(path: String, reason: String)
    /// No file at `path`.
    case notFound(path: String)
    /// The file is larger than the caller's limit, so it was not read.
    case tooLarge(path: String, size: Int, limit: Int)

    public var description: String {
        switch self {
        case .io(let failure): return "I/O error: \(failure)"
        case .corrupt(let path, let reason):
            return "corrupt file \(path): \(reason); restore it from a replica or backup"
        case .notFound(let path): return "no such file: \(path)"
        case .tooLarge(let path, let size, let limit):
            return "file \(path) is \(size) bytes, over the limit of \(limit) bytes"
        }
    }
}
