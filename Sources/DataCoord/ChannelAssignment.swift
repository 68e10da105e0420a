import Coordinator
import Shard

/// One shard channel of one collection.
public struct ChannelKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var collection: CollectionID
    public var shard: Int
    public init(collection: CollectionID, shard: Int) {
        self.collection = collection
        self.shard = shard
    }
    public static func < (a: ChannelKey, b: ChannelKey) -> Bool { (a.collection, a.shard) < (b.collection, b.shard) }
    public var description: String { "c\(collection.rawValue)-s\(shard)" }
}

/// The data coordinator's assignment rules — which data node owns which channel — as a pure function,
/// tested without sockets:
/// 1. A channel whose owner is live keeps it (a move means a handoff: the old owner stops, the new one
///    reloads the shard from the object store).
/// 2. Every other channel (new, or its owner died), in key order, goes to the live node owning the fewest
///    channels (ties: the lowest node id).
/// 3. Then, while the most loaded node owns two or more channels than the least loaded, its highest channel
///    moves to the least loaded (ties: most loaded = highest id, least loaded = lowest id). So counts differ
///    by at most one; a node that joins takes channels from the others.
/// With no live node every channel is unassigned.
enum ChannelAssignment {
    static func plan(channels: [ChannelKey], current: [ChannelKey: NodeID], live: Set<NodeID>) -> [ChannelKey: NodeID] {
        guard !live.isEmpty else { return [:] }
        var owner: [ChannelKey: NodeID] = [:]
        var load: [NodeID: [ChannelKey]] = Dictionary(uniqueKeysWithValues: live.map { ($0, []) })
        let sorted = channels.sorted()
        var orphans: [ChannelKey] = []
        for key in sorted {
            if let node = current[key], live.contains(node) {
                owner[key] = node
                load[node, default: []].append(key)
            } else {
                orphans.append(key)
            }
        }
        func leastLoaded() -> NodeID {
            load.min { ($0.value.count, $0.key) < ($1.value.count, $1.key) }!.key
        }
        for key in orphans {
            let node = leastLoaded()
            owner[key] = node
            load[node]!.append(key)
        }
        while true {
            let most = load.max { ($0.value.count, $0.key) < ($1.value.count, $1.key) }!
            let least = leastLoaded()
            guard most.value.count - load[least]!.count > 1 else { break }
            let moved = most.value.max()!
            load[most.key]!.removeAll { $0 == moved }
            load[least]!.append(moved)
            owner[moved] = least
        }
        return owner
    }
}

/// The durable record of one collection's channels in the data coordinator's meta store:
/// `datacoord/collection/<id, 20 digits>` →
///
/// | size | field |
/// | --- | --- |
/// | 1 | format version, 1 |
/// | 8 | collection id |
/// | 4 | shard count `n` (1…1024) |
/// | n × 16 | per shard: owner node id (i64, 0 = unassigned), last flushed channel checkpoint (u64, all ones = none) |
///
/// Little-endian. The collection's schema is not kept: it is read from the root coordinator's catalog.
struct CollectionChannels: Equatable, Sendable {
    struct Shard: Equatable, Sendable {
        var owner: NodeID?
        var flushed: LogPosition?
    }

    static let keyPrefix = "datacoord/collection/"
    static func key(_ id: CollectionID) -> String {
        let digits = String(id.rawValue)
        return keyPrefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    var id: CollectionID
    var shards: [Shard]

    func encode() -> [UInt8] {
        var out: [UInt8] = [1]
        func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        append(id.rawValue)
        append(UInt32(shards.count))
        for s in shards {
            append(s.owner?.rawValue ?? 0)
            append(s.flushed?.rawValue ?? UInt64.max)
        }
        return out
    }

    /// Decodes a record; anything malformed is `DataCoordError.corruptState`.
    init(decoding bytes: [UInt8], key: String) throws(DataCoordError) {
        func fail(_ why: String) -> DataCoordError { .corruptState(key: key, reason: why) }
        guard bytes.count >= 13 else { throw fail("\(bytes.count) bytes, shorter than the header") }
        guard bytes[0] == 1 else { throw fail("unknown format version \(bytes[0])") }
        func read<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
            var v: T = 0
            withUnsafeMutableBytes(of: &v) { $0.copyBytes(from: bytes[offset..<(offset + MemoryLayout<T>.size)]) }
            return T(littleEndian: v)
        }
        id = CollectionID(read(Int64.self, at: 1))
        let n = Int(read(UInt32.self, at: 9))
        guard (1...1024).contains(n) else { throw fail("shard count \(n) not in 1...1024") }
        guard bytes.count == 13 + n * 16 else { throw fail("\(bytes.count) bytes for \(n) shards (expected \(13 + n * 16))") }
        var shards: [Shard] = []
        for i in 0..<n {
            let owner = read(Int64.self, at: 13 + i * 16)
            let flushed = read(UInt64.self, at: 21 + i * 16)
            shards.append(Shard(owner: owner == 0 ? nil : NodeID(owner), flushed: flushed == UInt64.max ? nil : LogPosition(flushed)))
        }
        self.shards = shards
        guard Self.key(id) == key else { throw fail("holds collection \(id.rawValue)") }
    }

    init(id: CollectionID, shardsNum: Int) {
        self.id = id
        shards = Array(repeating: Shard(owner: nil, flushed: nil), count: shardsNum)
    }
}
