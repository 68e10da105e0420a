import Foundation
import HNSW
import VecCore

/// An immutable segment: its rows never change (only `supersededAt`, the MVCC deletion marks, which the
/// shard manifest persists). Written to the object store as one data object plus one index object per
/// indexed field (HNSW, HNSW_SQ8, IVF_FLAT, IVF_SQ8); FLAT fields are scanned exactly and need no index object.
///
/// ## Objects (each inside the object store's checksummed envelope)
/// `segments/<id>/data` — all little-endian:
///
/// | offset  | size | field                                          |
/// |---------|------|------------------------------------------------|
/// | 0       | 8    | magic `"VNSEGDAT"`                             |
/// | 8       | 2    | format version, currently 1                    |
/// | 10      | 6    | reserved, 0                                    |
/// | 16      | 8    | segment id                                     |
/// | 24      | 8    | row count `n`                                  |
/// | 32      | 8·n  | insert timestamp of each row (non-decreasing)  |
/// | 32+8n   | 8    | length `m` of the row batch encoding            |
/// | 40+8n   | m    | the rows: `RowBatch.encode()` (columnar)       |
///
/// `segments/<id>/index-<f>` — for the vector field at schema position `f` with a non-FLAT spec: the index's
/// `serializedBytes()` (`HNSWIndex`, `HNSWSQ8Index` or `IVFIndex`, by the spec's kind), whose ids are row
/// numbers `0..<n`.
final class SealedSegment: Segment, @unchecked Sendable {
    let id: SegmentID
    let rows: RowBatch
    let insertedAt: [UInt64]
    private(set) var supersededAt: [UInt64]
    let vectorIndexes: [String: VectorFieldIndex]
    /// The largest insert timestamp of any row.
    let latestInsert: UInt64
    /// The smallest supersede timestamp of any row (`UInt64.max` while none is superseded). Updated under the
    /// shard's write lock; read under its read lock.
    private(set) var earliestSupersede: UInt64

    static let magic = Array("VNSEGDAT".utf8)
    static let formatVersion: UInt16 = 1

    init(id: SegmentID, rows: RowBatch, insertedAt: [UInt64], supersededAt: [UInt64],
         vectorIndexes: [String: VectorFieldIndex]) {
        precondition(insertedAt.count == rows.rowCount && supersededAt.count == rows.rowCount)
        self.id = id
        self.rows = rows
        self.insertedAt = insertedAt
        self.supersededAt = supersededAt
        self.vectorIndexes = vectorIndexes
        latestInsert = insertedAt.max() ?? 0
        earliestSupersede = supersededAt.min() ?? .max
    }

    func supersede(row: Int, at timestamp: UInt64) {
        supersededAt[row] = timestamp
        earliestSupersede = min(earliestSupersede, timestamp)
    }

    func allRowsVisible(at timestamp: UInt64) -> Bool {
        latestInsert <= timestamp && timestamp < earliestSupersede
    }

    var schema: CollectionSchema { rows.schema }
    var rowCount: Int { rows.rowCount }

    static func dataKey(_ id: SegmentID) -> ObjectKey { try! ObjectKey("segments/\(id)/data") }
    static func indexKey(_ id: SegmentID, fieldPosition: Int) -> ObjectKey {
        try! ObjectKey("segments/\(id)/index-\(fieldPosition)")
    }

    /// Every object key this segment writes.
    func objectKeys() -> [ObjectKey] {
        var keys = [Self.dataKey(id)]
        for (field, index) in vectorIndexes where index.isBuilt {
            if let f = schema.fieldIndex(named: field) { keys.append(Self.indexKey(id, fieldPosition: f)) }
        }
        return keys
    }

    /// Writes the data object and the HNSW objects (each put is atomic and durable).
    func write(to store: any ObjectStore) throws(ShardError) {
        var sink = ByteSink(reservingCapacity: 48 + 8 * rowCount)
        sink.bytes.append(contentsOf: Self.magic)
        sink.u16(Self.formatVersion)
        sink.bytes.append(contentsOf: [0, 0, 0, 0, 0, 0])
        sink.u64(id.rawValue)
        sink.u64(UInt64(rowCount))
        sink.array(insertedAt)
        let encoded = rows.encode()
        sink.u64(UInt64(encoded.count))
        sink.bytes.append(contentsOf: encoded)
        do {
            try store.put(Self.dataKey(id), Data(sink.bytes))
            for (field, index) in vectorIndexes {
                guard let bytes = index.serializedIndex(), let f = schema.fieldIndex(named: field) else { continue }
                try store.put(Self.indexKey(id, fieldPosition: f), Data(bytes))
            }
        } catch {
            throw .objectStore("writing segment \(id): \(error)")
        }
    }

