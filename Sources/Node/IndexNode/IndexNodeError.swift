import Shard
import Wire

/// Wire error codes of index building (1600…1699; docs/cluster.md lists them: 1400s are the query node's and
/// 1500s the log node's already).
extension WireError.Code {
    /// The index node runs and queues as many builds as it may: retry later or on another index node.
    public static let indexNodeBusy = WireError.Code(1600)
    /// Building the segment's index failed (unreadable segment data, vectors the index rejects, storage
    /// failure); the message says which. The index coordinator retries it a bounded number of times.
    public static let indexBuildFailed = WireError.Code(1601)
    /// The shard has no manifest or its manifest does not name the segment (not flushed yet, compacted away,
    /// or the collection was dropped).
    public static let segmentNotFound = WireError.Code(1602)
    /// The index node is shutting down.
    public static let indexNodeClosed = WireError.Code(1603)
}

/// Errors of the index node.
public enum IndexNodeError: Error, Sendable, Equatable, CustomStringConvertible, WireErrorConvertible {
    /// `running` builds run and `queued` wait, the node's limits: retry later or elsewhere.
    case busy(running: Int, queued: Int)
    /// The segment to index does not exist in object storage.
    case segmentNotFound(String)
    /// The build failed.
    case buildFailed(String)
    /// The node is closed.
    case closed
    /// The node could not start (bad configuration, threads).
    case startup(String)

    public var description: String {
        switch self {
        case .busy(let running, let queued):
            return "the index node is busy (\(running) builds running, \(queued) queued, its limits): retry later or on another index node"
        case .segmentNotFound(let m): return "nothing to index: \(m)"
        case .buildFailed(let m): return "index build failed: \(m)"
        case .closed: return "the index node is closed"
        case .startup(let m): return "the index node could not start: \(m)"
        }
    }

    public var wireError: WireError {
        switch self {
        case .busy: WireError(.indexNodeBusy, retriable: true, description)
        case .segmentNotFound: WireError(.segmentNotFound, description)
        case .buildFailed: WireError(.indexBuildFailed, description)
        case .closed: WireError(.indexNodeClosed, retriable: true, description)
        case .startup: WireError(.handlerFailed, description)
        }
    }

    /// Maps a builder failure: a missing manifest or segment is `segmentNotFound`, the rest `buildFailed`.
    static func from(_ error: SegmentIndexError) -> IndexNodeError {
        switch error {
        case .noManifest, .unknownSegment: .segmentNotFound(error.description)
        default: .buildFailed(error.description)
        }
    }
}
