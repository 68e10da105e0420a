import Synchronization

/// The timestamp oracle with its durability: a `TimestampOracle` whose high-water mark lives in the
/// `MetaStore` under `tso/mark`. Thread-safe; `allocate` blocks for an fsync about once per reservation
/// window (3 s of time by default), otherwise it is a lock and a few additions.
public final class TimestampService: Sendable {
    static let markKey = "tso/mark"
    private let store: MetaStore
    private let clock: any WallClock
    private let oracle: Mutex<TimestampOracle>

    /// Loads the persisted mark; the first timestamp issued is above every timestamp issued before.
    ///
    /// - Parameter window: milliseconds reserved per persisted mark (default 3,000, as Milvus).
    public init(store: MetaStore, clock: any WallClock = SystemWallClock(), window: Int64 = 3_000) throws(MetaStoreError) {
        self.store = store
        self.clock = clock
        oracle = Mutex(TimestampOracle(persistedMark: try PersistedMark.load(store, key: Self.markKey), window: window))
    }

    /// Issues `count` consecutive timestamps (1…262,144), strictly above every earlier one, also across restarts.
    ///
    /// - Throws: `MetaStoreError` if the new mark cannot be persisted (nothing is issued then).
    public func allocate(count: Int = 1) throws(MetaStoreError) -> TimestampRange {
        precondition(count >= 1 && count <= TimestampOracle.maxBatch, "timestamp batch must be 1…\(TimestampOracle.maxBatch)")
        return try oracle.withLock { o throws(MetaStoreError) -> TimestampRange in
            while true {
                switch o.allocate(count: count, now: clock.nowMilliseconds()) {
                case .issued(let range): return range
                case .persist(let mark):
                    try store.put(Self.markKey, PersistedMark.encode(mark))
                    o.markPersisted(mark)
                }
            }
        }
    }
}
