/// What `cluster/describe` reports (a vecnode extension): every node of the cluster as the serving
/// proxy sees it, for the web console and for operators' scripts.
public struct ClusterDescription: Sendable, Equatable {
    /// The serving node's view of the cluster (`HealthInfo.clusterState`: `healthy`, `degraded: …`).
    public var state: String
    /// Every node, live ones first by role then id, then nodes that were seen before and are now down.
    public var nodes: [ClusterNodeInfo]
    public init(state: String, nodes: [ClusterNodeInfo]) {
        self.state = state
        self.nodes = nodes
    }
}

/// One node of the cluster (``ClusterDescription/nodes``).
public struct ClusterNodeInfo: Sendable, Equatable {
    /// The role's lower-case name: `rootcoord`, `querycoord`, `proxy`, `querynode`, `lognode`, `standalone` …
    public var role: String
    public var nodeID: Int64
    /// Where the node serves (`HOST:PORT`).
    public var address: String
    /// Whether the node holds a live session and, for nodes that are asked, answered.
    public var healthy: Bool
    /// Seconds since the node started when it reports it, else since the serving proxy first saw its
    /// session (``uptimeIsObserved`` tells which); nil when unknown.
    public var uptimeSeconds: Double?
    /// True when ``uptimeSeconds`` is the time since the serving proxy first saw the node, not the
    /// node's own uptime.
    public var uptimeIsObserved: Bool
    /// Searches the node has served since it started (query nodes; nil for roles that do not count).
    public var searches: Int64?
    /// Why the node is unhealthy or lagging (empty when fine).
    public var message: String
    /// Shard replicas the node hosts, with their rows and segments (query nodes and standalone).
    public var replicas: [HostedReplicaInfo]
    public init(role: String, nodeID: Int64, address: String, healthy: Bool, uptimeSeconds: Double? = nil,
                uptimeIsObserved: Bool = false, searches: Int64? = nil, message: String = "", replicas: [HostedReplicaInfo] = []) {
        self.role = role
        self.nodeID = nodeID
        self.address = address
        self.healthy = healthy
        self.uptimeSeconds = uptimeSeconds
        self.uptimeIsObserved = uptimeIsObserved
        self.searches = searches
        self.message = message
        self.replicas = replicas
    }
}

/// One shard replica hosted by a node (``ClusterNodeInfo/replicas``).
public struct HostedReplicaInfo: Sendable, Equatable {
    public var collectionID: Int64
    /// The collection's name, empty when the serving proxy no longer knows it (e.g. dropped meanwhile).
    public var collectionName: String
    public var shard: Int
    public var replicaID: Int64
    /// Live rows (sealed and growing).
    public var rowCount: Int64
    /// Sealed (indexed) segments.
    public var sealedSegments: Int
    /// Rows in the growing segment, not yet sealed.
    public var growingRows: Int64
    /// The replica's last consumption error, empty when it keeps up with its channel.
    public var lastError: String
    public init(collectionID: Int64, collectionName: String, shard: Int, replicaID: Int64, rowCount: Int64,
                sealedSegments: Int, growingRows: Int64, lastError: String = "") {
        self.collectionID = collectionID
        self.collectionName = collectionName
        self.shard = shard
        self.replicaID = replicaID
        self.rowCount = rowCount
        self.sealedSegments = sealedSegments
        self.growingRows = growingRows
        self.lastError = lastError
    }
}

/// The outcome of draining a query node (`cluster/drain_node`, a vecnode extension): whether it serves nothing
/// yet, and how many shard copies it still serves or is assigned.
public struct DrainNodeResult: Sendable, Equatable {
    public var nodeID: Int64
    /// False when the wait ended first; draining goes on and the call may be repeated.
    public var drained: Bool
    public var remainingCopies: Int
    /// Copies the node served or was assigned when the call began.
    public var initialCopies: Int
    public init(nodeID: Int64, drained: Bool, remainingCopies: Int, initialCopies: Int) {
        self.nodeID = nodeID
        self.drained = drained
        self.remainingCopies = remainingCopies
        self.initialCopies = initialCopies
    }
}
