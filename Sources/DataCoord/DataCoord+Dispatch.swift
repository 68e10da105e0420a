import Coordinator
import Node
import Shard
import Wire

// Assigning channels, sending the watches, following the data nodes' flushes, truncating behind them.
extension DataCoord {
    /// Re-plans every channel against the live data nodes, persists the changed owners, then dispatches.
    func reassign() {
        guard membershipKnown, catalogKnown else { return }
        var channels: [ChannelKey] = []
        var current: [ChannelKey: NodeID] = [:]
        for (id, record) in records {
            for (shard, s) in record.shards.enumerated() {
                let key = ChannelKey(collection: id, shard: shard)
                channels.append(key)
                current[key] = s.owner
            }
        }
        let plan = ChannelAssignment.plan(channels: channels, current: current, live: Set(dataNodes.keys))
        for id in records.keys.sorted() {
            var record = records[id]!
            var changed = false
            for shard in record.shards.indices {
                // An unassigned channel keeps naming its dead owner until a live node takes it.
                guard let owner = plan[ChannelKey(collection: id, shard: shard)], record.shards[shard].owner != owner else { continue }
                let key = ChannelKey(collection: id, shard: shard)
                if let old = record.shards[shard].owner, let session = dataNodes[old] {
                    handoffs[key] = session  // a live owner gives the channel up before the new one watches it
                }
                watched[key] = nil
                logger.info("channel assigned", ["collection": id.rawValue, "shard": shard, "node": owner.rawValue,
                                                 "from": record.shards[shard].owner.map { "\($0.rawValue)" } ?? "-"])
                record.shards[shard].owner = owner
                changed = true
            }
            if changed {
                do { try persist(record) } catch {
                    logger.error("persisting channel owners failed", ["collection": id.rawValue, "error": "\(error)"])
                }
            }
        }
        dispatch()
    }

    /// Sends `WatchChannel` for every assigned channel not watched by its owner's current session.
    func dispatch() {
        guard let logNode = logNodes.values.min(by: { $0.nodeID < $1.nodeID }) else { return }
        for (id, record) in records {
            guard let info = collections[id] else { continue }
            for (shard, s) in record.shards.enumerated() {
                let key = ChannelKey(collection: id, shard: shard)
                guard let owner = s.owner, let session = dataNodes[owner] else { continue }
                guard watched[key] != session.sessionID, inFlight[key] == nil else { continue }
                let request = WatchChannel(collection: info, shard: shard, logNode: logNode.address)
                let previous = handoffs[key].flatMap { dataNodes[$0.nodeID]?.sessionID == $0.sessionID ? $0 : nil }
                inFlight[key] = Task { await self.sendWatch(request, key: key, to: session, after: previous) }
            }
        }
        checkReassignments()
    }

    /// Unwatches on `previous` (a live former owner) first, so one node at a time writes the shard.
    private func sendWatch(_ request: WatchChannel, key: ChannelKey, to session: NodeSession, after previous: NodeSession?) async {
        let result: Result<WireEmpty, WireError>
        do {
            if let previous {
                let old = try WireAddress(parsing: previous.address)
                _ = try await transport.client(for: old).call(UnwatchChannel(ref: request.ref), options: CallOptions(timeout: configuration.callTimeout))
                handoffs[key] = nil
            }
            let address = try WireAddress(parsing: session.address)
            result = .success(try await transport.client(for: address).call(request, options: CallOptions(timeout: configuration.callTimeout)))
        } catch {
            result = .failure(error)
        }
        watchFinished(key, session: session, result: result)
    }

    private func watchFinished(_ key: ChannelKey, session: NodeSession, result: Result<WireEmpty, WireError>) {
        inFlight[key] = nil
        guard dataNodes[session.nodeID]?.sessionID == session.sessionID,
              records[key.collection]?.shards[key.shard].owner == session.nodeID else { return }
        switch result {
        case .success:
            watched[key] = session.sessionID
            // The node may still hold channels it no longer owns (a move): stop them there.
            logger.debug("channel watched", ["channel": "\(key)", "node": session.nodeID.rawValue])
            checkReassignments()
        case .failure(let error):
            logger.warn("watch failed; retrying", ["channel": "\(key)", "node": session.nodeID.rawValue, "error": "\(error)"])
        }
    }

    /// Logs (and records) every data node loss whose channels are all watched again.
    func checkReassignments() {
        for (node, pending) in pendingReassignments {
            let done = pending.channels.allSatisfy { key in
                guard let record = records[key.collection] else { return true }
                guard let owner = record.shards[key.shard].owner, let session = dataNodes[owner] else { return false }
                return watched[key] == session.sessionID
            }
            guard done else { continue }
            let duration = ContinuousClock.now - pending.since
            pendingReassignments[node] = nil
            reassignments.append(duration)
            logger.info("channels reassigned", ["lost_node": node.rawValue, "channels": pending.channels.count,
                                                "ms": duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000])
        }
    }

