import Shard

/// What a reader waits for on a replica.
enum CatchUpGoal: Sendable, CustomStringConvertible {
    /// The channel end seen by the replica's first read from the log node (the end "at load time").
    case loaded
    /// Every record below this position applied.
    case position(LogPosition)

    var description: String {
        switch self {
        case .loaded: "the channel end at load time"
        case .position(let p): "position \(p)"
        }
    }
}

/// A reader parked until the replica reaches `goal` (or fails, stops, times out, is cancelled).
struct CatchUpWaiter {
    var goal: CatchUpGoal
    var continuation: CheckedContinuation<Result<Void, QueryNodeError>, Never>
    var timer: Task<Void, Never>?
}

/// How far a replica has consumed its channel, what went wrong, and who waits for it: the mutable state of a
/// `ShardReplica`, always accessed under its lock. Pure bookkeeping; it decides which waiters are done.
struct ReplicaProgress {
    /// The shard once opened in the scratch directory.
    var shard: Shard?
    /// Next channel position to apply; everything below is applied (or skipped as unappliable).
    var applied = LogPosition.start
    /// Where consumption started at the latest (re)load (the flushed manifest's channel checkpoint, or 0).
    var loadedFrom = LogPosition.start
    /// Reloads from the newest manifest after the read position was truncated away.
    var reloads = 0
    /// Timestamp of the last record applied.
    var lastTimestamp: UInt64 = 0
    /// The channel end reported by the latest read from the log node.
    var knownEnd: LogPosition?
    /// The channel end of the first successful read; the replica is loaded once `applied` reaches it.
    var loadTarget: LogPosition?
    /// When the replica last knew it was at the channel's end (data at least that fresh).
    var lastCatchUp: ContinuousClock.Instant?
    /// The last failed read from the log node; cleared by the next successful read.
    var readError: String?
    /// The last record that could not be applied and was skipped (every replica skips it alike).
    var lastSkip: String?
    /// Set when the replica cannot go on (its shard failed, its position was truncated away): it serves
    /// nothing until released and loaded again.
    var failure: String?
    /// Set by `stop()`.
    var stopped = false
    /// Cached shard statistics, refreshed by the consumer after each batch (status must not block on the
    /// shard's lock from the cooperative pool).
    var statistics: Shard.Statistics?
    var waiters: [UInt64: CatchUpWaiter] = [:]
    var nextWaiterID: UInt64 = 0

    var isLoaded: Bool {
        guard let t = loadTarget else { return false }
        return applied >= t
    }

    /// What a waiter for `goal` gets now: `nil` if it must keep waiting.
    func outcome(for goal: CatchUpGoal, ref: ShardRef) -> Result<Void, QueryNodeError>? {
        if stopped { return .failure(.replicaUnavailable(ref, "the replica was released")) }
        if let failure { return .failure(.replicaUnavailable(ref, failure)) }
        switch goal {
        case .loaded: return isLoaded ? .success(()) : nil
        case .position(let p): return shard != nil && applied >= p ? .success(()) : nil
        }
    }

    /// Removes and returns the waiters whose outcome is decided, with it.
    mutating func takeDecided(ref: ShardRef) -> [(CatchUpWaiter, Result<Void, QueryNodeError>)] {
        if waiters.isEmpty { return [] }
        var done: [(CatchUpWaiter, Result<Void, QueryNodeError>)] = []
        for (id, w) in waiters {
            if let r = outcome(for: w.goal, ref: ref) {
                done.append((w, r))
                waiters.removeValue(forKey: id)
            }
        }
        return done
    }

    /// The error to report in the status, most serious first.
    var statusError: String {
        if let failure { return "failed: \(failure)" }
        if let readError { return readError }
        if let lastSkip { return lastSkip }
        return ""
    }
}

extension Array where Element == (CatchUpWaiter, Result<Void, QueryNodeError>) {
    /// Resumes every waiter (call outside the lock).
    func resumeAll() {
        for (w, r) in self {
            w.timer?.cancel()
            w.continuation.resume(returning: r)
        }
    }
}
