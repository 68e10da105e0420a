import Foundation

/// The state of one `ChannelLog` shared by API callers and its writer thread (guarded by `LogCore.state`).
/// Everything here describes durable data only: offsets and `endLSN` are published after the fsync.
struct LogState {
    /// One segment's durable extent.
    struct Segment {
        let file: LogSegmentFile
        /// Byte offset of each durable record, in position order (record `file.firstLSN + i` at `offsets[i]`).
        var offsets: [UInt32]
        /// Byte offset just past the last durable record.
        var endOffset: Int
    }

    /// Retained segments, oldest first; the last one is the one being appended to. Never empty.
    var segments: [Segment]
    /// The position the next record will get: every position below it is durable and readable.
    var endLSN: UInt64
    /// Appends accepted but not yet taken by the writer, in arrival order.
    var pending: [LogAppendRequest] = []
    var closed = false
    /// Set when a write or fsync failed; appends are refused from then on.
    var failure: IOFailure?
    /// Consumers waiting in `waitForRecord(at:timeout:)`, by id.
    var waiters: [UInt64: LogTailWaiter] = [:]
    var nextWaiterID: UInt64 = 0
    var statistics = ChannelLog.Statistics()

    /// Index of the segment holding `lsn`, which must be within the retained range.
    func segmentIndex(containing lsn: UInt64) -> Int {
        var lo = 0, hi = segments.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if segments[mid].file.firstLSN <= lsn { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Removes and returns the waiters whose record has become durable.
    mutating func takeSatisfiedWaiters() -> [LogTailWaiter] {
        guard !waiters.isEmpty else { return [] }
        var ready: [LogTailWaiter] = []
        for (id, waiter) in waiters where waiter.position < endLSN {
            ready.append(waiter)
            waiters[id] = nil
        }
        return ready
    }
}

/// An append waiting for the writer thread.
struct LogAppendRequest: Sendable {
    let kind: LogRecordKind
    let timestamp: UInt64
    let payload: Data
    /// Called exactly once, on the writer thread (or the caller's, if rejected up front).
    let completion: @Sendable (Result<LogPosition, LogError>) -> Void
}

/// A consumer waiting for the record at `position` to become durable.
struct LogTailWaiter {
    let position: UInt64
    let continuation: CheckedContinuation<Bool, Never>
    /// The task that resumes the waiter with `false` at its deadline; cancelled when resumed earlier.
    var timer: Task<Void, Never>?

    func resume(_ value: Bool) {
        timer?.cancel()
        continuation.resume(returning: value)
    }
}
