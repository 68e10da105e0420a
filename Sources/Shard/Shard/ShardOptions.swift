import Foundation

/// Tuning of a `Shard`. The defaults suit a server; tests shrink the limits and inject a clock.
public struct ShardOptions: Sendable {
    /// When the growing segment is sealed and flushed.
    public var sealPolicy = SealPolicy()
    /// A growing segment's HNSW fields switch from exact scan to an incrementally built graph at this many rows.
    public var growingHNSWThreshold = 10_000
    /// Sealed segments under this many rows are merged by `compact()`.
    public var smallSegmentRows = 50_000
    /// Threads of the shard's worker pool (searches over segments, index builds).
    public var workerThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Options of the shard's `ChannelLog`.
    public var log = ChannelLog.Options()
    /// Seal segments without building their vector indexes (data nodes: index nodes build them later, see
    /// `SegmentIndexBuilder`). A sealed segment then answers searches by an exact scan over its vectors until
    /// it is reopened with an index object in place; growing segments never switch to an HNSW graph. Loading
    /// never builds an index in memory either: segments without an index object are scanned. Default false.
    public var deferIndexBuilds = false
    /// Milliseconds since the Unix epoch; the seal policy's age uses it (inject a fake in tests).
    public var clock: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }

    public init() {}

    /// The growing segments' HNSW threshold: never reached with deferred index builds.
    var effectiveGrowingHNSWThreshold: Int { deferIndexBuilds ? Int.max : growingHNSWThreshold }

    func validate() throws(ShardError) {
        try sealPolicy.validate()
        guard growingHNSWThreshold >= 1, smallSegmentRows >= 1, workerThreads >= 1 else {
            throw .invalidArgument("growingHNSWThreshold, smallSegmentRows and workerThreads must be at least 1")
        }
    }
}
