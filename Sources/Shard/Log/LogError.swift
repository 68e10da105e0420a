/// Errors of `ChannelLog`.
public enum LogError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A system call failed; see `IOFailure` (disk full, permissions…).
    case io(IOFailure)
    /// Damaged log data that recovery may not discard: a bad segment header, a bad record inside a segment that
    /// is not the last one, a gap between segments, or (on read) a record that no longer verifies. Nothing is
    /// skipped silently; restore the channel from a replica or backup, or move the named file away to accept
    /// losing everything from it on.
    case corrupt(file: String, offset: Int, reason: String)
    /// Another `ChannelLog` (in this or another process) has the directory open.
    case locked(directory: String)
    /// `ChannelLog.Options` failed validation.
    case invalidOptions(String)
    /// An append's payload is larger than `Options.maxRecordBytes`.
    case recordTooLarge(size: Int, limit: Int)
    /// The log was closed.
    case closed
    /// An earlier write or fsync failed, so the file's tail is in an unknown state; the log refuses appends until
    /// it is reopened (recovery then keeps the valid prefix). Retrying the fsync is unsafe (the kernel may have
    /// dropped the dirty pages), which is why the log does not.
    case writerFailed(IOFailure)
    /// The requested position was truncated away; the oldest retained record is at `first`.
    case positionTruncated(requested: LogPosition, first: LogPosition)
    /// The requested position is past the end (the next append will get `end`).
    case positionBeyondEnd(requested: LogPosition, end: LogPosition)

    public var description: String {
        switch self {
        case .io(let failure): return "log I/O error: \(failure)"
        case .corrupt(let file, let offset, let reason):
            return "corrupt log segment \(file) at byte offset \(offset): \(reason); restore the channel from a "
                + "replica or backup (or move the file away to accept losing the records from it on)"
        case .locked(let directory):
            return "log directory \(directory) is already open by another ChannelLog (this or another process)"
        case .invalidOptions(let message): return "invalid log options: \(message)"
        case .recordTooLarge(let size, let limit):
            return "log record payload of \(size) bytes exceeds the limit of \(limit) bytes; split the batch"
        case .closed: return "the log is closed"
        case .writerFailed(let failure):
            return "the log stopped accepting appends after a write failure (\(failure)); reopen it to recover"
        case .positionTruncated(let requested, let first):
            return "log position \(requested) was truncated; the oldest retained record is at \(first)"
        case .positionBeyondEnd(let requested, let end):
            return "log position \(requested) is past the end of the log (next position is \(end))"
        }
    }
}
