import Coordinator
import Foundation
import Node
import Shard
import TestSupport

/// Flushed shard directories in a temporary object storage, written the way a data node writes them: a
/// `Shard` whose objects live at `<object-store>/collections/<id>/shard-<n>` with deferred index builds.
enum FlushedShards {
    static let dimension = 16
    static let schema = CollectionSchema(fields: [
        FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
        FieldSchema(name: "vec", dataType: .floatVector, dimension: dimension),
    ])
    static let spec = IndexSpec(fieldName: "vec", kind: .hnsw(m: 16, efConstruction: 100), metric: .l2)

    static func temporaryDirectory(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "indexnode-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func options(deferred: Bool) -> ShardOptions {
        var o = ShardOptions()
        o.deferIndexBuilds = deferred
        o.workerThreads = 2
        return o
    }

    /// Writes `segments` flushed segments of `rows` rows each (ids from 0, vectors from a fixed seed) and
    /// returns the vectors; the shard's own log lives in `<scratch>/c<id>-s<n>`.
    @discardableResult
    static func write(root: String, scratch: String, collection: CollectionID, shard: Int, segments: Int, rows: Int,
                      seed: UInt64 = 5) throws -> [Float] {
        let s = try Shard.open(location: ShardLocation(logDirectory: scratch + "/c\(collection.rawValue)-s\(shard)/log",
                                                objectDirectory: SharedObjectStore.shardDirectory(root: root, collection: collection.rawValue, shard: shard), scratchLog: false),
                       schema: schema, indexes: [spec], options: options(deferred: true))
        defer { s.close() }
        let all = TestData.clustered(count: segments * rows, dimension: dimension, clusters: 10, seed: seed)
        for g in 0..<segments {
            let ids = (g * rows..<(g + 1) * rows).map(Int64.init)
            let batch = try RowBatch(schema: schema, columns: [
                Column(name: "id", data: .int64(ids)),
                Column(name: "vec", data: .floatVector(dimension: dimension,
                                                       values: Array(all[(g * rows * dimension)..<((g + 1) * rows * dimension)]))),
            ])
            try s.insert(batch, timestamp: UInt64(g + 1))
            try s.flush()
        }
        return all
    }

    /// Opens the shard again (indexes not deferred) to see how its segments load.
    static func reopen(root: String, scratch: String, collection: CollectionID, shard: Int) throws -> Shard {
        try Shard.open(location: ShardLocation(logDirectory: scratch + "/c\(collection.rawValue)-s\(shard)/log",
                                                objectDirectory: SharedObjectStore.shardDirectory(root: root, collection: collection.rawValue, shard: shard), scratchLog: false),
                       schema: schema, indexes: [spec], options: options(deferred: false))
    }
}
