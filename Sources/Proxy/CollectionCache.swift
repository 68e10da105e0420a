import Coordinator
import Synchronization

/// `CollectionInfo` by (database, name or alias), so reads and writes need no root-coordinator call.
/// This proxy invalidates it on its own DDL; a read or write that fails with "collection not found" or a
/// shard error revalidates the entry. DDL by another proxy is seen after such an error (docs/cluster.md,
/// "Proxy").
final class CollectionCache: Sendable {
    private struct Key: Hashable {
        let db: String
        let name: String
    }
    private let entries = Mutex<[Key: CollectionInfo]>([:])

    func get(db: String, name: String) -> CollectionInfo? { entries.withLock { $0[Key(db: db, name: name)] } }

    func put(_ info: CollectionInfo, db: String, name: String) {
        entries.withLock { $0[Key(db: db, name: name)] = info }
    }

    /// Drops every entry naming the collection with `id` (under its name or any alias).
    func invalidate(id: CollectionID) { entries.withLock { $0 = $0.filter { $0.value.id != id } } }

    func invalidateAll() { entries.withLock { $0.removeAll() } }
}
