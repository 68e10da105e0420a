import Synchronization

/// A bounded, thread-safe least-recently-used cache of text embeddings, for the frequent repeated queries a
/// search front end sees ("machine learning", "http client", …): a hit costs a hash lookup instead of a
/// forward pass of several milliseconds.
///
/// Keys are the exact query strings (Swift `String` equality, i.e. canonical equivalence). Texts longer
/// than `maxKeyBytes` UTF-8 bytes are never stored, so the cache's memory stays bounded by roughly
/// `capacity × (maxKeyBytes + 4·dimension)` bytes. All operations are O(1) and hold one `Mutex` briefly;
/// `embedding(for:compute:)` runs `compute` outside the lock (two threads missing on the same text may
/// both compute it; the second insert just refreshes the entry).
public final class EmbeddingCache: Sendable {
    /// Maximum number of entries.
    public let capacity: Int
    /// Longest text (in UTF-8 bytes) that is cached.
    public let maxKeyBytes: Int
    private let state: Mutex<LRUList>

    /// Hit/miss counters since creation (or the last `removeAll`).
    public struct Statistics: Sendable, Equatable {
        public var hits = 0
        public var misses = 0
        public var evictions = 0
    }

    /// - Parameters:
    ///   - capacity: entries kept (≥ 1); the least recently used one is evicted beyond that.
    ///   - maxKeyBytes: texts longer than this are passed through uncached (default 1024).
    public init(capacity: Int, maxKeyBytes: Int = 1024) {
        precondition(capacity >= 1, "EmbeddingCache capacity must be at least 1")
        precondition(maxKeyBytes >= 0)
        self.capacity = capacity
        self.maxKeyBytes = maxKeyBytes
        state = Mutex(LRUList(capacity: capacity))
    }

    /// The cached embedding of `text`, marking it most recently used; nil on a miss.
    public func value(for text: String) -> TextEmbedding? {
        guard text.utf8.count <= maxKeyBytes else { return nil }
        return state.withLock { $0.get(text) }
    }

    /// Stores `embedding` for `text` (most recently used), evicting the least recently used entry if full.
    /// Texts longer than `maxKeyBytes` are ignored.
    public func insert(_ embedding: TextEmbedding, for text: String) {
        guard text.utf8.count <= maxKeyBytes else { return }
        state.withLock { $0.put(text, embedding) }
    }

    /// The cached embedding of `text`, or `compute()`'s result, which is then cached.
    /// - Throws: whatever `compute` throws (nothing is cached then).
    public func embedding<E: Error>(for text: String, compute: () throws(E) -> TextEmbedding) throws(E) -> TextEmbedding {
        if let hit = value(for: text) { return hit }
        let e = try compute()
        insert(e, for: text)
        return e
    }

    /// Number of cached entries.
    public var count: Int { state.withLock { $0.count } }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Empties the cache and resets the statistics.
    public func removeAll() {
        state.withLock { $0 = LRUList(capacity: $0.capacity) }
    }
}

/// The cache's data: a dictionary from key to slot, and a doubly linked recency list threaded through
/// fixed arrays of slots (no allocation per operation once full).
struct LRUList: ~Copyable {
    let capacity: Int
    private var slotOf: [String: Int] = [:]
    private var keys: [String] = []
    private var values: [TextEmbedding] = []
    private var prev: [Int] = []
    private var next: [Int] = []
    private var head = -1  // most recently used
    private var tail = -1  // least recently used
    var statistics = EmbeddingCache.Statistics()

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { slotOf.count }

    mutating func get(_ key: String) -> TextEmbedding? {
        guard let s = slotOf[key] else { statistics.misses += 1; return nil }
        statistics.hits += 1
        moveToFront(s)
        return values[s]
    }

    mutating func put(_ key: String, _ value: TextEmbedding) {
        if let s = slotOf[key] {
            values[s] = value
            moveToFront(s)
            return
        }
        let s: Int
        if keys.count < capacity {
            s = keys.count
            keys.append(key)
            values.append(value)
            prev.append(-1)
            next.append(-1)
        } else {
            s = tail
            unlink(s)
            slotOf[keys[s]] = nil
            statistics.evictions += 1
            keys[s] = key
            values[s] = value
        }
        slotOf[key] = s
        pushFront(s)
    }

    private mutating func moveToFront(_ s: Int) {
        guard head != s else { return }
        unlink(s)
        pushFront(s)
    }

    private mutating func unlink(_ s: Int) {
        if prev[s] >= 0 { next[prev[s]] = next[s] } else { head = next[s] }
        if next[s] >= 0 { prev[next[s]] = prev[s] } else { tail = prev[s] }
        prev[s] = -1
        next[s] = -1
    }

    private mutating func pushFront(_ s: Int) {
        prev[s] = -1
        next[s] = head
        if head >= 0 { prev[head] = s }
        head = s
        if tail < 0 { tail = s }
    }

    /// Keys from most to least recently used (for tests).
    func keysByRecency() -> [String] {
        var out: [String] = []
        var s = head
        while s >= 0 { out.append(keys[s]); s = next[s] }
        return out
    }
}
