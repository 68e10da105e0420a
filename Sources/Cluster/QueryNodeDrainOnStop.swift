import Coordinator
import Runtime
import Wire

/// The first step of stopping a query node (SIGTERM, `RoleHost.stop()`): ask the query coordinator to drain it
/// (`DrainQueryNode`) and wait, bounded, until its copies are served elsewhere, so that stopping a query node
/// is a clean removal with no gap for readers. Whatever happens — no query coordinator, a refusal (its last
/// node for some collection), a timeout — the node then goes on with its normal shutdown; the outcome is
/// logged.
struct QueryNodeDrainOnStop: Sendable {
    /// How long a stopping query node waits for its drain.
    static let defaultWait = Duration.seconds(30)

    let nodeID: NodeID
    let rootCoordinator: any WireClient
    let transport: any WireTransport
    let wait: Duration
    let log: Logger

    func run() async {
        let start = ContinuousClock.now
        let coordinators: [NodeSession]
        do {
            coordinators = try await rootCoordinator.call(ListLiveNodes(role: .queryCoord), options: CallOptions(timeout: .seconds(2))).sessions
        } catch {
            log.warn("cannot reach rootcoord to find the query coordinator; stopping without draining", ["error": "\(error)"])
            return
        }
        guard let coordinator = coordinators.min(by: { $0.nodeID < $1.nodeID }) else {
            log.info("no query coordinator is live; stopping without draining")
            return
        }
        let waitMilliseconds = UInt32(clamping: min(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000,
                                                    Int64(DrainQueryNode.maxWaitMilliseconds)))
        do {
            let client = transport.client(for: try WireAddress(parsing: coordinator.address))
            let status = try await client.call(DrainQueryNode(nodeID: nodeID, waitMilliseconds: waitMilliseconds),
                                               options: CallOptions(timeout: wait + .seconds(2)))
            let ms = (ContinuousClock.now - start).milliseconds
            if status.drained {
                log.info("drained before stopping", ["copies_moved": status.initialCopies, "took_ms": ms])
            } else {
                log.warn("drain not finished in time; stopping anyway (readers retry on other replicas)",
                         ["remaining": status.remainingCopies, "initial": status.initialCopies, "took_ms": ms])
            }
        } catch {
            log.warn("drain refused or failed; stopping anyway", ["error": "\(error)"])
        }
    }
}
