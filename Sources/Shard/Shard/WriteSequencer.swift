import Foundation

/// Orders a shard's writes so that concurrent inserts share log fsyncs (group commit) while memory is
/// still updated in log order.
///
/// An insert takes a ticket and enqueues its record in one critical section, so ticket order is log
/// order; it then waits for durability without holding anything (the log writer fsyncs many records at
/// once), waits for its turn, applies under the shard's write lock, and passes the turn on. Operations that
/// must see every earlier write applied — deletes (which log only keys that exist), delete by filter,
/// flush, compaction, close — run `exclusively`: new tickets wait while the queue drains and the operation
/// runs alone.
final class WriteSequencer: @unchecked Sendable {
    private let condition = NSCondition()
    private var nextTicket: UInt64 = 0
    private var nextToApply: UInt64 = 0
    private var exclusive = false
    /// Timestamp of the last write admitted (enqueued or run exclusively).
    private var lastTimestamp: UInt64
    /// Why writes are refused (closed, or a failure left memory and log out of step).
    private var refusal: String?

    init(lastTimestamp: UInt64) { self.lastTimestamp = lastTimestamp }

    /// Sets the last admitted timestamp (after recovery replayed the log).
    func resume(lastTimestamp ts: UInt64) {
        condition.lock()
        lastTimestamp = ts
        condition.unlock()
    }

    /// Checks the timestamp, takes a ticket and runs `enqueue` (which must hand the record to the log
    /// without blocking), atomically.
    func admit(timestamp: UInt64, _ enqueue: () -> Void) throws(ShardError) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        while exclusive { condition.wait() }
        try check(timestamp)
        lastTimestamp = timestamp
        let ticket = nextTicket
        nextTicket += 1
        enqueue()
        return ticket
    }

    /// Waits until `ticket` is next, runs `body`, and passes the turn on (also when `body` throws).
    func inTurn<T>(_ ticket: UInt64, _ body: () throws(ShardError) -> T) throws(ShardError) -> T {
        condition.lock()
        while nextToApply != ticket { condition.wait() }
        condition.unlock()
        defer {
            condition.lock()
            nextToApply += 1
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }

    /// Runs `body` with no other write admitted or in flight. `timestamp`, when given, is checked and
    /// becomes the last admitted one.
    func exclusively<T>(timestamp: UInt64? = nil, _ body: () throws(ShardError) -> T) throws(ShardError) -> T {
        condition.lock()
        while exclusive { condition.wait() }
        exclusive = true
        while nextToApply != nextTicket { condition.wait() }
        let admitted: ShardError? = {
            guard let timestamp else { return nil }
            do throws(ShardError) { try check(timestamp) } catch { return error }
            lastTimestamp = timestamp
            return nil
        }()
        condition.unlock()
        defer {
            condition.lock()
            exclusive = false
            condition.broadcast()
            condition.unlock()
        }
        if let admitted { throw admitted }
        return try body()
    }

    /// Refuses every later write with `reason`.
    func refuse(_ reason: String) {
        condition.lock()
        if refusal == nil { refusal = reason }
        condition.unlock()
    }

    private func check(_ timestamp: UInt64) throws(ShardError) {
        if let refusal { throw .closed(refusal) }
        guard timestamp >= lastTimestamp else { throw .timestampRegression(given: timestamp, last: lastTimestamp) }
        guard timestamp != HybridTimestamp.latest else { throw .invalidArgument("timestamp UInt64.max is reserved for reads") }
    }
}

/// The outcome of one log append, handed from the log writer thread to the waiting writer.
final class AppendOutcome: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<LogPosition, LogError>?

    func complete(_ r: Result<LogPosition, LogError>) {
        result = r
        done.signal()
    }

    func wait() -> Result<LogPosition, LogError> {
        done.wait()
        return result!
    }
}
