import Coordinator
import Shard
import Wire

/// One flushed segment the index coordinator tracks: which shard it belongs to, where its build stands, and
/// how many attempts it took. Kept in the coordinator's meta store under `key`, rewritten on every change of
/// state, so a restarted coordinator knows what is finished and what to (re)dispatch.
///
/// ## Record value (little-endian, `WireWriter` primitives)
///
/// | size  | field                                                              |
/// |-------|--------------------------------------------------------------------|
/// | 1     | format version, 1                                                  |
/// | 8     | collection id                                                      |
/// | 4     | shard (≤ 65535)                                                    |
/// | 8     | segment id                                                         |
/// | 8     | rows                                                               |
/// | 1     | state (`SegmentIndexState` raw value)                              |
/// | 1 (+8)| node present, then its id                                          |
/// | 4     | attempts                                                           |
/// | 8     | build milliseconds                                                 |
/// | 4 + s | last error (UTF-8, ≤ 4096 bytes)                                   |
struct SegmentBuildRecord: Equatable, Sendable {
    /// Identifies a segment in object storage.
    struct Key: Hashable, Comparable, Sendable {
        var collection: CollectionID
        var shard: Int
        var segment: UInt64

        static func < (a: Key, b: Key) -> Bool {
            (a.collection, a.shard, a.segment) < (b.collection, b.shard, b.segment)
        }

        /// `indexcoord/build/<collection, 20 digits>/<shard, 5 digits>/<segment, 16 hex>`.
        var metaKey: String {
            let c = String(collection.rawValue), s = String(shard)
            return SegmentBuildRecord.keyPrefix + String(repeating: "0", count: max(0, 20 - c.count)) + c + "/"
                + String(repeating: "0", count: max(0, 5 - s.count)) + s + "/" + SegmentID(segment).description
        }
    }

    static let keyPrefix = "indexcoord/build/"
    static let formatVersion: UInt8 = 1

    var key: Key
    var rows: Int
    var state: SegmentIndexState
    var node: NodeID?
    var attempts: Int
    var buildMilliseconds: Int
    var lastError: String

    init(key: Key, rows: Int, state: SegmentIndexState = .pending) {
        self.key = key
        self.rows = rows
        self.state = state
        attempts = 0
        buildMilliseconds = 0
        lastError = ""
    }

    var status: SegmentIndexBuildStatus {
        SegmentIndexBuildStatus(shard: key.shard, segmentID: key.segment, rows: rows, state: state, node: node,
                                attempts: attempts, buildMilliseconds: buildMilliseconds, lastError: lastError)
    }

    func encoded() -> [UInt8] {
        var w = WireWriter()
        w.writeUInt8(Self.formatVersion)
        key.collection.encode(into: &w)
        w.writeUInt32(UInt32(key.shard))
        w.writeUInt64(key.segment)
        w.writeUInt64(UInt64(rows))
        state.encode(into: &w)
        w.writeOptional(node)
        w.writeUInt32(UInt32(clamping: attempts))
        w.writeUInt64(UInt64(buildMilliseconds))
        w.writeString(Self.truncated(lastError))
        return w.bytes
    }

    /// At most 1,000 Unicode scalars (≤ 4,000 bytes of UTF-8), what the decoder and the wire accept.
    static func truncated(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.prefix(1_000)))
    }

    /// Decodes a stored record.
    /// - Throws: `WireDecodingError` for a damaged or foreign value.
    init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var r = WireReader(bytes)
        let version = try r.readUInt8()
        guard version == Self.formatVersion else { throw .invalidValue("build record format version \(version)") }
        let collection = try CollectionID(from: &r)
        let shard = try r.readUInt32()
        guard collection.rawValue >= 0, shard <= 65_535 else { throw .invalidValue("collection \(collection.rawValue) shard \(shard)") }
        key = Key(collection: collection, shard: Int(shard), segment: try r.readUInt64())
        rows = Int(clamping: try r.readUInt64())
        state = try SegmentIndexState(from: &r)
        node = try r.readOptional(NodeID.self)
        attempts = Int(try r.readUInt32())
        buildMilliseconds = Int(clamping: try r.readUInt64())
        lastError = try r.readString(limit: 4_096)
        try r.finish()
    }
}
