import Foundation

/// The durable description of a shard's flushed state: which sealed segments exist, which of their rows are
/// superseded (deleted or replaced) and when, and the log position from which recovery replays. Replaced as
/// a whole by one atomic object-store put — the commit point of every flush and compaction.
///
/// ## Object `manifest` (inside the object store's checksummed envelope; little-endian)
///
/// | size      | field                                                           |
/// |-----------|-----------------------------------------------------------------|
/// | 8         | magic `"VNSHMANI"`                                              |
/// | 2         | format version: 2 (written), 1 (still read: no channel checkpoint)  |
/// | 6         | reserved, 0                                                     |
/// | 8         | checkpoint: log position of the first record not yet in segments |
/// | 8         | last write timestamp applied                                   |
/// | 8         | next segment id                                                 |
/// | 1 + 8     | version 2 only: channel checkpoint present (0/1), then the position (0 if absent) |
/// | 4 + s     | schema: length, `CollectionSchema.encode()`                      |
/// | 4         | index spec count `c`, then per spec 4 + length + `IndexSpec.encode()` |
/// | 4         | segment count, then per segment:                                 |
/// |   8       | segment id                                                      |
/// |   8       | row count                                                       |
/// |   4       | superseded row count `d`, then `d` × (4 row number, 8 timestamp) |
///
/// Segments are listed in increasing id order; row numbers strictly increase within a segment.
///
/// The **channel checkpoint** (version 2) is the position, in the log-node channel the shard was fed from
/// (`Shard.apply(_:timestamp:channelPosition:)`), of the first channel record not contained in the
/// segments: a loader consumes the channel from there. Absent when the shard was never fed from a channel.
struct ShardManifest: Equatable {
    struct SegmentEntry: Equatable {
        var id: SegmentID
        var rowCount: Int
        /// (row, superseded-at timestamp) for every row that is no longer the latest version of its key.
        var superseded: [(row: Int, timestamp: UInt64)]

        static func == (a: SegmentEntry, b: SegmentEntry) -> Bool {
            a.id == b.id && a.rowCount == b.rowCount && a.superseded.elementsEqual(b.superseded) { $0 == $1 }
        }

        /// Expands `superseded` into one timestamp per row (`UInt64.max` for live rows).
        var supersededAt: [UInt64] {
            var out = [UInt64](repeating: .max, count: rowCount)
            for (row, ts) in superseded { out[row] = ts }
            return out
        }
    }

    static let key = try! ObjectKey("manifest")
    static let magic = Array("VNSHMANI".utf8)
    static let formatVersion: UInt16 = 2

    var checkpoint: LogPosition
    var lastTimestamp: UInt64
    var nextSegmentID: SegmentID
    var channelCheckpoint: LogPosition?
    var schema: CollectionSchema
    var specs: [IndexSpec]
    var segments: [SegmentEntry]

    func encode() -> [UInt8] {
        var sink = ByteSink()
        sink.bytes.append(contentsOf: Self.magic)
        sink.u16(Self.formatVersion)
        sink.bytes.append(contentsOf: [0, 0, 0, 0, 0, 0])
        sink.u64(checkpoint.rawValue)
        sink.u64(lastTimestamp)
        sink.u64(nextSegmentID.rawValue)
        sink.bytes.append(channelCheckpoint == nil ? 0 : 1)
        sink.u64(channelCheckpoint?.rawValue ?? 0)
        let s = schema.encode()
        sink.count(s.count)
        sink.bytes.append(contentsOf: s)
        sink.count(specs.count)
        for spec in specs {
            let b = spec.encode()
            sink.count(b.count)
            sink.bytes.append(contentsOf: b)
        }
        sink.count(segments.count)
        for seg in segments {
            sink.u64(seg.id.rawValue)
            sink.u64(UInt64(seg.rowCount))
            sink.count(seg.superseded.count)
            for (row, ts) in seg.superseded {
                sink.u32(UInt32(row))
                sink.u64(ts)
            }
        }
        return sink.bytes
    }

