import Coordinator
import Wire

/// Auto-ids for inserts, reserved from the root coordinator in ranges of `reservation` ids (one
/// `AllocateIDs` call per range, not per row). Ids are unique cluster-wide; ids left in a range when the
/// proxy stops are never used.
actor IDReservoir {
    private let rootCoord: any WireClient
    private let reservation: Int
    private var ranges: [Range<Int64>] = []

    init(rootCoord: any WireClient, reservation: Int) {
        self.rootCoord = rootCoord
        self.reservation = max(1, reservation)
    }

    /// `count` fresh ids (in increasing order within each reserved range).
    func take(_ count: Int, options: CallOptions) async throws -> [Int64] {
        var available = ranges.reduce(0) { $0 + $1.count }
        while available < count {
            let want = min(IDAllocator.maxBatch, max(reservation, count - available))
            let range = try await rootCoord.call(AllocateIDs(count: UInt32(want)), options: options).ids
            ranges.append(range)
            available += range.count
        }
        var out: [Int64] = []
        out.reserveCapacity(count)
        while out.count < count {
            let r = ranges[0]
            let n = min(r.count, count - out.count)
            out.append(contentsOf: r.lowerBound..<(r.lowerBound + Int64(n)))
            if n == r.count { ranges.removeFirst() } else { ranges[0] = (r.lowerBound + Int64(n))..<r.upperBound }
        }
        return out
    }
}

