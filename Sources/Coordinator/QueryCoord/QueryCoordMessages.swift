import Wire

// Calls served by the query coordinator (kinds 0x0301…0x03FF; docs/cluster.md has the table).

/// Loads a collection as `replicaNumber` replica groups on distinct query nodes and replies when every
/// shard of every replica is serving (or fails with a clear error: unknown collection, fewer live query
/// nodes than replicas, a node failing to load). Loading a loaded collection with another replica number
/// changes the number of replicas.
public struct LoadCollection: WireRequest, Equatable {
    public static let kind = MessageKind(0x0301)
    public typealias Response = WireEmpty
    public var collection: CollectionRef
    public var replicaNumber: Int
    public init(collection: CollectionRef, replicaNumber: Int) {
        self.collection = collection
        self.replicaNumber = replicaNumber
    }
    public func encode(into w: inout WireWriter) {
        collection.encode(into: &w)
        w.writeUInt32(UInt32(replicaNumber))
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collection = try CollectionRef(from: &r)
        replicaNumber = Int(try r.readUInt32())
        guard (1...64).contains(replicaNumber) else { throw .invalidValue("replica number \(replicaNumber) not in 1...64") }
    }
}

/// Releases every replica of a collection (by id, so it also works after the collection was dropped).
/// Idempotent.
public struct ReleaseCollection: WireRequest, Equatable {
    public static let kind = MessageKind(0x0302)
    public typealias Response = WireEmpty
    public var collectionID: CollectionID
    public init(collectionID: CollectionID) { self.collectionID = collectionID }
    public func encode(into w: inout WireWriter) { collectionID.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { collectionID = try CollectionID(from: &r) }
}

/// Where a collection's replicas are served: what the proxy routes searches by, and what
/// `describe replicas` shows. A collection that is not loaded has no replicas and state `.notLoaded`.
public struct GetCollectionRoutes: WireRequest, Equatable {
    public static let kind = MessageKind(0x0303)
    public typealias Response = CollectionRoutes
    public var collectionID: CollectionID
    public init(collectionID: CollectionID) { self.collectionID = collectionID }
    public func encode(into w: inout WireWriter) { collectionID.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { collectionID = try CollectionID(from: &r) }
}

/// Milvus's load states.
public enum LoadState: UInt8, Sendable, Equatable, CustomStringConvertible, WireCodable {
    case notLoaded = 0
    case loading = 1
    case loaded = 2

