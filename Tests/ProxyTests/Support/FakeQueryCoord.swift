import Coordinator
import Node
import Wire

/// A test stand-in for the query coordinator: places replica `r` of shard `s` on node `(r + s) % nodes`
/// (distinct nodes per shard while replicas ≤ nodes), loads them with `LoadShardReplica`, and answers
/// routes.
actor FakeQueryCoord {
    private let network: InMemoryNetwork
    private let rootCoord: WireAddress
    private let logNode: WireAddress
    private let nodes: [(id: NodeID, address: WireAddress)]
    private var loaded: [CollectionID: CollectionRoutes] = [:]

    init(network: InMemoryNetwork, rootCoord: WireAddress, logNode: WireAddress, nodes: [(id: NodeID, address: WireAddress)]) {
        self.network = network
        self.rootCoord = rootCoord
        self.logNode = logNode
        self.nodes = nodes
    }

    nonisolated func router() -> WireRouter {
        var r = WireRouter()
        r.on(LoadCollection.self) { req, _ in
            try await self.load(req)
            return WireEmpty()
        }
        r.on(ReleaseCollection.self) { req, _ in
            await self.release(req.collectionID)
            return WireEmpty()
        }
        r.on(GetCollectionRoutes.self) { req, _ in await self.routes(req.collectionID) }
        return r
    }

    private func load(_ req: LoadCollection) async throws {
        guard req.replicaNumber <= nodes.count else {
            throw WireError(.invalidArgument, "\(req.replicaNumber) replicas need as many query nodes; \(nodes.count) are live")
        }
        let info = try await network.client(for: rootCoord).call(DescribeCollection(req.collection))
        var replicas: [ReplicaRoute] = []
        for r in 0..<req.replicaNumber {
            var shards: [ShardRoute] = []
            var used: [NodeID] = []
            for s in 0..<info.shardsNum {
                let node = nodes[(r + s) % nodes.count]
                _ = try await network.client(for: node.address).call(
                    LoadShardReplica(collection: info, shard: s, replica: r, logNode: logNode.description))
                shards.append(ShardRoute(shard: s, nodeID: node.id, address: node.address.description))
                if !used.contains(node.id) { used.append(node.id) }
            }
            replicas.append(ReplicaRoute(replicaID: r + 1, nodes: used, shards: shards, healthy: true))
        }
        loaded[info.id] = CollectionRoutes(collectionID: info.id, state: .loaded, progress: 100, replicas: replicas)
    }

    private func release(_ id: CollectionID) async {
        guard let routes = loaded.removeValue(forKey: id) else { return }
        for replica in routes.replicas {
            for s in replica.shards {
                guard let address = try? WireAddress(parsing: s.address) else { continue }
                _ = try? await network.client(for: address).call(ReleaseShardReplica(ref: ShardRef(collection: id.rawValue, shard: s.shard)))
            }
        }
    }

    private func routes(_ id: CollectionID) -> CollectionRoutes {
        loaded[id] ?? CollectionRoutes(collectionID: id, state: .notLoaded, progress: 0, replicas: [])
    }
}