    /// Every `maintenanceInterval`: ask each data node what it watches. Strays (channels it does not own)
    /// are unwatched; owned channels it does not hold are watched again; new flushed checkpoints are noted
    /// (and truncate the channel behind them).
    func maintain() async {
        dispatch()
        for (node, session) in dataNodes {
            let status: DataNodeStatus
            do {
                let address = try WireAddress(parsing: session.address)
                status = try await transport.client(for: address).call(DescribeDataNode(), options: CallOptions(timeout: configuration.callTimeout))
            } catch {
                continue
            }
            guard dataNodes[node]?.sessionID == session.sessionID else { continue }
            var held = Set<ChannelKey>()
            for channel in status.channels {
                let key = ChannelKey(collection: CollectionID(channel.ref.collection), shard: channel.ref.shard)
                held.insert(key)
                let owner = records[key.collection].flatMap { key.shard < $0.shards.count ? $0.shards[key.shard].owner : nil }
                if owner != node {
                    if let address = try? WireAddress(parsing: session.address) {
                        let client = transport.client(for: address)
                        let ref = channel.ref
                        logger.info("unwatching a stray channel", ["channel": "\(key)", "node": node.rawValue])
                        Task { _ = try? await client.call(UnwatchChannel(ref: ref), options: CallOptions(timeout: .seconds(30))) }
                    }
                    continue
                }
                if let flushed = channel.flushedCheckpoint { noteFlushed(key, checkpoint: flushed) }
            }
            for (key, sessionID) in watched where sessionID == session.sessionID && !held.contains(key) && inFlight[key] == nil {
                watched[key] = nil  // the node lost it (it failed there): watch again
            }
        }
        dispatch()
    }

    /// A flush of `key` reached `checkpoint`: persist it and truncate the channel below the previous flush's.
    func noteFlushed(_ key: ChannelKey, checkpoint: LogPosition) {
        guard var record = records[key.collection], key.shard < record.shards.count else { return }
        let previous = record.shards[key.shard].flushed
        if let previous, checkpoint <= previous { return }
        record.shards[key.shard].flushed = checkpoint
        do { try persist(record) } catch {
            logger.error("persisting a flushed checkpoint failed", ["channel": "\(key)", "error": "\(error)"])
            return
        }
        guard let previous, previous > .start, let logNode = logNodes.values.min(by: { $0.nodeID < $1.nodeID }) else { return }
        let channel = ChannelName(collection: key.collection.rawValue, shard: key.shard)
        let timeout = configuration.callTimeout
        let logger = self.logger
        Task {
            do {
                let address = try WireAddress(parsing: logNode.address)
                let state = try await self.transport.client(for: address).call(TruncateChannel(channel: channel, below: previous),
                                                                               options: CallOptions(timeout: timeout))
                logger.debug("channel truncation asked", ["channel": "\(key)", "below": previous.rawValue, "first": state.first.rawValue])
            } catch {
                logger.warn("channel truncation failed (the next flush retries it)", ["channel": "\(key)", "error": "\(error)"])
            }
        }
    }

    // MARK: Flush

    /// Flushes every shard of `id` through its owning data node; replies with the channel checkpoints.
    /// - Throws: `DataCoordError` (`collectionNotFound`, `noDataNode`), the data node's `WireError`.
    func flushCollection(_ id: CollectionID) async throws -> CollectionFlushed {
        if records[id] == nil || collections[id] == nil { await pollCatalog() }
        guard let record = records[id], collections[id] != nil else { throw DataCoordError.collectionNotFound(id) }
        let deadline = ContinuousClock.now + configuration.ownerWait
        var owners: [NodeSession] = []
        for shard in record.shards.indices {
            let key = ChannelKey(collection: id, shard: shard)
            while true {
                if let owner = records[id]?.shards[shard].owner, let session = dataNodes[owner], watched[key] == session.sessionID {
                    owners.append(session)
                    break
                }
                guard ContinuousClock.now < deadline else {
                    throw DataCoordError.noDataNode(id, shard: shard, dataNodes.isEmpty ? "no data node is live" : "the channel is not watched yet")
                }
                dispatch()
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let timeout = configuration.flushTimeout
        let transport = self.transport
        let flushed = try await withThrowingTaskGroup(of: ShardFlushed.self) { group in
            for (shard, session) in owners.enumerated() {
                group.addTask {
                    let address = try WireAddress(parsing: session.address)
                    return try await transport.client(for: address).call(FlushShard(ref: ShardRef(collection: id.rawValue, shard: shard)),
                                                                         options: CallOptions(timeout: timeout))
                }
            }
            var out: [ShardFlushed] = []
            for try await f in group { out.append(f) }
            return out.sorted { $0.ref.shard < $1.ref.shard }
        }
        for f in flushed { noteFlushed(ChannelKey(collection: id, shard: f.ref.shard), checkpoint: f.channelCheckpoint) }
        logger.info("collection flushed", ["collection": id.rawValue, "checkpoints": flushed.map { "\($0.channelCheckpoint.rawValue)" }.joined(separator: ",")])
        return CollectionFlushed(collectionID: id, checkpoints: flushed.map(\.channelCheckpoint))
    }
}