    /// Milvus's REST names: `LoadStateNotLoad`, `LoadStateLoading`, `LoadStateLoaded`.
    public var description: String {
        switch self {
        case .notLoaded: "LoadStateNotLoad"
        case .loading: "LoadStateLoading"
        case .loaded: "LoadStateLoaded"
        }
    }
    public func encode(into w: inout WireWriter) { w.writeUInt8(rawValue) }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        let v = try r.readUInt8()
        guard let s = LoadState(rawValue: v) else { throw .invalidValue("load state \(v)") }
        self = s
    }
}

/// One shard of one replica: the node serving it.
public struct ShardRoute: Sendable, Equatable, WireCodable {
    public var shard: Int
    public var nodeID: NodeID
    /// The node's protocol address `HOST:PORT`.
    public var address: String
    public init(shard: Int, nodeID: NodeID, address: String) {
        self.shard = shard
        self.nodeID = nodeID
        self.address = address
    }
    public func encode(into w: inout WireWriter) {
        w.writeUInt32(UInt32(shard))
        nodeID.encode(into: &w)
        w.writeString(address)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        shard = Int(try r.readUInt32())
        nodeID = try NodeID(from: &r)
        address = try r.readString(limit: 300)
    }
}

/// One replica group: its query nodes and, per shard, the node serving it. `healthy` is false while a
/// shard has no live node (it is being moved).
public struct ReplicaRoute: Sendable, Equatable, WireCodable {
    public var replicaID: Int
    public var nodes: [NodeID]
    public var shards: [ShardRoute]
    public var healthy: Bool
    public init(replicaID: Int, nodes: [NodeID], shards: [ShardRoute], healthy: Bool) {
        self.replicaID = replicaID
        self.nodes = nodes
        self.shards = shards
        self.healthy = healthy
    }
    public func encode(into w: inout WireWriter) {
        w.writeUInt32(UInt32(replicaID))
        w.writeArray(nodes)
        w.writeArray(shards)
        w.writeBool(healthy)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        replicaID = Int(try r.readUInt32())
        nodes = try r.readArray(of: NodeID.self, maxCount: 4096)
        shards = try r.readArray(of: ShardRoute.self, maxCount: 1024)
        healthy = try r.readBool()
    }
}

/// A collection's load state and replica routes.
public struct CollectionRoutes: Sendable, Equatable, WireCodable {
    public var collectionID: CollectionID
    public var state: LoadState
    /// Loading progress 0…100.
    public var progress: Int
    public var replicas: [ReplicaRoute]
    public init(collectionID: CollectionID, state: LoadState, progress: Int, replicas: [ReplicaRoute]) {
        self.collectionID = collectionID
        self.state = state
        self.progress = progress
        self.replicas = replicas
    }
    public func encode(into w: inout WireWriter) {
        collectionID.encode(into: &w)
        state.encode(into: &w)
        w.writeUInt8(UInt8(clamping: progress))
        w.writeArray(replicas)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collectionID = try CollectionID(from: &r)
        state = try LoadState(from: &r)
        progress = Int(try r.readUInt8())
        replicas = try r.readArray(of: ReplicaRoute.self, maxCount: 64)
    }
}

/// Takes a query node out of service without a gap: the query coordinator marks it as leaving (durably, until
/// its session ends), places no new copy on it, moves every copy it serves to other nodes of its replica group
/// (the old copy serves until the new one has loaded) and replies once the node serves nothing, or after
/// `waitMilliseconds` with the progress so far (draining goes on). Refused (`drainRefused`) when a loaded
/// collection would be left fewer distinct query nodes than its replica number. Calling it again for a
/// draining node just waits again.
public struct DrainQueryNode: WireRequest, Equatable {
    public static let kind = MessageKind(0x0304)
    public typealias Response = QueryNodeDrainStatus
    /// Longest accepted wait (10 min).
    public static let maxWaitMilliseconds: UInt32 = 600_000
    public var nodeID: NodeID
    /// How long the reply may wait for the node to serve nothing (0: mark it and reply at once).
    public var waitMilliseconds: UInt32
    public init(nodeID: NodeID, waitMilliseconds: UInt32) {
        self.nodeID = nodeID
        self.waitMilliseconds = waitMilliseconds
    }
    public func encode(into w: inout WireWriter) {
        nodeID.encode(into: &w)
        w.writeUInt32(waitMilliseconds)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        nodeID = try NodeID(from: &r)
        waitMilliseconds = try r.readUInt32()
        guard waitMilliseconds <= Self.maxWaitMilliseconds else {
            throw .invalidValue("drain wait \(waitMilliseconds) ms is over \(Self.maxWaitMilliseconds) ms")
        }
    }
}

/// Progress of a drain: whether the node serves nothing yet, and how many shard copies it still serves or is
/// still assigned (over every collection).
public struct QueryNodeDrainStatus: Sendable, Equatable, WireCodable {
    public var nodeID: NodeID
    /// True once no placement wants a copy on the node and the node reports holding none.
    public var drained: Bool
    /// Copies the node still serves or is assigned when the reply was sent.
    public var remainingCopies: Int
    /// Copies it served or was assigned when this call began.
    public var initialCopies: Int
    public init(nodeID: NodeID, drained: Bool, remainingCopies: Int, initialCopies: Int) {
        self.nodeID = nodeID
        self.drained = drained
        self.remainingCopies = remainingCopies
        self.initialCopies = initialCopies
    }
    public func encode(into w: inout WireWriter) {
        nodeID.encode(into: &w)
        w.writeBool(drained)
        w.writeUInt32(UInt32(clamping: remainingCopies))
        w.writeUInt32(UInt32(clamping: initialCopies))
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        nodeID = try NodeID(from: &r)
        drained = try r.readBool()
        remainingCopies = Int(try r.readUInt32())
        initialCopies = Int(try r.readUInt32())
    }
}
