import Coordinator
import Foundation
import Node
import Shard

// Discovering flushed segments in object storage.
extension IndexCoord {
    /// One pass over `<object-store>/collections/*/shard-*`: records new segments (pending or, if indexed
    /// already, finished) and forgets segments and collections that are gone. Shards whose manifest cannot be
    /// read are logged (once per distinct error) and skipped.
    func scan() {
        let shards = SharedObjectStore.listShards(root: configuration.objectStore)
        var collections = Set<CollectionID>()
        for (collection, shard) in shards {
            collections.insert(collection)
            let directory = SharedObjectStore.shardDirectory(root: configuration.objectStore, collection: collection.rawValue, shard: shard)
            let view: ShardManifestView?
            do {
                view = try ShardManifestView.read(from: try LocalObjectStore(root: directory))
                if scanErrors.removeValue(forKey: directory) != nil { logger.info("shard manifest readable again", ["dir": directory]) }
            } catch {
                let text = "\(error)"
                if scanErrors[directory] != text {
                    scanErrors[directory] = text
                    logger.warn("cannot read shard manifest", ["dir": directory, "error": text])
                }
                continue
            }
            guard let view else { continue }
            let present = Set(view.segments.map(\.id.rawValue))
            for key in records.keys where key.collection == collection && key.shard == shard && !present.contains(key.segment) {
                forget(key)
            }
            for segment in view.segments where segment.rowCount > 0 {
                let key = SegmentBuildRecord.Key(collection: collection, shard: shard, segment: segment.id.rawValue)
                guard records[key] == nil else { continue }
                let missing: [IndexSpec]
                do { missing = try SegmentIndexBuilder.missingIndexes(of: segment, in: view, store: try LocalObjectStore(root: directory)) } catch {
                    logger.warn("cannot check index objects", ["dir": directory, "segment": segment.id.description, "error": "\(error)"])
                    continue
                }
                save(SegmentBuildRecord(key: key, rows: segment.rowCount, state: missing.isEmpty ? .finished : .pending))
                if !missing.isEmpty {
                    logger.info("segment needs an index", ["collection": collection.rawValue, "shard": shard,
                                                           "segment": segment.id.description, "rows": segment.rowCount,
                                                           "indexes": missing.map { "\($0.fieldName):\($0.kind.name)" }.joined(separator: ",")])
                }
            }
        }
        // A collection directory that is gone was dropped (one that merely failed to list is kept).
        for key in records.keys where !collections.contains(key.collection)
            && !FileManager.default.fileExists(atPath: SharedObjectStore.collectionDirectory(root: configuration.objectStore, collection: key.collection.rawValue)) {
            forget(key)
        }
    }
}
