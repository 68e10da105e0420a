/// The roles a `vecnode` process can play (Milvus's components; see docs/architecture.md). `standalone` runs
/// all of them in one process.
public enum NodeRole: String, CaseIterable, Sendable, CustomStringConvertible {
    case standalone, rootcoord, datacoord, querycoord, indexcoord, proxy, querynode, datanode, indexnode,
         lognode, gateway

    public var description: String { rawValue }

    /// Whether the role joins a multi-process cluster and so must know the root coordinator and the cluster
    /// secret. Only `standalone` (everything in-process) is self-contained.
    public var joinsCluster: Bool { self != .standalone }

    /// Whether the role must be told where the root coordinator is (everything but standalone and rootcoord).
    public var needsRootCoordinator: Bool { self != .standalone && self != .rootcoord }

    /// All role names, comma-separated, for error messages and `--help`.
    public static var namesList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
