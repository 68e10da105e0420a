import Foundation

/// A read-only view of a flushed shard directory's manifest, for roles that never open the `Shard`: the index
/// coordinator lists a shard's segments and index specs to find what lacks an index object, and index nodes
/// read what to build. Only what those roles need: the schema, the index specs and each segment's id and
/// row count (not MVCC marks, not the log checkpoint).
public struct ShardManifestView: Sendable, Equatable {
    /// One flushed segment.
    public struct Segment: Sendable, Equatable {
        public let id: SegmentID
        public let rowCount: Int
    }

    /// The collection schema the shard was created with.
    public let schema: CollectionSchema
    /// One spec per vector field, in schema order.
    public let indexSpecs: [IndexSpec]
    /// Flushed segments in increasing id order.
    public let segments: [Segment]

    /// Reads the manifest of the shard whose objects are in `store`.
    /// - Returns: nil when the store holds no manifest (nothing flushed yet).
    /// - Throws: `ShardError.corrupt` (the manifest does not decode or fails its checksum), `.objectStore`.
    public static func read(from store: LocalObjectStore) throws(ShardError) -> ShardManifestView? {
        let bytes: Data
        do {
            bytes = try store.get(ShardManifest.key)
        } catch let e as ObjectStoreError {
            switch e {
            case .notFound: return nil
            case .corrupt: throw .corrupt(what: "shard manifest in \(store.root)", reason: "\(e)")
            default: throw .objectStore("reading the manifest in \(store.root): \(e)")
            }
        } catch {
            throw .objectStore("reading the manifest in \(store.root): \(error)")
        }
        let manifest = try ShardManifest(decoding: [UInt8](bytes))
        return ShardManifestView(schema: manifest.schema, indexSpecs: manifest.specs,
                                 segments: manifest.segments.map { Segment(id: $0.id, rowCount: $0.rowCount) })
    }

    /// The segment with this id, if the manifest names it.
    public func segment(_ id: SegmentID) -> Segment? { segments.first { $0.id == id } }
}
