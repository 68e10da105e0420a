import Dispatch
import Testing
@testable import Embedding

@Suite struct EmbeddingCacheTests {
    static func emb(_ x: Float) -> TextEmbedding { TextEmbedding(vector: [x, 0, 0], tokenCount: 3, truncated: false) }

    @Test func evictsTheLeastRecentlyUsed() {
        let cache = EmbeddingCache(capacity: 3)
        cache.insert(Self.emb(1), for: "a")
        cache.insert(Self.emb(2), for: "b")
        cache.insert(Self.emb(3), for: "c")
        #expect(cache.value(for: "a")?.vector.first == 1)  // a becomes most recent; b is now the oldest
        cache.insert(Self.emb(4), for: "d")
        #expect(cache.value(for: "b") == nil)
        #expect(cache.value(for: "a") != nil && cache.value(for: "c") != nil && cache.value(for: "d") != nil)
        #expect(cache.count == 3)
        let s = cache.statistics
        #expect(s.evictions == 1 && s.misses == 1 && s.hits == 4)
    }

    @Test func reinsertRefreshesInsteadOfDuplicating() {
        let cache = EmbeddingCache(capacity: 2)
        cache.insert(Self.emb(1), for: "a")
        cache.insert(Self.emb(2), for: "b")
        cache.insert(Self.emb(9), for: "a")  // a refreshed: b is now the oldest
        cache.insert(Self.emb(3), for: "c")
        #expect(cache.value(for: "a")?.vector.first == 9)
        #expect(cache.value(for: "b") == nil)
        #expect(cache.count == 2)
    }

    @Test func recencyOrderMatchesAModelUnderRandomOperations() {
        var rng = SplitMix64(seed: 2024)
        var list = LRUList(capacity: 5)
        var model: [String] = []  // most recent first
        for _ in 0..<5000 {
            let key = "k\(rng.next() % 9)"
            if rng.next() % 2 == 0 {
                let hit = list.get(key) != nil
                #expect(hit == model.contains(key))
                if let i = model.firstIndex(of: key) { model.remove(at: i); model.insert(key, at: 0) }
            } else {
                list.put(key, Self.emb(1))
                if let i = model.firstIndex(of: key) { model.remove(at: i) }
                model.insert(key, at: 0)
                if model.count > 5 { model.removeLast() }
            }
            #expect(list.keysByRecency() == model)
        }
    }

    @Test func longTextsAreNotCached() {
        let cache = EmbeddingCache(capacity: 4, maxKeyBytes: 8)
        cache.insert(Self.emb(1), for: "123456789")
        #expect(cache.count == 0)
        var computed = 0
        for _ in 0..<3 { _ = cache.embedding(for: "short") { computed += 1; return Self.emb(2) } }
        #expect(computed == 1)
        cache.removeAll()
        #expect(cache.count == 0 && cache.statistics == EmbeddingCache.Statistics())
    }

    @Test func concurrentUseStaysConsistent() {
        let cache = EmbeddingCache(capacity: 64)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for i in 0..<2000 {
                let key = "q\((i * 7 + t) % 100)"
                if let v = cache.value(for: key) {
                    precondition(v.vector.first == Float(key.dropFirst())!)
                } else {
                    cache.insert(Self.emb(Float(key.dropFirst())!), for: key)
                }
            }
        }
        #expect(cache.count == 64)
    }
}
