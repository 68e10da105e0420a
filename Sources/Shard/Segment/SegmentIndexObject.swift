import Foundation
import VecCore

/// The object an index node writes for one vector field of one flushed segment, `segments/<id>/built-index-<f>`
/// (`f`: the field's schema position): the index's own serialized bytes behind a header that ties them to
/// the segment, so a loader never uses an index built for other rows. Inside the object store's checksummed
/// envelope like every object; little-endian:
///
/// | size  | field                                                                        |
/// |-------|------------------------------------------------------------------------------|
/// | 8     | magic `"VNSEGIDX"`                                                           |
/// | 2     | format version, currently 1                                                  |
/// | 6     | reserved, 0                                                                  |
/// | 8     | segment id                                                                   |
/// | 8     | row count `n` of the segment                                                 |
/// | 4     | schema position `f` of the vector field                                      |
/// | 4     | fingerprint: CRC-32C of the field's `n × dim` Float32 values (little-endian) |
/// | 4 + s | index spec: length, `IndexSpec.encode()`                                     |
/// | 8     | length `p` of the index                                                      |
/// | p     | the index: `HNSWIndex` / `HNSWSQ8Index` / `IVFIndex` `serializedBytes()` (by the spec's kind), ids = row numbers `0..<n` |
///
/// The shard's own seal (index builds not deferred) writes the bare index as `segments/<id>/index-<f>`
/// (docs/storage.md); loaders accept both, preferring this one.
struct SegmentIndexObject {
    static let magic = Array("VNSEGIDX".utf8)
    static let formatVersion: UInt16 = 1

    var segment: SegmentID
    var rowCount: Int
    var fieldPosition: Int
    var fingerprint: UInt32
    var spec: IndexSpec
    var index: [UInt8]

    static func key(_ id: SegmentID, fieldPosition: Int) -> ObjectKey {
        try! ObjectKey("segments/\(id)/built-index-\(fieldPosition)")
    }

    /// CRC-32C of a vector column's Float32 values: what the index was built over.
    static func fingerprint(_ values: [Float]) -> UInt32 {
        values.withUnsafeBytes { CRC32C.checksum($0) }
    }

    func encode() -> [UInt8] {
        var sink = ByteSink(reservingCapacity: 64 + index.count)
        sink.bytes.append(contentsOf: Self.magic)
        sink.u16(Self.formatVersion)
        sink.bytes.append(contentsOf: [0, 0, 0, 0, 0, 0])
        sink.u64(segment.rawValue)
        sink.u64(UInt64(rowCount))
        sink.u32(UInt32(fieldPosition))
        sink.u32(fingerprint)
        let s = spec.encode()
        sink.count(s.count)
        sink.bytes.append(contentsOf: s)
        sink.u64(UInt64(index.count))
        sink.bytes.append(contentsOf: index)
        return sink.bytes
    }

    /// Decodes an object and checks it was built for `segment` (`rowCount` rows), the field at
    /// `fieldPosition` with `spec`, over vectors with `fingerprint`.
    /// - Throws: `SegmentIndexError.corrupt` (does not decode) or `.mismatch` (built for something else).
    init(decoding bytes: [UInt8], key: ObjectKey, segment: SegmentID, rowCount: Int, fieldPosition: Int, spec: IndexSpec,
         fingerprint: UInt32) throws(SegmentIndexError) {
        var src = ByteSource(bytes)
        let name = key.rawValue
        do throws(DecodeFailure) {
            guard try src.array(of: UInt8.self, count: 8, "magic") == Self.magic else { throw DecodeFailure(reason: "bad magic") }
            let version = try src.u16("version")
            guard version == Self.formatVersion else { throw DecodeFailure(reason: "unknown format version \(version)") }
            _ = try src.array(of: UInt8.self, count: 6, "reserved")
            self.segment = SegmentID(try src.u64("segment id"))
            let n = try src.u64("row count")
            guard n <= UInt64(UInt32.max) else { throw DecodeFailure(reason: "row count \(n)") }
            self.rowCount = Int(n)
            self.fieldPosition = Int(try src.u32("field position"))
            self.fingerprint = try src.u32("fingerprint")
            let specLength = try src.count("index spec length")
            let specBytes = try src.array(of: UInt8.self, count: specLength, "index spec")
            do { self.spec = try IndexSpec(decoding: specBytes) } catch { throw DecodeFailure(reason: "index spec: \(error)") }
            let p = try src.u64("index length")
            guard p == UInt64(src.remaining) else { throw DecodeFailure(reason: "index length \(p), \(src.remaining) bytes left") }
            self.index = try src.array(of: UInt8.self, count: Int(p), "index")
        } catch {
            throw .corrupt(key: name, reason: error.reason)
        }
        if self.segment != segment { throw .mismatch(key: name, reason: "built for segment \(self.segment), not \(segment)") }
        if self.rowCount != rowCount { throw .mismatch(key: name, reason: "built over \(self.rowCount) rows, the segment has \(rowCount)") }
        if self.fieldPosition != fieldPosition {
            throw .mismatch(key: name, reason: "built for field position \(self.fieldPosition), not \(fieldPosition)")
        }
        if self.spec != spec {
            throw .mismatch(key: name, reason: "built as \(self.spec.kind.name) \(self.spec.metric) on '\(self.spec.fieldName)', "
                + "the shard wants \(spec.kind.name) \(spec.metric) on '\(spec.fieldName)'")
        }
        if self.fingerprint != fingerprint { throw .mismatch(key: name, reason: "built over other vectors (fingerprint differs)") }
    }

    init(segment: SegmentID, rowCount: Int, fieldPosition: Int, fingerprint: UInt32, spec: IndexSpec, index: [UInt8]) {
        self.segment = segment
        self.rowCount = rowCount
        self.fieldPosition = fieldPosition
        self.fingerprint = fingerprint
        self.spec = spec
        self.index = index
    }
}