    init(checkpoint: LogPosition, lastTimestamp: UInt64, nextSegmentID: SegmentID, channelCheckpoint: LogPosition? = nil,
         schema: CollectionSchema, specs: [IndexSpec], segments: [SegmentEntry]) {
        self.checkpoint = checkpoint
        self.channelCheckpoint = channelCheckpoint
        self.lastTimestamp = lastTimestamp
        self.nextSegmentID = nextSegmentID
        self.schema = schema
        self.specs = specs
        self.segments = segments
    }

    /// Decodes and validates a manifest; any inconsistency is `ShardError.corrupt`.
    init(decoding bytes: [UInt8]) throws(ShardError) {
        var src = ByteSource(bytes)
        do throws(DecodeFailure) {
            guard try src.array(of: UInt8.self, count: 8, "magic") == Self.magic else { throw DecodeFailure(reason: "bad magic") }
            let version = try src.u16("version")
            guard version == 1 || version == Self.formatVersion else {
                throw DecodeFailure(reason: "unknown format version \(version)")
            }
            _ = try src.array(of: UInt8.self, count: 6, "reserved")
            checkpoint = LogPosition(try src.u64("checkpoint"))
            lastTimestamp = try src.u64("last timestamp")
            nextSegmentID = SegmentID(try src.u64("next segment id"))
            if version >= 2 {
                let present = try src.array(of: UInt8.self, count: 1, "channel checkpoint flag")[0]
                let position = try src.u64("channel checkpoint")
                guard present <= 1 else { throw DecodeFailure(reason: "channel checkpoint flag \(present)") }
                channelCheckpoint = present == 1 ? LogPosition(position) : nil
            } else {
                channelCheckpoint = nil
            }
            let schemaLength = try src.count("schema length")
            let schemaBytes = try src.array(of: UInt8.self, count: schemaLength, "schema")
            do { schema = try CollectionSchema(decoding: schemaBytes) } catch { throw DecodeFailure(reason: "\(error)") }
            let specCount = try src.count("index spec count", minItemBytes: 4)
            var specs: [IndexSpec] = []
            for _ in 0..<specCount {
                let n = try src.count("index spec length")
                let b = try src.array(of: UInt8.self, count: n, "index spec")
                do { specs.append(try IndexSpec(decoding: b)) } catch { throw DecodeFailure(reason: "\(error)") }
            }
            self.specs = specs
            let segmentCount = try src.count("segment count", minItemBytes: 20)
            var segments: [SegmentEntry] = []
            for _ in 0..<segmentCount {
                let id = SegmentID(try src.u64("segment id"))
                let rows = try src.u64("row count")
                guard rows <= UInt64(UInt32.max) else { throw DecodeFailure(reason: "segment \(id) has \(rows) rows") }
                guard id < nextSegmentID, segments.last.map({ $0.id < id }) ?? true else {
                    throw DecodeFailure(reason: "segment ids out of order at \(id)")
                }
                let d = try src.count("superseded count", minItemBytes: 12)
                var superseded: [(row: Int, timestamp: UInt64)] = []
                superseded.reserveCapacity(d)
                for _ in 0..<d {
                    let row = Int(try src.u32("row"))
                    let ts = try src.u64("timestamp")
                    guard row < Int(rows), superseded.last.map({ $0.row < row }) ?? true else {
                        throw DecodeFailure(reason: "segment \(id): superseded row \(row) out of order or range")
                    }
                    superseded.append((row, ts))
                }
                segments.append(SegmentEntry(id: id, rowCount: Int(rows), superseded: superseded))
            }
            self.segments = segments
            guard src.isAtEnd else { throw DecodeFailure(reason: "\(src.remaining) trailing bytes") }
        } catch {
            throw .corrupt(what: "shard manifest", reason: error.reason)
        }
    }
}
