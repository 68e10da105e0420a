import Coordinator
import Wire

// Following the root coordinator's session events: who is alive, who died, who restarted.
extension QueryCoord {
    /// One poll of `WatchSessionEvents`; resynchronises with `ListLiveNodes` on the first poll, after a gap
    /// in the event history, and (after a grace period) when the root coordinator restarted — the rules of
    /// `SessionEventFollower`, shared with the data coordinator.
    func pollMembership() async {
        let options = CallOptions(timeout: configuration.callTimeout)
        do {
            let cursor = membership.cursor
            let batch = try await rootClient.call(WatchSessionEvents(afterSequence: cursor), options: options)
            switch membership.step(for: batch, polledCursor: cursor) {
            case .skip:
                return  // another poll interleaved; the next one continues
            case .waitForRestartGrace(let firstNotice):
                if firstNotice { logger.warn("root coordinator restarted; re-reading membership after the grace period") }
            case .resync:
                let live = try await rootClient.call(ListLiveNodes(role: nil), options: options).sessions
                applyLiveSet(live)
                if membership.resynced(through: batch.lastSequence) {
                    logger.info("membership known", ["query_nodes": queryNodes.count, "log_nodes": logNodes.count])
                }
                placementChanged()
            case .apply(let events):
                var changed = false
                for event in events { changed = apply(event) || changed }
                membership.advance(to: batch.lastSequence)
                if changed { placementChanged() }
            }
        } catch {
            logger.debug("membership poll failed", ["error": "\(error)"])
        }
    }

    /// Adds query and log nodes that registered since the last poll (never removes one: deaths come from
    /// events), so a load right after nodes registered sees them.
    func addNewlyRegisteredNodes() async throws {
        let live = try await rootClient.call(ListLiveNodes(role: nil), options: CallOptions(timeout: configuration.callTimeout))
        if !membershipKnown {
            // Not polled yet: this list is the whole membership (the event loop follows from here).
            applyLiveSet(live.sessions)
            membership.isKnown = true
            placementChanged()
            return
        }
        var changed = false
        for session in live.sessions where queryNodes[session.nodeID] == nil && logNodes[session.nodeID] == nil {
            changed = joined(session) || changed
        }
        if changed { placementChanged() }
    }

    /// Replaces the membership with `live` (a full `ListLiveNodes`): missing nodes are dead, new ones joined.
    func applyLiveSet(_ live: [NodeSession]) {
        let byNode = Dictionary(live.map { ($0.nodeID, $0) }, uniquingKeysWith: { a, b in a.sessionID > b.sessionID ? a : b })
        for (node, session) in queryNodes where byNode[node]?.sessionID != session.sessionID {
            gone(session, reason: "not live")
        }
        for (node, session) in logNodes where byNode[node]?.sessionID != session.sessionID {
            gone(session, reason: "not live")
        }
        for session in live { _ = joined(session) }
    }

    /// Applies one event; returns whether membership changed.
    func apply(_ event: SessionEvent) -> Bool {
        switch event.kind {
        case .joined: return joined(event.session)
        case .dead: return gone(event.session, reason: "dead")
        case .left: return gone(event.session, reason: "left")
        case .replaced: return gone(event.session, reason: "restarted")
        }
    }

    /// A node registered. An older session of the same node means it restarted (and lost its replicas).
    @discardableResult
    func joined(_ session: NodeSession) -> Bool {
        switch session.role {
        case .queryNode:
            if let current = queryNodes[session.nodeID] {
                guard current.sessionID < session.sessionID else { return false }
                gone(current, reason: "restarted")
            }
            queryNodes[session.nodeID] = session
            logger.info("query node joined", ["node": session.nodeID.rawValue, "addr": session.address])
            return true
        case .logNode:
            if let current = logNodes[session.nodeID], current.sessionID >= session.sessionID { return false }
            logNodes[session.nodeID] = session
            logger.info("log node joined", ["node": session.nodeID.rawValue, "addr": session.address])
            return true
        default:
            return false
        }
    }

    /// A node's session ended (death, clean leave, or a restart). A query node's copies are gone at once, so
    /// its shards leave the routes (their replicas turn unhealthy) until they are re-placed and loaded.
    @discardableResult
    func gone(_ session: NodeSession, reason: String) -> Bool {
        switch session.role {
        case .queryNode:
            guard queryNodes[session.nodeID]?.sessionID == session.sessionID else { return false }
            queryNodes[session.nodeID] = nil
            let node = session.nodeID
            var affected = Set<CollectionID>()
            for (id, copies) in serving {
                let remaining = copies.filter { $0.node != node }
                if remaining.count != copies.count { serving[id] = remaining }
            }
            for (id, placement) in placements where placement.desiredHosts.contains(where: { $0.node == node }) {
                affected.insert(id)
            }
            for key in failures.keys where key.host.node == node { failures[key] = nil }
            if !affected.isEmpty {
                let since = pendingHeals[node]?.since ?? .now
                pendingHeals[node] = PendingHeal(
                    since: since, collections: affected.union(pendingHeals[node]?.collections ?? []))
            }
            // A node that held nothing (e.g. drained before it left) is routine, not a warning.
            if affected.isEmpty {
                logger.info("query node \(reason)", ["node": node.rawValue, "addr": session.address, "collections": "[]"])
            } else {
                logger.warn("query node \(reason)", ["node": node.rawValue, "addr": session.address,
                                                      "collections": affected.map(\.rawValue).sorted()])
            }
            return true
        case .logNode:
            guard logNodes[session.nodeID]?.sessionID == session.sessionID else { return false }
            logNodes[session.nodeID] = nil
            logger.warn("log node \(reason)", ["node": session.nodeID.rawValue, "addr": session.address])
            return true
        default:
            return false
        }
    }

    /// Re-places every collection against the current membership and dispatches the resulting loads and
    /// releases.
    func placementChanged() {
        guard membershipKnown else { return }
        forgetEndedDrains()
        for id in placements.keys.sorted() {
            guard var placement = placements[id] else { continue }
            let before = placement
            if placement.reconcile(context(for: placement), rebalance: false) {
                adopt(placement)
                logger.info(
                    "collection re-placed",
                    ["collection": id.rawValue, "before": describe(before), "after": describe(placement)])
            }
        }
        dispatch()
        checkHeals()
    }

    /// Logs (and records) every node loss whose collections are whole again.
    func checkHeals() {
        for (node, pending) in pendingHeals {
            let whole = pending.collections.allSatisfy { id in placements[id].map(fullyServing) ?? true }
            guard whole else { continue }
            let duration = ContinuousClock.now - pending.since
            pendingHeals[node] = nil
            heals.append(HealReport(node: node, duration: duration))
            let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
            logger.info(
                "replicas healed", ["lost_node": node.rawValue, "heal_ms": ms,
                                    "collections": pending.collections.map(\.rawValue).sorted()])
        }
    }
}
