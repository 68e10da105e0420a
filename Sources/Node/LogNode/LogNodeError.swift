import Coordinator
import Shard
import Wire

/// Wire error codes of the log node (role codes 1500…1599; the 0x05xx message kinds' role). The generic
/// `invalidArgument` and `limitExceeded` codes are the root coordinator's, shared by every role.
extension WireError.Code {
    /// The channel's files are damaged; the node refuses it until an operator repairs or drops it.
    public static let channelCorrupt = WireError.Code(1500)
    /// The node could not write or read the channel's files (disk full, I/O error, permissions).
    public static let channelStorageFailure = WireError.Code(1501)
    /// The channel was dropped while the call was in flight.
    public static let channelDropped = WireError.Code(1502)
    /// A read asked for a position below the channel's first retained record (truncated after a flush): the
    /// reader reloads from the newest flushed manifest, whose channel checkpoint is retained.
    public static let channelTruncated = WireError.Code(1503)
}

/// Errors of `LogNode`. Each says what happened to which channel and what to do about it.
public enum LogNodeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Creating another channel would exceed `LogNode.Configuration.maxChannels`.
    case tooManyChannels(limit: Int)
    /// The channel's files failed recovery or verification (`reason` names the file and offset).
    case channelCorrupt(ChannelName, reason: String)
    /// A read asked for a position the channel no longer holds (`first` is the oldest retained one).
    case positionTruncated(ChannelName, requested: LogPosition, first: LogPosition)
    /// A read asked for a position past the channel's end (the next append gets `end`).
    case positionBeyondEnd(ChannelName, requested: LogPosition, end: LogPosition)
    /// An append's payload exceeds the channel log's record limit.
    case recordTooLarge(ChannelName, size: Int, limit: Int)
    /// The channel was dropped while the call was in flight.
    case channelDropped(ChannelName)
    /// Writing or reading the channel's files failed.
    case storage(ChannelName, String)
    /// A request built in-process with a field out of range (the wire decoders reject these already).
    case invalidRequest(String)
    /// The node is stopping (or stopped) and takes no more calls.
    case shuttingDown
    /// `LogNode.Configuration` is out of range.
    case invalidConfiguration(String)
    /// The data directory could not be created or scanned at start-up.
    case dataDirectory(path: String, String)

    public var description: String {
        switch self {
        case .tooManyChannels(let limit):
            return "the log node already hosts its limit of \(limit) channels; drop unused collections or "
                + "raise maxChannels"
        case .channelCorrupt(let channel, let reason):
            return "channel \(channel) is corrupt and refused: \(reason)"
        case .positionTruncated(let channel, let requested, let first):
            return "channel \(channel) no longer holds position \(requested) (oldest is \(first)); reload the "
                + "shard and read from \(first)"
        case .positionBeyondEnd(let channel, let requested, let end):
            return "position \(requested) is past the end of channel \(channel) (next append gets \(end)); the "
                + "reader is ahead of the log and must reload"
        case .recordTooLarge(let channel, let size, let limit):
            return "append of \(size) bytes to channel \(channel) exceeds the record limit of \(limit) bytes; "
                + "split the batch"
        case .channelDropped(let channel):
            return "channel \(channel) was dropped while the call was in flight"
        case .storage(let channel, let message):
            return "channel \(channel) storage failure: \(message)"
        case .invalidRequest(let message):
            return "invalid log node request: \(message)"
        case .shuttingDown:
            return "the log node is shutting down; retry on another node or after restart"
        case .invalidConfiguration(let message):
            return "invalid log node configuration: \(message)"
        case .dataDirectory(let path, let message):
            return "log node data directory \(path) is unusable: \(message); check that it exists and is writable"
        }
    }

    /// Maps a `ChannelLog` failure on `channel` to the node's error.
    static func from(_ error: any Error, channel: ChannelName) -> LogNodeError {
        if let e = error as? LogNodeError { return e }
        guard let log = error as? LogError else { return .storage(channel, "\(error)") }
        switch log {
        case .corrupt: return .channelCorrupt(channel, reason: log.description)
        case .positionTruncated(let requested, let first):
            return .positionTruncated(channel, requested: requested, first: first)
        case .positionBeyondEnd(let requested, let end):
            return .positionBeyondEnd(channel, requested: requested, end: end)
        case .recordTooLarge(let size, let limit): return .recordTooLarge(channel, size: size, limit: limit)
        case .closed: return .shuttingDown
        case .io, .locked, .invalidOptions, .writerFailed: return .storage(channel, log.description)
        }
    }
}

extension LogNodeError: WireErrorConvertible {
    public var wireError: WireError {
        switch self {
        case .tooManyChannels: return WireError(.limitExceeded, description)
        case .channelCorrupt: return WireError(.channelCorrupt, description)
        case .positionTruncated: return WireError(.channelTruncated, description)
        case .positionBeyondEnd, .recordTooLarge, .invalidRequest:
            return WireError(.invalidArgument, description)
        case .channelDropped: return WireError(.channelDropped, description)
        case .storage, .dataDirectory: return WireError(.channelStorageFailure, description)
        case .invalidConfiguration: return WireError(.invalidConfiguration, description)
        case .shuttingDown: return WireError(.shuttingDown, retriable: true, description)
        }
    }
}
