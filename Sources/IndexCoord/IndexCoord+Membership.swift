import Coordinator
import Wire

// Following which index nodes are alive.
extension IndexCoord {
    /// One poll of the live index nodes. A node that is gone, or whose session changed (it restarted and
    /// rejoined empty), loses its builds: each counts as a failed attempt and is re-queued (or given up) at
    /// once, then pending builds are dispatched to whoever is live.
    func pollMembership() async {
        let live: [NodeSession]
        do {
            live = try await rootClient.call(ListLiveNodes(role: .indexNode),
                                             options: CallOptions(timeout: configuration.callTimeout)).sessions
        } catch {
            logger.debug("membership poll failed", ["error": "\(error)"])
            return
        }
        var current: [NodeID: NodeSession] = [:]
        for s in live where s.role == .indexNode {
            if let other = current[s.nodeID], other.sessionID > s.sessionID { continue }
            current[s.nodeID] = s
        }
        var changed = !membershipKnown
        for (node, session) in indexNodes where current[node]?.sessionID != session.sessionID {
            lost(session, reason: current[node] == nil ? "gone" : "restarted")
            changed = true
        }
        for (node, session) in current where indexNodes[node]?.sessionID != session.sessionID {
            logger.info("index node joined", ["node": node.rawValue, "addr": session.address])
            changed = true
        }
        indexNodes = current
        membershipKnown = true
        if changed { dispatch() }
    }

    /// Re-queues the builds in flight on a node that is gone.
    func lost(_ session: NodeSession, reason: String) {
        let node = session.nodeID
        let keys = inFlight.filter { $0.value.node == node }.map(\.key).sorted()
        logger.warn("index node \(reason)", ["node": node.rawValue, "addr": session.address, "builds": keys.count])
        for key in keys {
            inFlight.removeValue(forKey: key)?.task.cancel()
            guard var record = records[key] else { continue }
            failed(&record, reason: "index node \(node.rawValue) \(reason) during the build")
        }
    }
}
