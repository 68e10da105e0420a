import Coordinator
import Node
import Wire

// Turning placements into work on query nodes: loads of missing copies, releases of unwanted ones, and the
// periodic status refresh.
extension QueryCoord {
    /// Starts `LoadShardReplica` for every wanted copy not served, not in flight and not failed within
    /// `retryInterval`; releases served copies no longer wanted. First settles what is already true: moves
    /// whose new node serves the shard are complete, a collection whose copies all serve is loaded.
    func dispatch() {
        guard membershipKnown else { return }
        for id in placements.keys.sorted() { settle(id) }
        let now = ContinuousClock.now
        let logNode = logNodes.values.min { $0.nodeID < $1.nodeID }
        var wanted = Set<HostKey>()
        for placement in placements.values {
            let copies = serving[placement.id] ?? []
            for host in placement.desiredHosts {
                let key = HostKey(collection: placement.id, host: host)
                wanted.insert(key)
                guard !copies.contains(host), inFlight[key] == nil, let session = queryNodes[host.node] else { continue }
                if let failure = failures[key], now - failure.at < configuration.retryInterval { continue }
                guard let logNode else {
                    failures[key] = LoadFailure(error: QueryCoordError.noLogNode.wireError, at: now)
                    continue
                }
                startLoad(key, placement: placement, session: session, logNode: logNode.address)
            }
        }
        for (id, copies) in serving {
            for host in copies where !wanted.contains(HostKey(collection: id, host: host)) {
                serving[id]?.remove(host)
                release(HostKey(collection: id, host: host))
            }
            if serving[id]?.isEmpty == true { serving[id] = nil }
        }
    }

    private func startLoad(_ key: HostKey, placement: CollectionPlacement, session: NodeSession, logNode: String) {
        let request = LoadShardReplica(
            collection: placement.collection, shard: key.host.shard,
            replica: placement.replicaID(of: key.host.node, shard: key.host.shard) ?? 0, logNode: logNode)
        let options = CallOptions(timeout: configuration.replicaLoadTimeout)
        let transport = self.transport
        let sessionID = session.sessionID
        let address = session.address
        let task = Task { [weak self] in
            let result: Result<ShardReplicaStatus, WireError>
            do throws(WireError) {
                let client = transport.client(for: try WireAddress(parsing: address))
                result = .success(try await client.call(request, options: options))
            } catch {
                result = .failure(error)
            }
            await self?.loadFinished(key, session: sessionID, result: result)
        }
        inFlight[key] = InFlightLoad(session: sessionID, task: task)
        logger.debug("loading shard replica", ["collection": key.collection.rawValue, "shard": key.host.shard,
                                               "node": key.host.node.rawValue, "replica": request.replica])
    }

    /// Records a load's outcome. A success from the node's current session makes the copy serving; the
    /// `dispatch` that follows completes a move to it (releasing the previous copy) and may complete the
    /// collection's first load.
    func loadFinished(_ key: HostKey, session: SessionID, result: Result<ShardReplicaStatus, WireError>) {
        if inFlight[key]?.session == session { inFlight[key] = nil }
        guard queryNodes[key.host.node]?.sessionID == session else { return }  // the node restarted or died
        switch result {
        case .failure(let error):
            failures[key] = LoadFailure(error: error, at: .now)
            logger.warn("shard replica load failed", ["collection": key.collection.rawValue, "shard": key.host.shard,
                                                      "node": key.host.node.rawValue, "error": "\(error)"])
        case .success(let status):
            failures[key] = nil
            shardRows[key.ref] = status.liveRows
            guard placements[key.collection] != nil else {
                release(key)  // released while loading
                return
            }
            serving[key.collection, default: []].insert(key.host)
            dispatch()
            checkHeals()
        }
    }

    /// Completes moves whose new node serves the shard (the previous copy is then released by `dispatch`)
    /// and marks the collection loaded once every copy serves; persists if anything changed.
    private func settle(_ id: CollectionID) {
        guard var placement = placements[id] else { return }
        let copies = serving[id] ?? []
        var changed = false
        for g in placement.groups.indices {
            for s in placement.groups[g].shards.indices {
                let a = placement.groups[g].shards[s]
                if let n = a.node, a.previous != nil, copies.contains(NodeShard(node: n, shard: s)) {
                    placement.groups[g].shards[s].previous = nil
                    changed = true
                }
            }
        }
        if !placement.loaded, fullyServing(placement) {
            placement.loaded = true
            changed = true
        }
        if changed { adopt(placement) }
    }

    /// Sends `ReleaseShardReplica` for a copy (best effort: a dead node has nothing to release).
    func release(_ key: HostKey) {
        guard let session = queryNodes[key.host.node] else { return }
        let options = CallOptions(timeout: configuration.callTimeout)
        let transport = self.transport
        let logger = self.logger
        let ref = key.ref
        Task {
            do {
                let client = transport.client(for: try WireAddress(parsing: session.address))
                _ = try await client.call(ReleaseShardReplica(ref: ref), options: options)
                logger.debug("released shard replica", ["node": session.nodeID.rawValue, "ref": "\(ref)"])
            } catch {
                logger.warn("release of a shard replica failed", ["node": session.nodeID.rawValue, "ref": "\(ref)",
                                                                  "error": "\(error)"])
            }
        }
    }

    /// Periodic work: refresh node statuses (shard sizes for placement; copies nobody wants are released,
    /// e.g. left over from before a restart of this coordinator), retry failed loads.
    func maintain() async {
        guard membershipKnown else { return }
        let nodes = Array(queryNodes.values)
        let transport = self.transport
        let options = CallOptions(timeout: min(configuration.callTimeout, configuration.maintenanceInterval))
        let statuses = await withTaskGroup(of: (NodeSession, QueryNodeStatus?).self) { group in
            for session in nodes {
                group.addTask {
                    do {
                        let client = transport.client(for: try WireAddress(parsing: session.address))
                        return (session, try await client.call(DescribeQueryNode(), options: options))
                    } catch {
                        return (session, nil)
                    }
                }
            }
            var all: [(NodeSession, QueryNodeStatus?)] = []
            for await item in group { all.append(item) }
            return all
        }
        var wanted = Set<HostKey>()
        for placement in placements.values {
            for host in placement.desiredHosts { wanted.insert(HostKey(collection: placement.id, host: host)) }
        }
        for (session, status) in statuses {
            guard let status, queryNodes[session.nodeID]?.sessionID == session.sessionID else { continue }
            for replica in status.replicas {
                let key = HostKey(
                    collection: CollectionID(replica.ref.collection),
                    host: NodeShard(node: session.nodeID, shard: replica.ref.shard))
                if wanted.contains(key) {
                    shardRows[replica.ref] = replica.liveRows
                } else if inFlight[key] == nil {
                    logger.info("releasing a replica no collection wants", ["node": session.nodeID.rawValue,
                                                                             "ref": "\(replica.ref)"])
                    serving[key.collection]?.remove(key.host)
                    release(key)
                }
            }
        }
        placementChanged()
    }
}
