/// Bounded top-K selection: keeps the `k` best hits seen (smallest distance, ties by smaller id) in a
/// max-heap whose root is the current worst kept hit, so each offer costs O(1) when it loses and
/// O(log k) when it wins. Storage is allocated once, at `init`.
public struct TopKCollector: Sendable {
    public let k: Int
    @usableFromInline var heap: [SearchHit] = []

    public init(k: Int) {
        precondition(k >= 1, "k must be at least 1")
        self.k = k
        heap.reserveCapacity(k)
    }

    /// Number of hits kept so far.
    @inlinable public var count: Int { heap.count }

    /// The distance a new hit must beat to enter when the collector is full, else +infinity.
    @inlinable
    public var threshold: Float { heap.count < k ? .infinity : heap[0].distance }

    /// Offers one hit.
    @inlinable
    public mutating func offer(id: Int64, distance: Float) {
        let hit = SearchHit(id: id, distance: distance)
        if heap.count < k {
            heap.append(hit)
            siftUp(heap.count - 1)
        } else if SearchHit.precedes(hit, heap[0]) {
            heap[0] = hit
            siftDown(0)
        }
    }

    /// Offers every hit of another collector.
    public mutating func merge(_ other: TopKCollector) {
        for h in other.heap { offer(id: h.id, distance: h.distance) }
    }

    /// The kept hits, closest first (ties by id).
    public func sorted() -> [SearchHit] { heap.sorted(by: SearchHit.precedes) }

    @inlinable
    mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) >> 1
            guard SearchHit.precedes(heap[parent], heap[i]) else { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    @inlinable
    mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var worst = l
            let r = l + 1
            if r < n, SearchHit.precedes(heap[l], heap[r]) { worst = r }
            guard SearchHit.precedes(heap[i], heap[worst]) else { break }
            heap.swapAt(i, worst)
            i = worst
        }
    }
}
