/// Per-search scratch space, reused across searches so that a search allocates nothing after warm-up:
/// an epoch-tagged visited set (a slot is visited iff its tag equals the current epoch; bumping the epoch
/// clears the whole set in O(1), and a full reset happens only when the 16-bit epoch wraps), the two heaps
/// of the beam search, the padded query, and a small buffer of neighbours to evaluate.
final class SearchContext {
    var tags: UnsafeMutablePointer<UInt16>
    var tagCapacity: Int
    var epoch: UInt16 = 0
    let candidates = KeyHeap<MinOrder>(capacity: 1024)
    let results = KeyHeap<MaxOrder>(capacity: 512)
    let query: UnsafeMutablePointer<Float>
    let pending: UnsafeMutablePointer<UInt32>
    let pendingCapacity: Int
    /// Scratch for neighbour selection during inserts (packed keys and chosen slots).
    var scratchKeys: [UInt64] = []
    var scratchSlots: [UInt32] = []

    init(capacity: Int, stride: Int, maxLinks: Int) {
        tagCapacity = max(capacity, 1)
        tags = .allocate(capacity: tagCapacity)
        tags.initialize(repeating: 0, count: tagCapacity)
        query = .allocate(capacity: stride)
        query.initialize(repeating: 0, count: stride)
        pendingCapacity = maxLinks
        pending = .allocate(capacity: maxLinks)
    }

    deinit {
        tags.deallocate()
        query.deallocate()
        pending.deallocate()
    }

    /// Starts a new search over `slots` slots: grows the tag array if the index grew, then bumps the epoch.
    func begin(slots: Int) {
        if slots > tagCapacity {
            tags.deallocate()
            tagCapacity = max(slots, tagCapacity * 2)
            tags = .allocate(capacity: tagCapacity)
            tags.initialize(repeating: 0, count: tagCapacity)
            epoch = 0
        }
        if epoch == UInt16.max {
            tags.update(repeating: 0, count: tagCapacity)
            epoch = 0
        }
        epoch &+= 1
        candidates.removeAll()
        results.removeAll()
    }

    /// Marks `slot` visited; returns whether it was already.
    @inline(__always)
    func visit(_ slot: UInt32) -> Bool {
        let p = tags + Int(slot)
        if p.pointee == epoch { return true }
        p.pointee = epoch
        return false
    }
}
