#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Whole-file replacement that survives crashes: after `write` returns, a reader sees the new contents even if
/// the machine loses power; if the process dies during `write`, readers see the old contents (or no file), never
/// a mix. Use it for snapshots, checkpoints and metadata.
///
/// Steps: write a temporary file `.<name>.tmp-<pid>-<random>` in the same directory, fsync it, rename it over
/// `path`, fsync the directory. A crash can leave the temporary file behind; names starting with `.` are
/// reserved for such files throughout Shard.
public enum AtomicFile {
    /// Durably replaces (or creates) the file at `path` with `data`. The parent directory must exist.
    ///
    /// - Throws: `StorageError.io` naming the failing step; the temporary file is removed on failure.
    public static func write(path: String, data: Data) throws {
        do { try writeData(path: path, data) } catch { throw StorageError.io(error) }
    }

    /// `write` for callers in other error domains: throws the raw `IOFailure`.
    static func writeData(path: String, _ data: Data) throws(IOFailure) { try writeParts(path: path, [data]) }

    /// Writes the concatenation of `parts` (without building it in memory) by the temporary-file protocol.
    static func writeParts(path: String, _ parts: [Data]) throws(IOFailure) {
        let directory = FileIO.directoryName(of: path)
        let temporary = directory + "/." + FileIO.baseName(of: path) + ".tmp-" + FileIO.uniqueSuffix()
        let fd = try FileIO.open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
        var isOpen = true
        do {
            var offset = 0
            for part in parts {
                var result: Result<Void, IOFailure> = .success(())
                part.withUnsafeBytes { bytes in
                    result = Result { () throws(IOFailure) in try FileIO.pwriteAll(fd, bytes, at: offset, path: temporary) }
                }
                try result.get()
                offset += part.count
            }
            try FileIO.fsync(fd, path: temporary)
            FileIO.close(fd)
            isOpen = false
            try FileIO.rename(temporary, path)
        } catch {
            if isOpen { FileIO.close(fd) }
            try? FileIO.unlink(temporary, missingOK: true)
            throw error
        }
        try FileIO.fsyncDirectory(directory)
    }
}
