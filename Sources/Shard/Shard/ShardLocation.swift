import Foundation

/// Where a `Shard` keeps its log and its objects.
///
/// The usual shard has both under one directory (`<directory>/log`, `<directory>/objects`). A shard fed from
/// a log-node channel — a data node's, whose objects are the cluster's shared object store, or a query node's
/// replica — keeps its own log only as a volatile scratch copy (`scratchLog`): the channel is the durable
/// record, and the manifest's channel checkpoint says where to resume consuming it.
public struct ShardLocation: Sendable, Equatable {
    /// The shard's own `ChannelLog`.
    public var logDirectory: String
    /// The `LocalObjectStore` holding `manifest` and `segments/<id>/…`.
    public var objectDirectory: String
    /// The log is a scratch copy that starts empty at every open: the manifest's log checkpoint (a position
    /// in some earlier scratch log) is not checked and nothing is replayed; rows past the manifest come back
    /// by consuming the channel from the manifest's channel checkpoint. Opening a non-empty scratch log is
    /// refused (`invalidArgument`): wipe it first.
    public var scratchLog: Bool

    /// `<directory>/log` and `<directory>/objects`, the log durable (the standalone `Shard` layout).
    public init(directory: String) {
        logDirectory = directory + "/log"
        objectDirectory = directory + "/objects"
        scratchLog = false
    }

    public init(logDirectory: String, objectDirectory: String, scratchLog: Bool) {
        self.logDirectory = logDirectory
        self.objectDirectory = objectDirectory
        self.scratchLog = scratchLog
    }
}
