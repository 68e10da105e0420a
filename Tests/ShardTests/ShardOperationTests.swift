import Foundation
import Testing
import VecCore

@testable import Shard

/// Channel payloads (`ShardOperation`) and reply rows (`ShardRows` encoding): round trips, applying through
/// a shard, and damaged input refused with a typed error.
@Suite struct ShardOperationTests {
    static let schema = ShardFixtures.schema(dimension: 4)

    static func batch(_ ids: [Int64]) throws -> RowBatch {
        try ShardFixtures.batch(schema, ids: ids, vectors: ids.flatMap { id in (0..<4).map { Float(id) + Float($0) } })
    }

    @Test func operationsRoundTrip() throws {
        let ops: [ShardOperation] = [
            .insert(try Self.batch([1, 2, 3])), .upsert(try Self.batch([2])), .delete([.int(1), .int(-9)]),
        ]
        for op in ops {
            let back = try ShardOperation(kind: op.logKind, payload: op.payload(keyType: .int64), schema: Self.schema)
            #expect(back == op)
        }
        #expect(ops.map(\.rowCount) == [3, 1, 2])
    }

    @Test func damagedOrForeignPayloadsAreRefused() throws {
        let payload = ShardOperation.insert(try Self.batch([1, 2])).payload(keyType: .int64)
        var flipped = payload
        flipped[flipped.count / 2] ^= 0x40
        #expect(throws: ShardError.self) { try ShardOperation(kind: .insertBatch, payload: flipped, schema: Self.schema) }
        #expect(throws: ShardError.self) { try ShardOperation(kind: .insertBatch, payload: Array(payload.prefix(10)), schema: Self.schema) }
        #expect(throws: ShardError.self) { try ShardOperation(kind: .timeTick, payload: payload, schema: Self.schema) }
        let keys = ShardOperation.delete([.string("a")]).payload(keyType: .varChar)
        #expect(throws: ShardError.self) { try ShardOperation(kind: .deleteBatch, payload: keys, schema: Self.schema) }
    }

    @Test func applyMatchesTheWriteMethods() throws {
        let dir = ShardFixtures.directory("apply-op")
        let shard = try Shard.open(directory: dir, schema: Self.schema, indexes: [], options: ShardFixtures.options())
        defer { shard.close() }
        let t = HybridTimestamp.make(physicalMilliseconds: 5)
        #expect(try shard.apply(.insert(try Self.batch([1, 2, 3])), timestamp: t) == 3)
        #expect(try shard.apply(.upsert(try Self.batch([3, 4])), timestamp: t + 1) == 2)
        #expect(try shard.apply(.delete([.int(2), .int(77)]), timestamp: t + 2) == 1)
        #expect(ShardFixtures.ids(try shard.query(limit: 100)).sorted() == [1, 3, 4])
    }

    @Test func shardRowsRoundTripWithProjectedColumns() throws {
        let dir = ShardFixtures.directory("rows-codec")
        let shard = try Shard.open(directory: dir, schema: Self.schema, indexes: [], options: ShardFixtures.options())
        defer { shard.close() }
        try shard.insert(try Self.batch(Array(0..<10)), timestamp: HybridTimestamp.make(physicalMilliseconds: 5))
        for fields in [[], ["cat"], ["name", "vec"], Self.schema.fields.map(\.name)] {
            let rows = try shard.query(filter: "id > 2", outputFields: fields, limit: 100)
            let back = try ShardRows(decoding: rows.encode(keyType: .int64), schema: Self.schema)
            #expect(back == rows)
        }
        let empty = ShardRows(primaryKeys: [], columns: [])
        #expect(try ShardRows(decoding: empty.encode(keyType: .int64), schema: Self.schema) == empty)
    }

    @Test func shardRowsRefuseDamageAndForeignColumns() throws {
        let rows = ShardRows(primaryKeys: [.int(1), .int(2)], columns: [Column(name: "cat", data: .int64([5, 6]))])
        let bytes = rows.encode(keyType: .int64)
        for i in stride(from: 0, to: bytes.count, by: 3) {
            var b = bytes
            b[i] ^= 0x21
            #expect(throws: ShardError.self) { try ShardRows(decoding: b, schema: Self.schema) }
        }
        for n in [0, 5, bytes.count - 1] {
            #expect(throws: ShardError.self) { try ShardRows(decoding: Array(bytes.prefix(n)), schema: Self.schema) }
        }
        let foreign = ShardRows(primaryKeys: [.int(1)], columns: [Column(name: "nope", data: .int64([5]))])
        #expect(throws: ShardError.self) { try ShardRows(decoding: foreign.encode(keyType: .int64), schema: Self.schema) }
        let wrongType = ShardRows(primaryKeys: [.int(1)], columns: [Column(name: "cat", data: .string(["x"]))])
        #expect(throws: ShardError.self) { try ShardRows(decoding: wrongType.encode(keyType: .int64), schema: Self.schema) }
        let short = ShardRows(primaryKeys: [.int(1), .int(2)], columns: [Column(name: "cat", data: .int64([5]))])
        #expect(throws: ShardError.self) { try ShardRows(decoding: short.encode(keyType: .int64), schema: Self.schema) }
    }
}
