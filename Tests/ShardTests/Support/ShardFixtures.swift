import Foundation
import Synchronization
import TestSupport

@testable import Shard

/// Schemas, batches, directories and a fake clock for the Shard tests.
enum ShardFixtures {
    /// id (Int64 key), vec (FloatVector), cat (Int64), name (nullable VarChar).
    static func schema(dimension: Int) -> CollectionSchema {
        CollectionSchema(fields: [
            FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
            FieldSchema(name: "vec", dataType: .floatVector, dimension: dimension),
            FieldSchema(name: "cat", dataType: .int64),
            FieldSchema(name: "name", dataType: .varChar, nullable: true, maxLength: 64),
        ])
    }

    /// A batch of rows `ids` whose vectors are rows of `vectors` (`ids.count × dimension`), `cat = id % 10`
    /// unless `cat` is given, `name = "n<id>"` (null for multiples of 7).
    static func batch(_ schema: CollectionSchema, ids: [Int64], vectors: [Float], cat: ((Int64) -> Int64)? = nil) throws -> RowBatch {
        let d = schema.field(named: "vec")!.dimension!
        precondition(vectors.count == ids.count * d)
        let cats = ids.map { cat?($0) ?? $0 % 10 }
        var validity = Bitset(count: ids.count)
        for (i, id) in ids.enumerated() where id % 7 != 0 { validity.insert(i) }
        return try RowBatch(schema: schema, columns: [
            Column(name: "id", data: .int64(ids)),
            Column(name: "vec", data: .floatVector(dimension: d, values: vectors)),
            Column(name: "cat", data: .int64(cats)),
            Column(name: "name", data: .string(ids.map { "n\($0)" }), validity: validity),
        ])
    }

    /// A fresh empty directory under the temporary directory.
    static func directory(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "shard-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.removeItem(atPath: path)
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func options(sealRows: Int = 1_000_000, hnswThreshold: Int = 10_000, clock: FakeClock? = nil) -> ShardOptions {
        var o = ShardOptions()
        o.sealPolicy = SealPolicy(maxRows: sealRows, maxBytes: 1 << 40, maxAgeMilliseconds: 1 << 40)
        o.growingHNSWThreshold = hnswThreshold
        o.workerThreads = 2
        if let clock { o.clock = { clock.now } }
        return o
    }

    static func ids(_ rows: ShardRows) -> [Int64] {
        rows.primaryKeys.map { if case .int(let v) = $0 { v } else { -1 } }
    }
}

import VecCore

/// A settable millisecond clock for seal-by-age tests.
final class FakeClock: Sendable {
    private let value = Atomic<UInt64>(1_000)
    var now: UInt64 { value.load(ordering: .relaxed) }
    func advance(by ms: UInt64) { value.add(ms, ordering: .relaxed) }
}
