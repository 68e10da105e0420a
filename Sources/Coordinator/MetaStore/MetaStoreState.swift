import Wire

/// The meta store's contents as a value: keys, revisions, and the pure rules for checking and applying a
/// transaction. `MetaStore` wraps it with durability; recovery rebuilds it from a snapshot plus WAL replay.
struct MetaStoreState: Equatable {
    /// Revision of the last applied transaction (0 for an empty store).
    private(set) var revision: UInt64 = 0
    private(set) var entries: [String: MetaEntry] = [:]

    init() {}

    func entry(_ key: String) -> MetaEntry? { entries[key] }

    /// Keys starting with `prefix`, sorted by key (UTF-8 byte order).
    func list(prefix: String) -> [(key: String, entry: MetaEntry)] {
        entries.filter { $0.key.hasPrefix(prefix) }
            .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { (key: $0.key, entry: $0.value) }
    }

    /// Throws the first failing condition.
    func check(_ conditions: [MetaTransaction.Condition]) throws(MetaStoreError) {
        for condition in conditions {
            switch condition {
            case .revision(let key, let expected):
                let actual = entries[key]?.modRevision ?? 0
                if actual != expected { throw .revisionMismatch(key: key, expected: expected, actual: actual) }
            }
        }
    }

    /// Applies `operations` as revision `revision` (which must be `self.revision + 1`).
    mutating func apply(_ operations: [MetaTransaction.Operation], revision: UInt64) {
        precondition(revision == self.revision + 1, "meta revisions must be consecutive")
        self.revision = revision
        for op in operations {
            switch op {
            case .put(let key, let value):
                let created = entries[key]?.createRevision ?? revision
                entries[key] = MetaEntry(value: value, createRevision: created, modRevision: revision)
            case .delete(let key):
                entries.removeValue(forKey: key)
            }
        }
    }

    // MARK: Snapshot encoding

    static let snapshotVersion: UInt8 = 1

    /// Snapshot payload (inside a `ChecksummedFile` envelope), wire body codec:
    ///
    /// | field | encoding |
    /// | --- | --- |
    /// | format version | u8, 1 |
    /// | revision | u64 |
    /// | WAL position to replay from | u64 (records below it are included in this snapshot) |
    /// | entry count | varint |
    /// | per entry, in key order: key | string |
    /// | value | bytes |
    /// | create revision, mod revision | u64 each |
    func encodeSnapshot(replayFrom position: UInt64) -> [UInt8] {
        var w = WireWriter(capacity: 64 + entries.count * 64)
        w.writeUInt8(Self.snapshotVersion)
        w.writeUInt64(revision)
        w.writeUInt64(position)
        let sorted = entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        w.writeVarUInt(UInt64(sorted.count))
        for (key, entry) in sorted {
            w.writeString(key)
            w.writeBytes(entry.value)
            w.writeUInt64(entry.createRevision)
            w.writeUInt64(entry.modRevision)
        }
        return w.bytes
    }

    /// Decodes a snapshot payload; returns the state and the WAL position to replay from.
    static func decodeSnapshot(_ bytes: [UInt8]) throws(MetaStoreError) -> (MetaStoreState, UInt64) {
        var r = WireReader(bytes)
        do {
            let version = try r.readUInt8()
            guard version == snapshotVersion else {
                throw MetaStoreError.corrupt("snapshot format version \(version) is not supported (this build reads 1)")
            }
            var state = MetaStoreState()
            state.revision = try r.readUInt64()
            let position = try r.readUInt64()
            let count = try r.readVarUInt()
            guard count <= UInt64(r.remaining) else { throw MetaStoreError.corrupt("snapshot entry count \(count) exceeds its size") }
            state.entries.reserveCapacity(Int(count))
            for _ in 0..<count {
                let key = try r.readString(limit: MetaStore.maxKeyBytes)
                let value = try r.readBytes()
                let created = try r.readUInt64()
                let modified = try r.readUInt64()
                guard created <= modified, modified <= state.revision, state.entries[key] == nil else {
                    throw MetaStoreError.corrupt("snapshot entry '\(key)' has inconsistent revisions or is duplicated")
                }
                state.entries[key] = MetaEntry(value: value, createRevision: created, modRevision: modified)
            }
            try r.finish()
            return (state, position)
        } catch let error as MetaStoreError {
            throw error
        } catch {
            throw .corrupt("snapshot payload does not decode: \(error)")
        }
    }
}
