/// The ID allocator's logic as a value-type state machine: hands out unique positive `Int64` ids in
/// consecutive batches and says when a new high-water mark must be persisted first (same contract as
/// `TimestampOracle`): no id at or above `persistedMark` is issued, and after a restart allocation starts
/// at the persisted mark, so ids are never reused.
public struct IDAllocator: Sendable, Equatable {
    /// What the owner must do next.
    public enum Step: Sendable, Equatable {
        /// Ids `range` are issued.
        case issued(Range<Int64>)
        /// Persist this mark, call `markPersisted`, then call `allocate` again.
        case persist(mark: Int64)
    }

    /// Largest batch one `allocate` may request.
    public static let maxBatch = 1 << 24

    private var next: Int64
    /// Exclusive bound on issued ids (durable).
    public private(set) var persistedMark: Int64
    /// How many ids each reservation reaches beyond the request.
    public let reservation: Int64

    /// - Parameter persistedMark: the mark stored before the restart (0 or 1 for a new cluster: ids start
    ///   at 1, so 0 is never a valid id).
    /// - Parameter reservation: extra ids reserved per persisted mark (one fsync per that many ids).
    public init(persistedMark: Int64, reservation: Int64 = 10_000) {
        precondition(reservation >= 1 && persistedMark >= 0, "reservation must be positive and the mark non-negative")
        next = max(1, persistedMark)
        self.persistedMark = persistedMark
        self.reservation = reservation
    }

    /// Issues `count` ids (1…`maxBatch`) or asks for a mark to be persisted first.
    public mutating func allocate(count: Int) -> Step {
        precondition(count >= 1 && count <= Self.maxBatch, "id batch must be 1…\(Self.maxBatch)")
        let end = next + Int64(count)
        guard end <= persistedMark else { return .persist(mark: end + reservation) }
        defer { next = end }
        return .issued(next..<end)
    }

    /// Records that `mark` is durable; marks never move backwards.
    public mutating func markPersisted(_ mark: Int64) {
        persistedMark = max(persistedMark, mark)
    }
}
