import Foundation
import Glibc
import Runtime

/// An exclusive `flock` on `<directory>/.lock`, held while a role uses the directory, so two processes never
/// share one (the second fails to start with a clear message instead of wiping the first one's files).
final class DirectoryLock: Sendable {
    let directory: String
    private let fd: Int32

    /// Takes the lock without waiting.
    /// - Throws: `RoleHostError.dataDirectory` if another process holds it or the file cannot be opened.
    init(directory: String, role: NodeRole) throws(RoleHostError) {
        self.directory = directory
        let path = directory + "/.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .dataDirectory(path: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            throw .dataDirectory(path: directory, reason: code == EWOULDBLOCK
                ? "another \(role) process is using it; give each \(role) its own data directory"
                : "cannot lock: \(String(cString: strerror(code)))")
        }
        self.fd = fd
    }

    /// Removes every entry of the directory whose name starts with `prefix` (leftovers of earlier runs).
    func removeEntries(prefixed prefix: String, log: Logger) {
        let fm = FileManager.default
        for entry in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where entry.hasPrefix(prefix) {
            let path = directory + "/" + entry
            do {
                try fm.removeItem(atPath: path)
                log.info("removed a leftover scratch directory", ["path": path])
            } catch {
                log.warn("cannot remove a leftover scratch directory", ["path": path, "error": "\(error)"])
            }
        }
    }

    /// Releases the lock (closing the file releases the `flock`).
    func release() { close(fd) }
}
