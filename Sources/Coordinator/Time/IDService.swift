import Synchronization

/// The ID allocator with its durability: an `IDAllocator` whose high-water mark lives in the `MetaStore`
/// under `id/mark`. Ids are unique positive `Int64`s, never reused across restarts (ids reserved but not
/// issued before a crash are skipped).
public final class IDService: Sendable {
    static let markKey = "id/mark"
    private let store: MetaStore
    private let allocator: Mutex<IDAllocator>

    /// - Parameter reservation: ids reserved per persisted mark (one fsync per that many ids).
    public init(store: MetaStore, reservation: Int64 = 10_000) throws(MetaStoreError) {
        self.store = store
        allocator = Mutex(IDAllocator(persistedMark: try PersistedMark.load(store, key: Self.markKey), reservation: reservation))
    }

    /// Issues `count` consecutive ids (1…2^24).
    ///
    /// - Throws: `MetaStoreError` if the new mark cannot be persisted (nothing is issued then).
    public func allocate(count: Int = 1) throws(MetaStoreError) -> Range<Int64> {
        precondition(count >= 1 && count <= IDAllocator.maxBatch, "id batch must be 1…\(IDAllocator.maxBatch)")
        return try allocator.withLock { a throws(MetaStoreError) -> Range<Int64> in
            while true {
                switch a.allocate(count: count) {
                case .issued(let range): return range
                case .persist(let mark):
                    try store.put(Self.markKey, PersistedMark.encode(mark))
                    a.markPersisted(mark)
                }
            }
        }
    }
}
