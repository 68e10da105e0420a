import Foundation
import Testing
import TestSupport
import VecCore

@testable import Shard

/// The shard facade: writes, reads at timestamps (MVCC), flush, seal policy, compaction, reopen.
@Suite struct ShardTests {
    static let d = 4
    static let schema = ShardFixtures.schema(dimension: d)
    static let flat = [IndexSpec(fieldName: "vec", kind: .flat, metric: .l2)]

    static func vectors(_ ids: [Int64]) -> [Float] {
        ids.flatMap { id in (0..<d).map { Float(id) + Float($0) * 0.25 } }
    }

    static func batch(_ ids: [Int64], cat: ((Int64) -> Int64)? = nil) throws -> RowBatch {
        try ShardFixtures.batch(schema, ids: ids, vectors: vectors(ids), cat: cat)
    }

    static func ts(_ ms: UInt64) -> UInt64 { HybridTimestamp.make(physicalMilliseconds: ms) }

    @Test func insertGetQuerySearch() throws {
        let dir = ShardFixtures.directory("basic")
        let shard = try Shard.open(directory: dir, schema: Self.schema, indexes: Self.flat, options: ShardFixtures.options())
        defer { shard.close() }
        try shard.insert(try Self.batch(Array(0..<20)), timestamp: Self.ts(1))
        let got = try shard.get(primaryKeys: [.int(3), .int(7), .int(99)], outputFields: ["cat", "name"])
        #expect(ShardFixtures.ids(got) == [3, 7])
        #expect(got.row(0)["name"] == .string("n3"))
        #expect(got.row(1)["name"] == .null)
        let q = try shard.query(filter: "cat == 4 or id > 17", outputFields: ["id"], limit: 10)
        #expect(ShardFixtures.ids(q) == [4, 14, 18, 19])
        let paged = try shard.query(filter: "id >= 0", limit: 5, offset: 3)
        #expect(ShardFixtures.ids(paged) == [3, 4, 5, 6, 7])
        let hits = try shard.search(Self.vectors([5]) + Self.vectors([11]), field: "vec", k: 3, filter: "cat != 6",
                                    outputFields: ["cat"])
        #expect(hits.count == 2)
        #expect(hits[0].primaryKeys == [.int(5), .int(4), .int(3)])  // 3 and 7 tie; ties go by position
        #expect(hits[0].distances[0] == 0)
        #expect(hits[0].fields.column(named: "cat")?.data == .int64([5, 4, 3]))
        #expect(hits[1].primaryKeys == [.int(11), .int(10), .int(12)])
    }

