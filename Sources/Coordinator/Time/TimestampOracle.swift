/// The timestamp oracle's logic as a value-type state machine (no clock, no disk): it issues strictly
/// increasing `Timestamp`s and says when a new high-water mark must be persisted first.
///
/// Safety across restarts: the oracle never issues a timestamp whose physical part reaches `persistedMark`.
/// When it needs to, `allocate` returns `.persist(mark)` instead; the owner durably stores `mark`, calls
/// `markPersisted(mark)` and asks again. After a restart the oracle starts at the persisted mark, so every
/// new timestamp is above every timestamp issued before the crash — even if the wall clock went backwards.
///
/// Each reservation reaches `window` milliseconds ahead (Milvus uses 3 s), so one fsync covers about that
/// much time of allocations.
public struct TimestampOracle: Sendable, Equatable {
    /// What the owner must do next.
    public enum Step: Sendable, Equatable {
        /// The timestamps are issued.
        case issued(TimestampRange)
        /// Persist this mark (physical milliseconds), call `markPersisted`, then call `allocate` again.
        case persist(mark: Int64)
    }

    /// Largest batch one `allocate` may request (one millisecond's worth of logical values).
    public static let maxBatch = Int(Timestamp.logicalPerMillisecond)

    /// Next free position: physical millisecond and logical counter.
    private var physical: Int64
    private var logical: UInt64
    /// Exclusive bound on the physical part of issued timestamps (durable).
    public private(set) var persistedMark: Int64
    /// How far ahead of the issued time a reservation reaches, in milliseconds.
    public let window: Int64

    /// A fresh oracle after (re)start.
    ///
    /// - Parameter persistedMark: the mark stored before the restart (0 for a new cluster); every timestamp
    ///   issued before had a smaller physical part.
    /// - Parameter window: reservation size in milliseconds, at least 1.
    public init(persistedMark: Int64, window: Int64 = 3_000) {
        precondition(window >= 1 && persistedMark >= 0, "window must be positive and the mark non-negative")
        physical = persistedMark
        logical = 0
        self.persistedMark = persistedMark
        self.window = window
    }

    /// Issues `count` timestamps (1…`maxBatch`) at wall time `now` (milliseconds), or asks for a mark to be
    /// persisted first. A clock behind the last issued time is ignored (the counter keeps going forward).
    public mutating func allocate(count: Int, now: Int64) -> Step {
        precondition(count >= 1 && count <= Self.maxBatch, "timestamp batch must be 1…\(Self.maxBatch)")
        var p = physical
        var l = logical
        if now > p {
            p = now
            l = 0
        }
        if l + UInt64(count) > Timestamp.logicalPerMillisecond {
            // The logical counter of this millisecond is exhausted: move to the next one (ahead of the clock
            // until it catches up) rather than waiting.
            p += 1
            l = 0
        }
        guard p < persistedMark else {
            return .persist(mark: max(p, now) + window)
        }
        physical = p
        logical = l + UInt64(count)
        return .issued(TimestampRange(first: Timestamp(physicalMilliseconds: p, logical: l), count: count))
    }

    /// Records that `mark` is durable; marks never move backwards.
    public mutating func markPersisted(_ mark: Int64) {
        persistedMark = max(persistedMark, mark)
    }
}
