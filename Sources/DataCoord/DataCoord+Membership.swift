import Coordinator
import Wire

// Following the root coordinator's session events (`SessionEventFollower`'s rules, shared with the query
// coordinator: events every `pollInterval`, a full `ListLiveNodes` at the first poll, after a gap and after a
// root-coordinator restart).
extension DataCoord {
    func pollMembership() async {
        let options = CallOptions(timeout: configuration.callTimeout)
        do {
            let cursor = membership.cursor
            let batch = try await rootClient.call(WatchSessionEvents(afterSequence: cursor), options: options)
            switch membership.step(for: batch, polledCursor: cursor) {
            case .skip:
                return
            case .waitForRestartGrace(let firstNotice):
                if firstNotice { logger.warn("root coordinator restarted; re-reading membership after the grace period") }
            case .resync:
                let live = try await rootClient.call(ListLiveNodes(role: nil), options: options).sessions
                let byNode = Dictionary(live.map { ($0.nodeID, $0) }, uniquingKeysWith: { a, b in a.sessionID > b.sessionID ? a : b })
                for (node, session) in dataNodes where byNode[node]?.sessionID != session.sessionID { gone(session, reason: "not live") }
                for (node, session) in logNodes where byNode[node]?.sessionID != session.sessionID { gone(session, reason: "not live") }
                for session in live { joined(session) }
                if membership.resynced(through: batch.lastSequence) {
                    logger.info("membership known", ["data_nodes": dataNodes.count, "log_nodes": logNodes.count])
                }
                reassign()
            case .apply(let events):
                var changed = false
                for event in events {
                    switch event.kind {
                    case .joined: changed = joined(event.session) || changed
                    case .dead: changed = gone(event.session, reason: "dead") || changed
                    case .left: changed = gone(event.session, reason: "left") || changed
                    case .replaced: changed = gone(event.session, reason: "restarted") || changed
                    }
                }
                membership.advance(to: batch.lastSequence)
                if changed { reassign() }
            }
        } catch {
            logger.debug("membership poll failed", ["error": "\(error)"])
        }
    }

    @discardableResult
    func joined(_ session: NodeSession) -> Bool {
        switch session.role {
        case .dataNode:
            if let current = dataNodes[session.nodeID] {
                guard current.sessionID < session.sessionID else { return false }
                gone(current, reason: "restarted")
            }
            dataNodes[session.nodeID] = session
            logger.info("data node joined", ["node": session.nodeID.rawValue, "addr": session.address])
            return true
        case .logNode:
            if let current = logNodes[session.nodeID], current.sessionID >= session.sessionID { return false }
            logNodes[session.nodeID] = session
            return true
        default:
            return false
        }
    }

    /// A data node's session ended: its watches are gone; its channels are reassigned by `reassign()`.
    @discardableResult
    func gone(_ session: NodeSession, reason: String) -> Bool {
        switch session.role {
        case .dataNode:
            guard dataNodes[session.nodeID]?.sessionID == session.sessionID else { return false }
            dataNodes[session.nodeID] = nil
            var owned = Set<ChannelKey>()
            for (id, record) in records {
                for (shard, s) in record.shards.enumerated() where s.owner == session.nodeID {
                    owned.insert(ChannelKey(collection: id, shard: shard))
                }
            }
            for key in owned { watched[key] = nil }
            if !owned.isEmpty {
                pendingReassignments[session.nodeID] = (pendingReassignments[session.nodeID]?.since ?? .now, owned)
            }
            logger.warn("data node \(reason)", ["node": session.nodeID.rawValue, "addr": session.address, "channels": owned.count])
            return true
        case .logNode:
            guard logNodes[session.nodeID]?.sessionID == session.sessionID else { return false }
            logNodes[session.nodeID] = nil
            return true
        default:
            return false
        }
    }
}
