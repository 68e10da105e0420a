import Wire

/// Settings of a proxy.
public struct ProxyConfiguration: Sendable {
    /// The root coordinator (catalog, TSO, ids, sessions, users).
    public var rootCoord: WireAddress
    /// The query coordinator; nil: the live `querycoord` session with the lowest node id.
    public var queryCoord: WireAddress?
    /// The log node holding every channel; nil: the live `lognode` session with the lowest node id (this
    /// build runs one log node; see docs/cluster.md, "Proxy").
    public var logNode: WireAddress?
    /// This proxy's node id (reported by `/health`).
    public var nodeID: Int64 = 0
    /// Role name `/health` reports (`proxy`, or `standalone` when every role runs in this process).
    public var role = "proxy"
    /// Staleness a `Bounded` read accepts, in milliseconds (Milvus's default is 5 s; 1 s here).
    public var boundedStalenessMilliseconds: UInt32 = 1_000
    /// Replicas a load without `replicaNumber` asks for.
    public var defaultReplicaNumber = 1
    /// The collection `POST /search` uses when the body names none (nil: the only collection with a
    /// text-embedding function, if exactly one exists).
    public var defaultSearchCollection: String?
    /// Deadline of one API operation across all its calls and retries.
    public var requestTimeout: Duration = .seconds(30)
    /// Deadline of a load (`LoadCollection` answers once every replica serves, which replays the channels).
    public var loadTimeout: Duration = .seconds(600)
    /// Auto-ids reserved from the root coordinator per `AllocateIDs` call (at least the rows of a request).
    public var idReservation = 10_000
    /// How long a verified user/password pair is trusted before the root coordinator is asked again.
    public var credentialCacheTTL: Duration = .seconds(10)
    /// How long a `/metrics` scrape waits for the query nodes and coordinators (in parallel); whoever has not
    /// answered by then is left out of that scrape and counted in `vecnode_metrics_scrape_errors_total`.
    public var metricsScrapeTimeout: Duration = .seconds(1)

    public init(rootCoord: WireAddress) { self.rootCoord = rootCoord }
}
