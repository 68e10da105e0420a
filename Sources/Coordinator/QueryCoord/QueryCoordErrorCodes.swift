import Wire

/// Wire error codes of the query coordinator (1300…1399; docs/cluster.md lists them). They live beside the
/// messages so a proxy can tell "not enough query nodes" from a transient failure without importing the role.
extension WireError.Code {
    /// `LoadCollection` asked for more replicas than there are live query nodes (the user's to fix: start
    /// query nodes or lower `replicaNumber`).
    public static let notEnoughQueryNodes = WireError.Code(1300)
    /// No log node is live, so no replica can replay its channel (retriable once a log node registers).
    public static let noLogNode = WireError.Code(1301)
    /// A query node refused to load a shard replica; the message names the node, shard and its error.
    public static let loadFailed = WireError.Code(1302)
    /// Loading did not finish within the coordinator's load timeout; it goes on in the background
    /// (poll `GetCollectionRoutes`).
    public static let loadTimedOut = WireError.Code(1303)
    /// The collection was released while a `LoadCollection` was waiting for it.
    public static let collectionReleased = WireError.Code(1304)
}

extension WireError.Code {
    /// `DrainQueryNode` was refused: taking the node out would leave a loaded collection fewer distinct
    /// query nodes than its replica number (the message names the collection and both numbers).
    public static let drainRefused = WireError.Code(1305)
    /// `DrainQueryNode` named a node that is not a live query node (never was, or already left).
    public static let queryNodeNotLive = WireError.Code(1306)
}
