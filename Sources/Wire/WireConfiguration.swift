/// Settings shared by the TCP transport's listeners and clients. Defaults suit a cluster on one LAN.
public struct WireConfiguration: Sendable {
    /// Secret every node of the cluster shares; see `Handshake`.
    public var clusterSecret: ClusterSecret
    /// Name this node gives in handshakes (logs only).
    public var nodeName: String = "vecnode"
    /// Largest frame body accepted or sent, checked before allocating. Default 64 MiB.
    public var maxFrameSize: Int = 64 << 20
    /// Timeout of a call whose `CallOptions.timeout` is nil. Default 30 s.
    public var defaultTimeout: Duration = .seconds(30)
    /// Time allowed for TCP connect plus handshake, client side. Default 2 s.
    public var connectTimeout: Duration = .seconds(2)
    /// Time a server waits for a new connection's HELLO. Default 2 s.
    public var handshakeTimeout: Duration = .seconds(2)
    /// First delay before reconnecting to a peer after a failed connect; doubles per failure. Default 50 ms.
    public var reconnectBackoffInitial: Duration = .milliseconds(50)
    /// Cap on the reconnect delay. Default 2 s.
    public var reconnectBackoffMax: Duration = .seconds(2)
    /// Requests a server runs at once per connection; beyond it the server stops reading that socket until
    /// one finishes (back-pressure instead of unbounded queues). Default 1024.
    public var maxInFlightPerConnection: Int = 1024
    /// Connections a listener accepts at once; more are closed right away. Default 1024.
    public var maxConnections: Int = 1024
    /// A request body at least this large travels on the bulk lane. Default 256 KiB.
    public var bulkThreshold: Int = 256 << 10
    /// A blocked socket write that makes no progress for this long closes the connection (stuck peer).
    /// Default 10 s.
    public var sendTimeout: Duration = .seconds(10)

    public init(clusterSecret: ClusterSecret) {
        self.clusterSecret = clusterSecret
    }

    /// Throws `invalidConfiguration` naming the first bad setting.
    public func validate() throws(WireError) {
        func bad(_ what: String) -> WireError { WireError(.invalidConfiguration, what) }
        guard maxFrameSize >= 1024, maxFrameSize <= Int(UInt32.max) else {
            throw bad("maxFrameSize \(maxFrameSize) must be between 1 KiB and 4 GiB")
        }
        guard defaultTimeout > .zero, connectTimeout > .zero, handshakeTimeout > .zero, sendTimeout > .zero else {
            throw bad("timeouts must be positive")
        }
        guard reconnectBackoffInitial > .zero, reconnectBackoffMax >= reconnectBackoffInitial else {
            throw bad("reconnect backoff must be positive with max ≥ initial")
        }
        guard maxInFlightPerConnection >= 1, maxConnections >= 1 else {
            throw bad("maxInFlightPerConnection and maxConnections must be at least 1")
        }
        guard bulkThreshold >= 1 else { throw bad("bulkThreshold must be at least 1") }
        guard nodeName.utf8.count <= Handshake.maxNameBytes else {
            throw bad("nodeName is longer than \(Handshake.maxNameBytes) bytes")
        }
    }
}
