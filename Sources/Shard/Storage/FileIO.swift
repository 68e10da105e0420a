#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over the POSIX file calls Shard uses, retrying `EINTR`, looping over short writes and throwing
/// `IOFailure` with the path. Internal: the public types expose durable operations, not raw descriptors.
enum FileIO {
    /// Opens `path` with `O_CLOEXEC` added to `flags`.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(IOFailure) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw IOFailure(operation: "open", path: path, code: errno) }
        }
    }

    /// Closes `fd`, ignoring errors: every durable write is fsynced before its descriptor is closed.
    static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// Writes all of `bytes` at `offset`.
    static func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String)
        throws(IOFailure)
    {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = Glibc.pwrite(fd, base + done, bytes.count - done, off_t(offset + done))
            if n > 0 {
                done += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw IOFailure(operation: "pwrite", path: path, code: n < 0 ? errno : EIO)
            }
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns fewer only at end of file.
    static func pread(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String)
        throws(IOFailure) -> Int
    {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = Glibc.pread(fd, base + done, buffer.count - done, off_t(offset + done))
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw IOFailure(operation: "pread", path: path, code: errno)
            }
        }
        return done
    }

    /// `fsync(2)`: data and metadata of `fd` reach stable storage.
    static func fsync(_ fd: Int32, path: String) throws(IOFailure) {
        while Glibc.fsync(fd) != 0 {
            if errno != EINTR { throw IOFailure(operation: "fsync", path: path, code: errno) }
        }
    }

    /// `fdatasync(2)`: data plus the metadata needed to read it back (the file size) reach stable storage.
    static func fdatasync(_ fd: Int32, path: String) throws(IOFailure) {
        while Glibc.fdatasync(fd) != 0 {
            if errno != EINTR { throw IOFailure(operation: "fdatasync", path: path, code: errno) }
        }
    }

    /// Makes the entries of directory `path` (creations, renames, unlinks) durable.
    static func fsyncDirectory(_ path: String) throws(IOFailure) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, path: path)
    }

    /// The size of the open file.
    static func size(_ fd: Int32, path: String) throws(IOFailure) -> Int {
        var st = stat()
        if fstat(fd, &st) != 0 { throw IOFailure(operation: "fstat", path: path, code: errno) }
        return Int(st.st_size)
    }

    /// Whether `path` exists, and if so whether it is a regular file or a directory.
    static func kind(_ path: String) throws(IOFailure) -> EntryKind? {
        var st = stat()
        if stat(path, &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw IOFailure(operation: "stat", path: path, code: errno)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    enum EntryKind { case file, directory, other }

    static func ftruncate(_ fd: Int32, to size: Int, path: String) throws(IOFailure) {
        while Glibc.ftruncate(fd, off_t(size)) != 0 {
            if errno != EINTR { throw IOFailure(operation: "ftruncate", path: path, code: errno) }
        }
    }

    static func rename(_ from: String, _ to: String) throws(IOFailure) {
        if Glibc.rename(from, to) != 0 { throw IOFailure(operation: "rename to \(to)", path: from, code: errno) }
    }

    /// Removes a file; a missing file is not an error when `missingOK`.
    static func unlink(_ path: String, missingOK: Bool = false) throws(IOFailure) {
        if Glibc.unlink(path) != 0 && !(missingOK && errno == ENOENT) {
            throw IOFailure(operation: "unlink", path: path, code: errno)
        }
    }

    /// Creates `path` and any missing parents (like `mkdir -p`), fsyncing each parent a directory was added to
    /// so the new directories survive a crash.
    static func makeDirectories(_ path: String) throws(IOFailure) {
        if try kind(path) == .directory { return }
        let parent = directoryName(of: path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 {
            if errno == EEXIST, try kind(path) == .directory { return }
            throw IOFailure(operation: "mkdir", path: path, code: errno)
        }
        try fsyncDirectory(parent)
    }

    /// The names in directory `path` (without `.` and `..`), with whether each is a directory.
    static func listDirectory(_ path: String) throws(IOFailure) -> [(name: String, isDirectory: Bool)] {
        guard let dir = opendir(path) else { throw IOFailure(operation: "opendir", path: path, code: errno) }
        defer { closedir(dir) }
        var result: [(String, Bool)] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw IOFailure(operation: "readdir", path: path, code: errno) }
                break
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var isDirectory = Int32(entry.pointee.d_type) == Int32(DT_DIR)
            if Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                isDirectory = (try kind(path + "/" + name)) == .directory
            }
            result.append((name, isDirectory))
        }
        return result
    }

    /// The directory part of `path` (`"."` when there is none; `"/"` for a file at the root).
    static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component of `path`.
    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// A name fragment unique to this process and call, for temporary files.
    static func uniqueSuffix() -> String {
        "\(getpid())-\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF)"
    }
}
