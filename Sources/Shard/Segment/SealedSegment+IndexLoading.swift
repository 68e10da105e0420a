import Foundation
import VecCore

/// What loading sealed segments did about their vector indexes; the shard sums it into `Shard.Statistics`
/// (tests assert, for instance, that a segment used its index object and built nothing in memory).
struct IndexLoadReport: Sendable {
    /// Index objects verified and used (`built-index-<f>` or the shard's own `index-<f>`).
    var objectsLoaded = 0
    /// Indexes built in memory at load because no usable object existed.
    var builtInMemory = 0
    /// Fields left to an exact scan because builds are deferred and no usable object existed.
    var deferredScans = 0
    /// Index objects that were present but rejected (damaged or built for something else), newest last.
    var rejected: [SegmentIndexError] = []
}

extension SealedSegment {
    /// The index of one vector field of a segment being loaded. In order of preference:
    /// 1. `segments/<id>/built-index-<f>` (an index node's `SegmentIndexObject`), if it verifies against the
    ///    segment id, row count, field, spec and the vectors' fingerprint;
    /// 2. `segments/<id>/index-<f>` (written by the shard's own seal), if it decodes and matches the spec;
    /// 3. otherwise an index built now from `values` — or, with `deferIndexBuilds`, an exact scan.
    /// A present but unusable object is recorded in `report.rejected` (typed) and never used. FLAT fields and
    /// empty segments always get the exact scan.
    static func resolveIndex(segment id: SegmentID, spec: IndexSpec, fieldPosition f: Int, dimension d: Int, rows: Int,
                             values: [Float], store: any ObjectStore, deferIndexBuilds: Bool, pool: WorkerPool?,
                             report: inout IndexLoadReport) throws(ShardError) -> VectorFieldIndex {
        let scan: () throws(ShardError) -> VectorFieldIndex = { () throws(ShardError) in
            do {
                let index = try VectorFieldIndex(spec: spec, dimension: d)
                try index.append(values: values, firstRow: 0, pool: nil)
                return index
            } catch {
                throw .corrupt(what: "segment \(id) data object", reason: "vectors rejected by the index: \(error)")
            }
        }
        guard spec.kind != .flat, rows > 0 else { return try scan() }

        let built = SegmentIndexObject.key(id, fieldPosition: f)
        if let bytes = try optionalObject(built, store: store, segment: id, report: &report) {
            do throws(SegmentIndexError) {
                let object = try SegmentIndexObject(decoding: bytes, key: built, segment: id, rowCount: rows, fieldPosition: f,
                                                    spec: spec, fingerprint: SegmentIndexObject.fingerprint(values))
                do {
                    let index = try VectorFieldIndex(spec: spec, loading: object.index, name: "segment \(id) \(built.rawValue)",
                                                     rows: rows, values: values, dimension: d)
                    report.objectsLoaded += 1
                    return index
                } catch {
                    throw .corrupt(key: built.rawValue, reason: "\(error)")
                }
            } catch {
                report.rejected.append(error)
            }
        }
        let own = indexKey(id, fieldPosition: f)
        if let bytes = try optionalObject(own, store: store, segment: id, report: &report) {
            do {
                let index = try VectorFieldIndex(spec: spec, loading: bytes, name: "segment \(id) \(own.rawValue)",
                                                 rows: rows, values: values, dimension: d)
                report.objectsLoaded += 1
                return index
            } catch {
                report.rejected.append(.corrupt(key: own.rawValue, reason: "\(error)"))
            }
        }
        let index = try scan()
        if deferIndexBuilds {
            report.deferredScans += 1
            return index
        }
        do { try index.buildIndex(values: values, rows: rows, pool: pool) } catch { throw .vector(error) }
        report.builtInMemory += 1
        return index
    }

    /// The object's bytes, nil when it does not exist or fails the store's envelope checksum (recorded as
    /// rejected: a damaged object is as good as absent, the index is rebuilt). Other storage failures throw.
    private static func optionalObject(_ key: ObjectKey, store: any ObjectStore, segment: SegmentID,
                                       report: inout IndexLoadReport) throws(ShardError) -> [UInt8]? {
        do {
            return [UInt8](try store.get(key))
        } catch let e as ObjectStoreError {
            switch e {
            case .notFound: return nil
            case .corrupt:
                report.rejected.append(.corrupt(key: key.rawValue, reason: "\(e)"))
                return nil
            default: throw .objectStore("segment \(segment) index object \(key): \(e)")
            }
        } catch {
            throw .objectStore("segment \(segment) index object \(key): \(error)")
        }
    }
}
