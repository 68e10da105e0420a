import Coordinator
import Foundation

/// The `node-id` file of a durable role's directory: the id rootcoord allocated the node the first time, as
/// decimal text and a newline, so the node keeps its identity across restarts.
enum NodeIDFile {
    /// The id in `path`, or nil if the file does not exist.
    /// - Throws: `RoleHostError.dataDirectory` if the file exists but is unreadable or not a positive id.
    static func read(_ path: String) throws(RoleHostError) -> NodeID? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 64,
              let text = String(data: data, encoding: .utf8),
              let value = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0 else {
            throw .dataDirectory(path: path, reason: "the node-id file is damaged (expected one positive decimal "
                + "number); delete it to let the node take a new id")
        }
        return NodeID(value)
    }

    /// Writes `id` to `path` atomically (temporary file, fsync, rename).
    static func write(_ id: NodeID, to path: String) throws(RoleHostError) {
        let temporary = path + ".tmp"
        let bytes = Array("\(id.rawValue)\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .dataDirectory(path: path, reason: "cannot create: \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            throw .dataDirectory(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
    }
}
