import Coordinator
import Node
import Wire

// Draining a query node (`DrainQueryNode`): the placement rules move its copies (`reconcile` treats a draining
// node like a dead one whose serving copies stay `previous` until their new node has loaded them); this file
// marks the node, keeps the mark durable until its session ends, and waits for the node to serve nothing.
extension QueryCoord {
    /// Marks `node` as draining (durably) and waits up to `wait` until it serves nothing. Calling it again for
    /// a draining node only waits again.
    ///
    /// - Returns: the progress; `drained` is false when `wait` passed first (draining goes on).
    /// - Throws: `QueryCoordError.queryNodeNotLive`, `QueryCoordError.drainRefused` (a loaded collection would
    ///   be left fewer distinct nodes than its replica number; nothing changed), `MetaStoreError` when the mark
    ///   cannot be made durable (nothing changed), the root coordinator's `WireError`.
    public func drainQueryNode(_ node: NodeID, wait: Duration) async throws -> QueryNodeDrainStatus {
        try await addNewlyRegisteredNodes()
        guard let session = queryNodes[node] else { throw QueryCoordError.queryNodeNotLive(node) }
        let initial = copies(on: node)
        if draining[node]?.session != session.sessionID {
            // No suspension from the check to the commit: no load can slip in between.
            for id in placements.keys.sorted() {
                guard let placement = placements[id] else { continue }
                try placement.checkDrain(node, context: context(for: placement))
            }
            let mark = DrainingNode(node: node, session: session.sessionID)
            try store.put(mark.key, mark.encoded())
            draining[node] = mark
            logger.info("draining query node", ["node": node.rawValue, "addr": session.address, "copies": initial])
            placementChanged()
        }
        let started = ContinuousClock.now
        let deadline = started + wait
        while true {
            guard queryNodes[node]?.sessionID == session.sessionID else {
                // It left (or died) meanwhile: it serves nothing any more.
                return QueryNodeDrainStatus(nodeID: node, drained: true, remainingCopies: 0, initialCopies: initial)
            }
            var remaining = copies(on: node)
            if remaining == 0 {
                // Nothing wanted there any more; the releases are asynchronous, so ask the node itself.
                let held = await heldReplicas(session)
                if held == 0 {
                    logger.info("query node drained", ["node": node.rawValue,
                                                       "waited_ms": (ContinuousClock.now - started).wholeMilliseconds])
                    return QueryNodeDrainStatus(nodeID: node, drained: true, remainingCopies: 0, initialCopies: initial)
                }
                remaining = held ?? 0
            }
            guard ContinuousClock.now < deadline else {
                logger.info("drain still in progress", ["node": node.rawValue, "remaining": remaining, "initial": initial])
                return QueryNodeDrainStatus(nodeID: node, drained: false, remainingCopies: remaining, initialCopies: initial)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Shard copies `node` serves, is assigned, or is loading, over every collection.
    func copies(on node: NodeID) -> Int {
        var copies = Set<HostKey>()
        for placement in placements.values {
            for host in placement.desiredHosts where host.node == node {
                copies.insert(HostKey(collection: placement.id, host: host))
            }
        }
        for (id, hosts) in serving {
            for host in hosts where host.node == node { copies.insert(HostKey(collection: id, host: host)) }
        }
        for key in inFlight.keys where key.host.node == node { copies.insert(key) }
        return copies.count
    }

    /// How many replicas the node itself reports holding; nil when it does not answer within a second.
    private func heldReplicas(_ session: NodeSession) async -> Int? {
        do {
            let client = transport.client(for: try WireAddress(parsing: session.address))
            return try await client.call(DescribeQueryNode(), options: CallOptions(timeout: .seconds(1))).replicas.count
        } catch {
            return nil
        }
    }

    /// Drops the marks of nodes whose drained session ended (left, died, or restarted as a new session).
    func forgetEndedDrains() {
        for (node, mark) in draining where queryNodes[node]?.sessionID != mark.session {
            draining[node] = nil
            do { try store.delete(mark.key) } catch {
                logger.error("cannot delete a drain mark", ["node": node.rawValue, "error": "\(error)"])
            }
            logger.info("drain mark dropped: the node's session ended", ["node": node.rawValue])
        }
    }
}

extension Duration {
    /// Whole milliseconds, for log fields.
    var wholeMilliseconds: Int64 {
        let c = components
        return c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
    }
}
