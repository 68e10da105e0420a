#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// An `ObjectStore` in a local directory, shared safely by the processes of one host.
///
/// Layout: the object under key `a/b/c` is the file `<root>/a/b/c`; key components become directories. Each file
/// is a `ChecksummedFile` envelope around the object's bytes, so `get` verifies length and CRC-32C and reports
/// damage as `ObjectStoreError.corrupt` instead of returning wrong bytes.
///
/// `put` writes `.<name>.tmp-<pid>-<random>` next to the target, fsyncs it, renames it over the target and
/// fsyncs the directory (see `AtomicFile`). Names starting with `.` are never keys, so temporary files left by
/// a crash are invisible to `list`; `removeStaleTemporaryFiles(olderThan:)` sweeps them.
///
/// Limits of this backend: a key cannot be both an object and a prefix directory of another key (`a/b` and
/// `a/b/c`) — `put` reports `keyConflict`; directories emptied by `delete` are left in place (invisible to
/// `list`).
public struct LocalObjectStore: ObjectStore {
    /// The directory holding the objects.
    public let root: String
    /// Objects larger than this are refused by `get` before allocating (default 4 GiB).
    public let maxObjectBytes: Int

    /// Opens (creating if needed) a store rooted at `root`.
    ///
    /// - Throws: `ObjectStoreError.io` if the directory cannot be created.
    public init(root: String, maxObjectBytes: Int = 4 << 30) throws {
        precondition(maxObjectBytes > 0, "maxObjectBytes must be positive")
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.maxObjectBytes = maxObjectBytes
        do { try FileIO.makeDirectories(self.root) } catch { throw ObjectStoreError.io(error) }
    }

    /// The file holding `key`'s object.
    func path(of key: ObjectKey) -> String { root + "/" + key.rawValue }

    public func put(_ key: ObjectKey, _ data: Data) throws {
        let target = path(of: key)
        let directory = FileIO.directoryName(of: target)
        do {
            try FileIO.makeDirectories(directory)
        } catch {
            if error.code == ENOTDIR || error.code == EEXIST {
                throw ObjectStoreError.keyConflict(key, reason: "a prefix of it is already an object")
            }
            throw ObjectStoreError.io(error)
        }
        do {
            try AtomicFile.writeParts(path: target, [ChecksummedFile.header(for: data), data])
        } catch {
            if error.code == EISDIR || error.code == ENOTEMPTY || error.code == EEXIST {
                throw ObjectStoreError.keyConflict(key, reason: "other objects are stored under '\(key)/'")
            }
            throw ObjectStoreError.io(error)
        }
    }

    public func get(_ key: ObjectKey) throws -> Data {
        let target = path(of: key)
        do {
            return try ChecksummedFile.readVerified(path: target, maxPayloadBytes: maxObjectBytes)
        } catch {
            switch error {
            case .notFound: throw ObjectStoreError.notFound(key)
            case .tooLarge(_, let size, let limit): throw ObjectStoreError.tooLarge(key, size: size, limit: limit)
            case .corrupt(_, let reason): throw ObjectStoreError.corrupt(key, reason: "\(reason) (file \(target))")
            case .io(let failure): throw ObjectStoreError.io(failure)
            }
        }
    }

    public func exists(_ key: ObjectKey) throws -> Bool {
        do { return try FileIO.kind(path(of: key)) == .file } catch { throw ObjectStoreError.io(error) }
    }

    public func list(prefix: String) throws -> [ObjectKey] {
        if let reason = ObjectKey.violation(in: prefix, isPrefix: true) {
            throw ObjectStoreError.invalidKey(prefix, reason: reason)
        }
        // Start at the deepest directory the prefix names completely, then filter by the string prefix.
        let base = prefix.lastIndex(of: "/").map { String(prefix[..<$0]) } ?? ""
        var keys: [ObjectKey] = []
        do {
            let start = base.isEmpty ? root : root + "/" + base
            guard try FileIO.kind(start) == .directory else { return [] }
            try collect(directory: start, keyPrefix: base.isEmpty ? "" : base + "/", matching: prefix, into: &keys)
        } catch let failure as IOFailure {
            throw ObjectStoreError.io(failure)
        }
        keys.sort()
        return keys
    }

    private func collect(directory: String, keyPrefix: String, matching prefix: String, into keys: inout [ObjectKey])
        throws
    {
        for entry in try FileIO.listDirectory(directory) where !entry.name.hasPrefix(".") {
            let key = keyPrefix + entry.name
            if entry.isDirectory {
                // Descend only where keys can still match: the prefix extends this path or this path extends it.
                let dirKey = key + "/"
                guard dirKey.hasPrefix(prefix) || prefix.hasPrefix(dirKey) else { continue }
                try collect(directory: directory + "/" + entry.name, keyPrefix: dirKey, matching: prefix, into: &keys)
            } else if key.hasPrefix(prefix), let valid = try? ObjectKey(key) {
                keys.append(valid)  // files whose names are not keys were not written by this store: skipped
            }
        }
    }

    public func delete(_ key: ObjectKey) throws {
        let target = path(of: key)
        do {
            guard try FileIO.kind(target) == .file else { return }
            try FileIO.unlink(target, missingOK: true)
            try FileIO.fsyncDirectory(FileIO.directoryName(of: target))
        } catch {
            throw ObjectStoreError.io(error)
        }
    }

    /// Removes temporary files (left by processes that crashed during `put`) last modified more than `age`
    /// ago; returns how many were removed. Use an age well above the longest `put` so a put in progress in
    /// another process is never disturbed.
    @discardableResult
    public func removeStaleTemporaryFiles(olderThan age: Duration) throws -> Int {
        let cutoff = Date().timeIntervalSince1970 - Double(age.components.seconds)
        var removed = 0
        func sweep(_ directory: String) throws {
            for entry in try FileIO.listDirectory(directory) {
                let path = directory + "/" + entry.name
                if entry.isDirectory {
                    if !entry.name.hasPrefix(".") { try sweep(path) }
                } else if entry.name.hasPrefix("."), entry.name.contains(".tmp-") {
                    var st = stat()
                    if stat(path, &st) == 0, Double(st.st_mtim.tv_sec) < cutoff {
                        try FileIO.unlink(path, missingOK: true)
                        removed += 1
                    }
                }
            }
        }
        do { try sweep(root) } catch let failure as IOFailure { throw ObjectStoreError.io(failure) }
        return removed
    }
}
