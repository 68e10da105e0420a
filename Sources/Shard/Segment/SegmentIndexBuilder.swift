import Foundation
import VecCore

/// Builds the vector indexes of a flushed segment outside any `Shard` and writes them next to it as
/// `segments/<id>/built-index-<f>` objects (`SegmentIndexObject`: the index's own format behind a header
/// naming the segment, row count, field, spec and a fingerprint of the vectors), each with one atomic put.
/// A shard that loads the segment later (`Shard.open`) uses such an object when it verifies, instead of
/// building the index in memory.
///
/// Index nodes call it; it never touches the manifest, which only the shard's writer changes. Building an
/// index that exists already overwrites it with an equivalent one, so a retried build is harmless.
///
/// CPU-heavy and blocking: call it from a dedicated thread (never Swift's cooperative pool); `pool` spreads
/// HNSW inserts and IVF training over its threads.
public enum SegmentIndexBuilder {
    /// What one build wrote.
    public struct Result: Sendable, Equatable {
        /// The segment indexed.
        public var segment: SegmentID
        /// Rows in the segment.
        public var rows: Int
        /// Keys of the index objects written (one per non-FLAT vector field that lacked one).
        public var objects: [String]
        /// Bytes written (the objects' payloads).
        public var bytes: Int
    }

    /// The index specs of `segment` (non-FLAT vector fields) that have no index object yet — neither an index
    /// node's `built-index-<f>` nor the shard's own `index-<f>`. Only existence is checked (cheap enough to
    /// poll); a damaged object is caught by the loader, which then builds in memory.
    public static func missingIndexes(of segment: ShardManifestView.Segment, in manifest: ShardManifestView,
                                      store: LocalObjectStore) throws(SegmentIndexError) -> [IndexSpec] {
        guard segment.rowCount > 0 else { return [] }
        var missing: [IndexSpec] = []
        for spec in manifest.indexSpecs where spec.kind != .flat {
            guard let f = manifest.schema.fieldIndex(named: spec.fieldName) else { continue }
            do {
                if try store.exists(SegmentIndexObject.key(segment.id, fieldPosition: f)) { continue }
                if try store.exists(SealedSegment.indexKey(segment.id, fieldPosition: f)) { continue }
            } catch {
                throw .objectStore("\(store.root): \(error)")
            }
            missing.append(spec)
        }
        return missing
    }

    /// Builds and writes the missing index objects of segment `id` of the shard whose objects are in `store`.
    /// - Parameters:
    ///   - manifest: the shard's manifest if the caller read it already (else it is read here).
    ///   - rebuild: build every non-FLAT field, even those with an index object.
    ///   - pool: threads for the build (nil: the calling thread alone).
    /// - Throws: `SegmentIndexError` — `.noManifest`, `.unknownSegment`, `.segment` (data object unreadable),
    ///   `.build`, `.objectStore`.
    public static func build(segment id: SegmentID, store: LocalObjectStore, manifest: ShardManifestView? = nil,
                             rebuild: Bool = false, pool: WorkerPool? = nil) throws(SegmentIndexError) -> Result {
        let view: ShardManifestView
        if let manifest {
            view = manifest
        } else {
            let read: ShardManifestView?
            do { read = try ShardManifestView.read(from: store) } catch { throw .segment(error) }
            guard let read else { throw .noManifest(store.root) }
            view = read
        }
        guard let entry = view.segment(id) else { throw .unknownSegment(id) }
        let wanted = rebuild ? view.indexSpecs.filter { $0.kind != .flat }
                             : try missingIndexes(of: entry, in: view, store: store)
        var result = Result(segment: id, rows: entry.rowCount, objects: [], bytes: 0)
        guard !wanted.isEmpty, entry.rowCount > 0 else { return result }
        let rows: RowBatch
        do { rows = try SealedSegment.readData(id: id, rowCount: entry.rowCount, schema: view.schema, from: store).rows } catch {
            throw .segment(error)
        }
        for spec in wanted {
            guard let f = view.schema.fieldIndex(named: spec.fieldName), let d = view.schema.fields[f].dimension,
                let vectors = rows.column(named: spec.fieldName)?.data.floatVectors
            else { throw .build("the schema has no vector field '\(spec.fieldName)' of the index spec") }
            let serialized: [UInt8]
            do {
                let index = try VectorFieldIndex(spec: spec, dimension: d)
                try index.buildIndex(values: vectors.values, rows: entry.rowCount, pool: pool)
                guard let bytes = index.serializedIndex() else { throw VecError.invalidParameter("no index was built") }
                serialized = bytes
            } catch {
                throw .build("\(spec.kind.name) on '\(spec.fieldName)' of segment \(id): \(error)")
            }
            let object = SegmentIndexObject(segment: id, rowCount: entry.rowCount, fieldPosition: f,
                                            fingerprint: SegmentIndexObject.fingerprint(vectors.values), spec: spec,
                                            index: serialized)
            let key = SegmentIndexObject.key(id, fieldPosition: f)
            let encoded = object.encode()
            do { try store.put(key, Data(encoded)) } catch { throw .objectStore("writing \(key) in \(store.root): \(error)") }
            result.objects.append(key.rawValue)
            result.bytes += encoded.count
        }
        return result
    }
}