    /// Reads segment `id` back: decodes and validates the data object against `rowCount` and `schema`, resolves
    /// each vector field's index (`resolveIndex`: a matching index object, else built in memory, else — with
    /// deferred builds — an exact scan; FLAT fields always scan), and applies `supersededAt`.
    static func load(id: SegmentID, rowCount expectedRows: Int, schema: CollectionSchema, specs: [IndexSpec],
                     supersededAt: [UInt64], from store: any ObjectStore, deferIndexBuilds: Bool = false,
                     pool: WorkerPool? = nil, report: inout IndexLoadReport) throws(ShardError) -> SealedSegment {
        let (rows, insertedAt) = try readData(id: id, rowCount: expectedRows, schema: schema, from: store)
        var indexes: [String: VectorFieldIndex] = [:]
        for spec in specs {
            guard let f = schema.fieldIndex(named: spec.fieldName), let d = schema.fields[f].dimension,
                let vectors = rows.column(named: spec.fieldName)?.data.floatVectors
            else { continue }
            indexes[spec.fieldName] = try resolveIndex(
                segment: id, spec: spec, fieldPosition: f, dimension: d, rows: expectedRows, values: vectors.values,
                store: store, deferIndexBuilds: deferIndexBuilds, pool: pool, report: &report)
        }
        return SealedSegment(id: id, rows: rows, insertedAt: insertedAt, supersededAt: supersededAt, vectorIndexes: indexes)
    }

    /// Decodes and validates segment `id`'s data object: its rows and their insert timestamps.
    static func readData(id: SegmentID, rowCount expectedRows: Int, schema: CollectionSchema,
                         from store: any ObjectStore) throws(ShardError) -> (rows: RowBatch, insertedAt: [UInt64]) {
        let what = "segment \(id) data object"
        let bytes: [UInt8]
        do { bytes = [UInt8](try store.get(dataKey(id))) } catch { throw objectError(error, what) }
        var src = ByteSource(bytes)
        do throws(DecodeFailure) {
            let magic = try src.array(of: UInt8.self, count: 8, "magic")
            guard magic == Self.magic else { throw DecodeFailure(reason: "bad magic") }
            let version = try src.u16("version")
            guard version == formatVersion else { throw DecodeFailure(reason: "unknown format version \(version)") }
            _ = try src.array(of: UInt8.self, count: 6, "reserved")
            guard try src.u64("segment id") == id.rawValue else { throw DecodeFailure(reason: "segment id mismatch") }
            let n = try src.u64("row count")
            guard n == UInt64(expectedRows), n <= UInt64(src.remaining / 8) else {
                throw DecodeFailure(reason: "row count \(n), manifest says \(expectedRows)")
            }
            let insertedAt = try src.array(of: UInt64.self, count: Int(n), "timestamps")
            let m = try src.u64("batch length")
            guard m == UInt64(src.remaining) else { throw DecodeFailure(reason: "batch length \(m), \(src.remaining) bytes left") }
            let batchBytes = try src.array(of: UInt8.self, count: Int(m), "row batch")
            let rows: RowBatch
            do { rows = try RowBatch(decoding: batchBytes, schema: schema) } catch {
                throw DecodeFailure(reason: "\(error)")
            }
            guard rows.rowCount == expectedRows else { throw DecodeFailure(reason: "batch holds \(rows.rowCount) rows") }
            return (rows, insertedAt)
        } catch {
            throw .corrupt(what: what, reason: error.reason)
        }
    }

    static func objectError(_ error: any Error, _ what: String) -> ShardError {
        if let e = error as? ObjectStoreError {
            switch e {
            case .corrupt: return .corrupt(what: what, reason: "\(e)")
            case .notFound: return .corrupt(what: what, reason: "missing: \(e)")
            default: return .objectStore("\(what): \(e)")
            }
        }
        return .objectStore("\(what): \(error)")
    }

    /// Deletes this segment's objects (after a manifest no longer names it): everything under
    /// `segments/<id>/`, so index objects an index node added (`built-index-<f>`) go too.
    func delete(from store: any ObjectStore) {
        let keys = (try? store.list(prefix: "segments/\(id)/")) ?? objectKeys()
        for key in Set(keys + objectKeys()) { try? store.delete(key) }
    }
}
