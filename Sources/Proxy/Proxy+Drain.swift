import API
import Coordinator
import Wire

/// `cluster/drain_node` (a vecnode extension): relays `DrainQueryNode` to the query coordinator.
extension Proxy {
    public func drainQueryNode(nodeID: Int64, wait: Duration) async throws -> DrainNodeResult {
        try await api {
            let bounded = min(wait, .milliseconds(Int64(DrainQueryNode.maxWaitMilliseconds)))
            let c = bounded.components
            let milliseconds = UInt32(clamping: max(0, c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000))
            // The query coordinator replies by `wait` at the latest; the extra time covers its check and reply.
            let status = try await call(.queryCoord, DrainQueryNode(nodeID: NodeID(nodeID), waitMilliseconds: milliseconds),
                                        deadline: .now + bounded + configuration.requestTimeout)
            return DrainNodeResult(nodeID: status.nodeID.rawValue, drained: status.drained,
                                   remainingCopies: status.remainingCopies, initialCopies: status.initialCopies)
        }
    }
}
