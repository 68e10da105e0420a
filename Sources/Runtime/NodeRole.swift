/// The roles a `vecnode` process can play (Milvus's components; see docs/architecture.md). `standalone` runs
/// all of them in one process.
public enum NodeRole: String, CaseIterable, Sendable, CustomStringConvertible {
    case standalone, rootcoord, datacoord, querycoord, indexcoord, proxy, querynode, datanode, indexnode,
         lognode, gateway

    public var description: String { rawValue }

    /// Whether the role joins a multi-process cluster and so must know the root coordinator and the cluster
    /// secret. `standalone` (everything in-process) is self-contained, and `gateway` only speaks HTTP to the
    /// proxies it is given (`--upstreams`).
    public var joinsCluster: Bool { self != .standalone && self != .gateway }

    /// Whether the role must be told where the root coordinator is (every role that joins but rootcoord).
    public var needsRootCoordinator: Bool { joinsCluster && self != .rootcoord }

    /// All role names, comma-separated, for error messages and `--help`.
    public static var namesList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
