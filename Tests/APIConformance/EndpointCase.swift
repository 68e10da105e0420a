import API

/// One end-to-end scenario of the HTTP API (Milvus REST v2, the seed's routes, auth), run against a fresh
/// server over each backend: `APITests` runs `EndpointCase.all` over the in-memory backend, `ProxyTests`
/// over the proxy and real cluster roles. The same requests and expectations, so the backends cannot drift.
public struct EndpointCase: Sendable, CustomStringConvertible {
    public let name: String
    /// Server settings the case needs.
    public let auth: APIAuth
    public let defaultCollection: String?
    public let run: @Sendable (APIHarness, BackendTraits) async throws -> Void

    init(_ name: String, auth: APIAuth = .disabled, defaultCollection: String? = nil,
         _ run: @escaping @Sendable (APIHarness, BackendTraits) async throws -> Void) {
        self.name = name
        self.auth = auth
        self.defaultCollection = defaultCollection
        self.run = run
    }

    public var description: String { name }

    /// Every case, Milvus endpoints first.
    public static let all: [EndpointCase] = MilvusEndpointCases.all + SeedEndpointCases.all
}

/// Where a backend is documented to differ from Milvus (docs/api.md, "Behind the routes: the proxy"); the
/// cases check the documented behaviour of each, nothing else varies.
public struct BackendTraits: Sendable {
    /// Rows belong to the partition they were inserted into (in-memory backend). The proxy's rows carry no
    /// partition in this build: reads and writes naming a partition other than `_default` get 1100, and
    /// releasing single partitions is refused (1100).
    public var partitionsHoldRows: Bool

    public init(partitionsHoldRows: Bool) {
        self.partitionsHoldRows = partitionsHoldRows
    }
}
