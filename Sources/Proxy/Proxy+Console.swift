import API
import Coordinator
import Node
import Wire

/// What the web console needs beyond Milvus's API (vecnode extensions, docs/console.md):
/// `cluster/describe` from the root coordinator's live sessions plus each query node's
/// `DescribeQueryNode`, and `collections/compact` sent to every replica of every shard.
extension Proxy {
    /// How long each query node gets to describe itself before it is reported as not answering.
    static let describeNodeTimeout: Duration = .seconds(1)

    public func describeCluster() async throws -> ClusterDescription {
        try await api {
            let deadline = deadline()
            let live = try await rootCoord.call(ListLiveNodes(), options: options(deadline)).sessions
            let now = ContinuousClock.now
            let known = sightings.update(live: live, now: now)
            let names = await collectionNames(deadline: deadline)
            // Ask every live query node what it hosts, in parallel, each bounded by describeNodeTimeout.
            let queryNodes = known.filter { $0.live && $0.key.role == .queryNode }
            let statuses = await withTaskGroup(of: (NodeID, Result<QueryNodeStatus, any Error>).self) { group in
                for node in queryNodes {
                    let address = node.sighting.address
                    group.addTask {
                        do {
                            let a = try WireAddress(parsing: address)
                            let status = try await self.transport.client(for: a).call(
                                DescribeQueryNode(), options: CallOptions(timeout: min(Self.describeNodeTimeout, max(.milliseconds(1), deadline - .now))))
                            return (node.key.nodeID, .success(status))
                        } catch { return (node.key.nodeID, .failure(error)) }
                    }
                }
                var out: [NodeID: Result<QueryNodeStatus, any Error>] = [:]
                for await (id, r) in group { out[id] = r }
                return out
            }
            var nodes: [ClusterNodeInfo] = []
            for node in known {
                let isSelf = node.key.role == .proxy && node.key.nodeID.rawValue == configuration.nodeID
                let observed = now - node.sighting.firstSeen
                var info = ClusterNodeInfo(
                    role: node.key.role.description, nodeID: node.key.nodeID.rawValue, address: node.sighting.address, healthy: node.live,
                    uptimeSeconds: isSelf ? Self.seconds(now - startedAt) : (node.live ? Self.seconds(observed) : nil),
                    uptimeIsObserved: !isSelf && node.live,
                    message: node.live ? "" : "no live session (last seen \(Int(Self.seconds(now - node.sighting.lastSeen)))s ago)")
                if node.key.role == .queryNode, node.live {
                    switch statuses[node.key.nodeID] {
                    case .success(let status)?:
                        info.searches = Int64(clamping: status.searches)
                        info.replicas = status.replicas.map { r in
                            HostedReplicaInfo(collectionID: r.ref.collection, collectionName: names[r.ref.collection] ?? "", shard: r.ref.shard,
                                              replicaID: Int64(r.replica), rowCount: Int64(r.liveRows), sealedSegments: r.sealedSegments,
                                              growingRows: Int64(r.growingRows), lastError: r.lastError)
                        }
                    case .failure(let error)?:
                        info.healthy = false
                        info.message = "does not answer: \(error)"
                    case nil:
                        break
                    }
                }
                nodes.append(info)
            }
            nodes.sort { a, b in
                if a.healthy != b.healthy { return a.healthy }
                if a.role != b.role { return Self.roleOrder(a.role) < Self.roleOrder(b.role) }
                return a.nodeID < b.nodeID
            }
            return ClusterDescription(state: await health().clusterState, nodes: nodes)
        }
    }

    public func compact(db: String, name: String) async throws {
        try await api {
            let deadline = ContinuousClock.now + configuration.loadTimeout
            let info = try await collection(db: db, name: name, deadline: deadline)
            try await callEveryReplica(info, deadline: deadline) { CompactShard(ref: $0) }
        }
    }

    /// Collection id → name for the default database (best effort: a failure leaves names empty).
    func collectionNames(deadline: ContinuousClock.Instant) async -> [Int64: String] {
        guard let list = try? await rootCoord.call(ListCollections(), options: options(deadline)) else { return [:] }
        var out: [Int64: String] = [:]
        for name in list.names.prefix(1000) {
            if let info = try? await collection(db: Catalog.defaultDatabase, name: name, deadline: deadline) { out[info.id.rawValue] = name }
        }
        return out
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Coordinators first, then proxies, then workers (the order of `scripts/cluster.sh status`).
    static func roleOrder(_ role: String) -> Int {
        ["rootcoord", "datacoord", "querycoord", "indexcoord", "proxy", "lognode", "querynode", "datanode", "indexnode", "gateway"]
            .firstIndex(of: role) ?? 99
    }
}
