import Testing
import VecCore

@testable import Shard

/// `Column.append` (Column+Append.swift): growing segments and compaction concatenate columns with it.
@Suite struct ColumnAppendTests {
    @Test func columnAppendKeepsValidityAndArrays() throws {
        var a = try SchemaFixtures.peopleBatch().columns
        let b = try SchemaFixtures.peopleBatch()
        for i in a.indices { a[i].append(b.columns[i]) }
        let doubled = try RowBatch(schema: SchemaFixtures.people, columns: a)
        #expect(doubled.rowCount == 2 * b.rowCount)
        for r in 0..<b.rowCount { #expect(doubled.row(r + b.rowCount) == b.row(r)) }
    }

    @Test func appendingVectorsAndStringsKeepsOrder() {
        var c = Column(name: "v", data: .floatVector(dimension: 2, values: [1, 2]))
        for i in 0..<100 { c.append(Column(name: "v", data: .floatVector(dimension: 2, values: [Float(i), -1]))) }
        #expect(c.count == 101)
        #expect(c.value(at: 100) == .floatVector([99, -1]))
        var s = Column(name: "s", data: .string(["x"]), validity: Bitset(count: 1, allSet: true))
        s.append(Column(name: "s", data: .string(["y", "z"]), validity: Bitset(words: [0b10], count: 2)))
        #expect(s.value(at: 1) == .null)
        #expect(s.value(at: 2) == .string("z"))
    }
}
