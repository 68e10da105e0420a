import Coordinator
import Wire

/// Who serves one shard of one replica.
struct ShardAssignment: Sendable, Equatable {
    /// The node meant to serve the shard; nil while the group has no node for it (the replica is unhealthy).
    var node: NodeID?
    /// The node that served the shard before it was moved to `node`. It keeps serving (and stays in the
    /// routes) until `node` has loaded the shard; then it is cleared and the old copy released.
    var previous: NodeID?

    init(node: NodeID? = nil, previous: NodeID? = nil) {
        self.node = node
        self.previous = previous
    }
}

/// One replica group: a set of query nodes (distinct from every other group's of the collection) holding
/// exactly one copy of every shard between them.
struct ReplicaGroup: Sendable, Equatable {
    /// Unique within the collection, from 1; a group keeps its id for its whole life.
    var replicaID: Int
    /// The group's nodes, in the order they joined.
    var nodes: [NodeID]
    /// `shards[s]` serves shard `s`.
    var shards: [ShardAssignment]
}

/// The durable record of one loaded collection: what the query coordinator persists, reloads after a
/// restart, and derives routes from. The placement rules are in `CollectionPlacement+Planning.swift`.
///
/// Meta-store key `querycoord/collection/<id, 20 digits>`; value (wire body codec, little-endian):
///
/// | field | encoding |
/// | --- | --- |
/// | format version | u8, 1 |
/// | collection | bytes: `CollectionInfo` encoding (what `LoadShardReplica` carries) |
/// | replica number | u32, 1…64, equal to the group count |
/// | loaded | bool: every replica has served once (the load completed) |
/// | groups | array of: replica id u32, nodes (array of i64), shards (array of node optional i64, previous optional i64) |
///
/// Decoding checks the invariants (shard count, distinct replica ids, distinct nodes across groups, every
/// assigned node a member of its group), so a damaged record is reported, never acted on.
struct CollectionPlacement: Sendable, Equatable {
    var collection: CollectionInfo
    var replicaNumber: Int
    var loaded: Bool
    var groups: [ReplicaGroup]

    static let formatVersion: UInt8 = 1
    static let keyPrefix = "querycoord/collection/"
    /// Most replicas (`LoadCollection` accepts 1…64).
    static let maxReplicas = 64

    static func key(_ id: CollectionID) -> String {
        let digits = String(id.rawValue)
        return keyPrefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    var id: CollectionID { collection.id }
    var shardsNum: Int { collection.shardsNum }

    func encoded() -> [UInt8] {
        var w = WireWriter()
        w.writeUInt8(Self.formatVersion)
        var c = WireWriter()
        collection.encode(into: &c)
        w.writeBytes(c.bytes)
        w.writeUInt32(UInt32(replicaNumber))
        w.writeBool(loaded)
        w.writeArray(groups) { w, g in
            w.writeUInt32(UInt32(g.replicaID))
            w.writeArray(g.nodes)
            w.writeArray(g.shards) { w, a in
                w.writeOptional(a.node)
                w.writeOptional(a.previous)
            }
        }
        return w.bytes
    }

    init(collection: CollectionInfo, replicaNumber: Int, loaded: Bool, groups: [ReplicaGroup]) {
        self.collection = collection
        self.replicaNumber = replicaNumber
        self.loaded = loaded
        self.groups = groups
    }

    /// Decodes and validates a stored record.
    init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var r = WireReader(bytes)
        let version = try r.readUInt8()
        guard version == Self.formatVersion else { throw .invalidValue("placement record version \(version)") }
        var c = WireReader(try r.readBytes(limit: 64 << 20))
        collection = try CollectionInfo(from: &c)
        try c.finish()
        replicaNumber = Int(try r.readUInt32())
        loaded = try r.readBool()
        let shardsNum = collection.shardsNum
        groups = try r.readArray(maxCount: Self.maxReplicas) { (r: inout WireReader) throws(WireDecodingError) -> ReplicaGroup in
            let id = Int(try r.readUInt32())
            let nodes = try r.readArray(of: NodeID.self, maxCount: 4096)
            let shards = try r.readArray(maxCount: 1024) { (r: inout WireReader) throws(WireDecodingError) -> ShardAssignment in
                ShardAssignment(node: try r.readOptional(NodeID.self), previous: try r.readOptional(NodeID.self))
            }
            guard shards.count == shardsNum else {
                throw .invalidValue("replica \(id) has \(shards.count) shards, the collection \(shardsNum)")
            }
            return ReplicaGroup(replicaID: id, nodes: nodes, shards: shards)
        }
        try r.finish()
        guard (1...Self.maxReplicas).contains(replicaNumber), groups.count == replicaNumber else {
            throw .invalidValue("replica number \(replicaNumber) with \(groups.count) groups")
        }
        guard Set(groups.map(\.replicaID)).count == groups.count else { throw .invalidValue("duplicate replica ids") }
        let allNodes = groups.flatMap(\.nodes)
        guard Set(allNodes).count == allNodes.count else { throw .invalidValue("a node is in two replica groups") }
        for g in groups {
            let members = Set(g.nodes)
            for a in g.shards {
                if let n = a.node, !members.contains(n) {
                    throw .invalidValue("replica \(g.replicaID) assigns a shard to \(n), not in the group")
                }
            }
        }
    }

    /// Every (node, shard) that should hold a copy: each assignment's node and, while a move is in progress,
    /// its previous node. A node in two groups' lists for one shard (a node that changed group mid-move) holds
    /// one copy, so this is a set.
    var desiredHosts: Set<NodeShard> {
        var hosts = Set<NodeShard>()
        for g in groups {
            for (s, a) in g.shards.enumerated() {
                if let n = a.node { hosts.insert(NodeShard(node: n, shard: s)) }
                if let p = a.previous { hosts.insert(NodeShard(node: p, shard: s)) }
            }
        }
        return hosts
    }

    /// The replica id a node holds `shard` for (its own group's assignment first, else a group it is the
    /// previous holder in).
    func replicaID(of node: NodeID, shard: Int) -> Int? {
        groups.first { $0.shards[shard].node == node }?.replicaID
            ?? groups.first { $0.shards[shard].previous == node }?.replicaID
    }
}

/// A shard of the collection at hand on one node.
struct NodeShard: Hashable, Sendable {
    var node: NodeID
    var shard: Int
}