    @Test func mvccReadsAtOlderTimestamps() throws {
        let dir = ShardFixtures.directory("mvcc")
        let shard = try Shard.open(directory: dir, schema: Self.schema, indexes: Self.flat, options: ShardFixtures.options())
        try shard.insert(try Self.batch([1, 2, 3]), timestamp: Self.ts(10))
        try shard.insert(try Self.batch([4]), timestamp: Self.ts(20))
        #expect(try shard.delete(primaryKeys: [.int(2), .int(42)], timestamp: Self.ts(30)) == 1)
        try shard.upsert(try Self.batch([3], cat: { _ in 77 }), timestamp: Self.ts(40))
        // Duplicate key by plain insert: the latest write wins.
        try shard.insert(try Self.batch([1], cat: { _ in 55 }), timestamp: Self.ts(50))
        #expect(try shard.delete(where: "cat == 77", timestamp: Self.ts(60)) == 1)

        func state(_ t: UInt64) throws -> [Int64: Int64] {
            let rows = try shard.query(outputFields: ["id", "cat"], timestamp: t)
            var out: [Int64: Int64] = [:]
            for i in 0..<rows.count {
                guard case .int(let id) = rows.row(i)["id"], case .int(let c) = rows.row(i)["cat"] else { continue }
                #expect(out[id] == nil, "key \(id) visible twice at \(t)")
                out[id] = c
            }
            return out
        }
        func check() throws {
            #expect(try state(Self.ts(5)) == [:])
            #expect(try state(Self.ts(10)) == [1: 1, 2: 2, 3: 3])
            #expect(try state(Self.ts(25)) == [1: 1, 2: 2, 3: 3, 4: 4])
            #expect(try state(Self.ts(30)) == [1: 1, 3: 3, 4: 4])
            #expect(try state(Self.ts(45)) == [1: 1, 3: 77, 4: 4])
            #expect(try state(Self.ts(50)) == [1: 55, 3: 77, 4: 4])
            #expect(try state(HybridTimestamp.latest) == [1: 55, 4: 4])
            #expect(ShardFixtures.ids(try shard.get(primaryKeys: [.int(2)], timestamp: Self.ts(29))) == [2])
            #expect(ShardFixtures.ids(try shard.get(primaryKeys: [.int(2)])) == [])
            let hits = try shard.search(Self.vectors([3]), field: "vec", k: 1, timestamp: Self.ts(45))
            #expect(hits[0].primaryKeys == [.int(3)])
            #expect(hits[0].distances == [0])
        }
        try check()
        // Flushed (marks persisted in the manifest), then reopened: the same history.
        try shard.flush()
        try check()
        shard.close()
        let again = try Shard.open(directory: dir, schema: Self.schema, indexes: Self.flat, options: ShardFixtures.options())
        defer { again.close() }
        let rows = try again.query(outputFields: ["cat"], timestamp: Self.ts(45))
        #expect(ShardFixtures.ids(rows).sorted() == [1, 3, 4])
        #expect(try again.query(timestamp: Self.ts(30)).count == 3)
        #expect(try again.query().count == 2)
        #expect(throws: ShardError.timestampRegression(given: Self.ts(59), last: Self.ts(60))) {
            try again.insert(try Self.batch([9]), timestamp: Self.ts(59))
        }
        // A delete in a sealed segment after reopening: reads after it must scan (no "all visible" shortcut),
        // reads before it still see the row.
        let fresh = try Shard.open(directory: ShardFixtures.directory("mvcc-sealed"), schema: Self.schema, indexes: Self.flat,
                                   options: ShardFixtures.options())
        defer { fresh.close() }
        try fresh.insert(try Self.batch([1, 2, 3]), timestamp: Self.ts(10))
        try fresh.flush()
        #expect(try fresh.query().count == 3)
        #expect(try fresh.delete(primaryKeys: [.int(2)], timestamp: Self.ts(20)) == 1)
        #expect(ShardFixtures.ids(try fresh.query()).sorted() == [1, 3])
        #expect(ShardFixtures.ids(try fresh.query(timestamp: Self.ts(15))).sorted() == [1, 2, 3])
        #expect(try fresh.search(Self.vectors([2]), field: "vec", k: 1)[0].primaryKeys != [.int(2)])
    }

    @Test func replayWithoutFlushRestoresEverything() throws {
        let dir = ShardFixtures.directory("replay")
        var shard = try Shard.open(directory: dir, schema: Self.schema, indexes: Self.flat, options: ShardFixtures.options())
        try shard.insert(try Self.batch(Array(0..<50)), timestamp: Self.ts(1))
        try shard.flush()
        try shard.insert(try Self.batch(Array(50..<60)), timestamp: Self.ts(2))
        try shard.delete(primaryKeys: [.int(5), .int(55)], timestamp: Self.ts(3))
        try shard.upsert(try Self.batch([6, 56], cat: { _ in 100 }), timestamp: Self.ts(4))
        let before = try shard.query(outputFields: ["id", "vec", "cat", "name"], limit: 1000)
        shard.close()
        shard = try Shard.open(directory: dir, schema: Self.schema, indexes: Self.flat, options: ShardFixtures.options())
        defer { shard.close() }
        let after = try shard.query(outputFields: ["id", "vec", "cat", "name"], limit: 1000)
        #expect(Set(ShardFixtures.ids(after)) == Set(ShardFixtures.ids(before)))
        #expect(after.count == 58)
        #expect(try shard.query(timestamp: Self.ts(2)).count == 60)
        #expect(shard.statistics.sealedSegments == 1)
    }

    @Test func sealPolicyByRowsBytesAndAgeWithInjectedClock() throws {
        let clock = FakeClock()
        var options = ShardFixtures.options(clock: clock)
        options.sealPolicy = SealPolicy(maxRows: 100, maxBytes: 1 << 30, maxAgeMilliseconds: 5_000)
        let dir = ShardFixtures.directory("seal")
        let shard = try Shard.open(directory: dir, schema: Self.schema, indexes: Self.flat, options: options)
        defer { shard.close() }
        try shard.insert(try Self.batch(Array(0..<60)), timestamp: Self.ts(1))
        #expect(shard.statistics.sealedSegments == 0)
        try shard.insert(try Self.batch(Array(60..<100)), timestamp: Self.ts(2))  // reaches 100 rows
        #expect(shard.statistics.sealedSegments == 1)
        #expect(shard.statistics.growingRows == 0)
        try shard.insert(try Self.batch([100]), timestamp: Self.ts(3))
        #expect(try shard.sealIfDue() == false)
        clock.advance(by: 4_999)
        #expect(try shard.sealIfDue() == false)
        clock.advance(by: 1)
        #expect(try shard.sealIfDue() == true)
        #expect(shard.statistics.sealedSegments == 2)
        #expect(try shard.query().count == 101)

        #expect(SealPolicy(maxRows: 10, maxBytes: 100, maxAgeMilliseconds: 10).shouldSeal(rows: 1, bytes: 100, ageMilliseconds: 0))
        #expect(!SealPolicy().shouldSeal(rows: 0, bytes: 1 << 40, ageMilliseconds: 1 << 40))
    }

    @Test func compactionMergesSmallSegmentsAndDropsDeletedRows() throws {
        let dir = ShardFixtures.directory("compact")
        var shard = try Shard.open(directory: dir, schema: Self.schema, indexes: Self.flat, options: ShardFixtures.options())
        for s in 0..<4 {
            let ids = (0..<25).map { Int64(s * 25 + $0) }
            try shard.insert(try Self.batch(ids), timestamp: Self.ts(UInt64(s + 1)))
            try shard.flush()
        }
        #expect(shard.statistics.sealedSegments == 4)
        try shard.delete(where: "id % 2 == 0", timestamp: Self.ts(10))
        try shard.upsert(try Self.batch([1], cat: { _ in 9 }), timestamp: Self.ts(11))
        let report = try shard.compact()
        #expect(report.mergedSegments.count == 5)  // 4 sealed + the one flushed by compact
        #expect(report.droppedRows == 51)
        #expect(shard.statistics.sealedSegments == 1)
        #expect(shard.statistics.sealedRows == 50)
        let rows = try shard.query(outputFields: ["cat"], limit: 1000)
        let odd: Set<Int64> = Set((0..<100).filter { $0 % 2 == 1 }.map { Int64($0) })
        #expect(Set(ShardFixtures.ids(rows)) == odd)
        #expect(ShardFixtures.ids(try shard.get(primaryKeys: [.int(1)], outputFields: ["cat"])) == [1])
        #expect(try shard.get(primaryKeys: [.int(1)], outputFields: ["cat"]).column(named: "cat")?.data == .int64([9]))
        // Writes after compaction, then reopen.
        try shard.delete(primaryKeys: [.int(3)], timestamp: Self.ts(12))
        shard.close()
        shard = try Shard.open(directory: dir, schema: Self.schema, indexes: Self.flat, options: ShardFixtures.options())
        defer { shard.close() }
        #expect(try shard.query().count == 49)
        let objects = try LocalObjectStore(root: dir + "/objects").list(prefix: "segments/")
        #expect(objects.count == 1, "old segment objects are deleted: \(objects)")
    }

    @Test func rejectsBadInput() throws {
        let dir = ShardFixtures.directory("bad")
        let shard = try Shard.open(directory: dir, schema: Self.schema, indexes: Self.flat, options: ShardFixtures.options())
        try shard.insert(try Self.batch([1]), timestamp: Self.ts(1))
        #expect(throws: ShardError.self) { try shard.search([1, 2, 3], field: "vec", k: 1) }
        #expect(throws: ShardError.self) { try shard.search(Self.vectors([1]), field: "cat", k: 1) }
        #expect(throws: ShardError.self) { try shard.search(Self.vectors([1]), field: "vec", k: 0) }
        #expect(throws: ShardError.self) { try shard.query(filter: "cat ==", limit: 1) }
        #expect(throws: ShardError.self) { try shard.query(outputFields: ["nope"]) }
        #expect(throws: ShardError.self) { try shard.delete(primaryKeys: [.string("x")], timestamp: Self.ts(2)) }
        shard.close()
        #expect(throws: ShardError.self) { try shard.query() }
        // A different schema on reopen is refused.
        #expect(throws: ShardError.self) {
            _ = try Shard.open(directory: dir, schema: ShardFixtures.schema(dimension: 5), indexes: [], options: ShardFixtures.options())
        }
        // A COSINE field refuses zero vectors before logging them.
        let cosDir = ShardFixtures.directory("cos")
        let cos = try Shard.open(directory: cosDir, schema: Self.schema,
                                 indexes: [IndexSpec(fieldName: "vec", kind: .flat, metric: .cosine)], options: ShardFixtures.options())
        defer { cos.close() }
        let zero = try ShardFixtures.batch(Self.schema, ids: [1], vectors: [0, 0, 0, 0])
        #expect(throws: ShardError.self) { try cos.insert(zero, timestamp: Self.ts(1)) }
        #expect(try cos.query().count == 0)
    }

    @Test func varCharPrimaryKeys() throws {
        let schema = CollectionSchema(fields: [
            FieldSchema(name: "key", dataType: .varChar, isPrimaryKey: true, maxLength: 32),
            FieldSchema(name: "vec", dataType: .floatVector, dimension: 2),
        ])
        func batch(_ keys: [String], _ x: Float) throws -> RowBatch {
            try RowBatch(schema: schema, columns: [
                Column(name: "key", data: .string(keys)),
                Column(name: "vec", data: .floatVector(dimension: 2, values: keys.flatMap { _ in [x, 1] })),
            ])
        }
        let dir = ShardFixtures.directory("varchar")
        var shard = try Shard.open(directory: dir, schema: schema, indexes: [], options: ShardFixtures.options())
        try shard.insert(try batch(["a", "b", "c"], 1), timestamp: 1)
        try shard.flush()
        try shard.upsert(try batch(["b"], 5), timestamp: 2)
        #expect(try shard.delete(where: "key like \"c%\"", timestamp: 3) == 1)
        #expect(try shard.delete(primaryKeys: [.string("a")], timestamp: 4) == 1)
        shard.close()
        shard = try Shard.open(directory: dir, schema: schema, indexes: [], options: ShardFixtures.options())
        defer { shard.close() }
        let rows = try shard.get(primaryKeys: [.string("a"), .string("b"), .string("c")], outputFields: ["vec"])
        #expect(rows.primaryKeys == [.string("b")])
        #expect(rows.column(named: "vec")?.data == .floatVector(dimension: 2, values: [5, 1]))
        #expect(try shard.query(timestamp: 1).count == 3)
        #expect(shard.indexes == [IndexSpec(fieldName: "vec", kind: .flat, metric: .l2)])
    }

    @Test func concurrentInsertsShareFsyncsAndApplyInLogOrder() throws {
        let dir = ShardFixtures.directory("group")
        var options = ShardFixtures.options()
        options.sealPolicy = SealPolicy(maxRows: 150, maxBytes: 1 << 30, maxAgeMilliseconds: 1 << 40)
        var shard = try Shard.open(directory: dir, schema: Self.schema, indexes: Self.flat, options: options)
        let clock = NSLock()
        nonisolated(unsafe) var next: UInt64 = 0
        let failures = NSLock()
        nonisolated(unsafe) var errors: [String] = []
        let writers = 6
        let perWriter = 40
        let s = shard
        // One OS thread per writer: `concurrentPerform` runs only as many iterations at once as there are
        // cores (2 here), and two writers alternate batches of one — never sharing an fsync on a quiet disk.
        let done = DispatchGroup()
        let threads = (0..<writers).map { w in Thread {
            defer { done.leave() }
            for i in 0..<perWriter {
                let ids = (0..<3).map { Int64(w * 10_000 + i * 3 + $0) }
                while true {
                    clock.lock(); next += 1; let ts = next; clock.unlock()
                    do {
                        try s.insert(try Self.batch(ids), timestamp: ts)
                        break
                    } catch ShardError.timestampRegression {
                        continue
                    } catch {
                        failures.lock(); errors.append("\(error)"); failures.unlock()
                        return
                    }
                }
            }
        } }
        for t in threads {
            done.enter()
            t.start()
        }
        done.wait()
        #expect(errors.isEmpty, "\(errors.prefix(3))")
        let stats = shard.log.statistics
        #expect(stats.appendedRecords == writers * perWriter)
        #expect(stats.groupCommits < stats.appendedRecords, "no fsync was shared: \(stats)")
        #expect(try shard.query(limit: 10_000).count == writers * perWriter * 3)
        #expect(shard.statistics.sealedSegments >= 3)  // seals ran inside the group-committed writes
        shard.close()
        shard = try Shard.open(directory: dir, schema: Self.schema, indexes: Self.flat, options: options)
        defer { shard.close() }
        #expect(try shard.query(limit: 10_000).count == writers * perWriter * 3)
    }
}
