@testable import TestSupport
import Shard

/// Schemas and rows shared by the Shard tests.
enum SchemaFixtures {
    /// Every scalar kind, nullable and not, a JSON field, two arrays, and the dynamic field.
    static let people = CollectionSchema(fields: [
        FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
        FieldSchema(name: "vec", dataType: .floatVector, dimension: 2),
        FieldSchema(name: "age", dataType: .int32, nullable: true),
        FieldSchema(name: "score", dataType: .double, nullable: true),
        FieldSchema(name: "rank", dataType: .int8, defaultValue: .int(3)),
        FieldSchema(name: "ratio", dataType: .float, defaultValue: .double(0.5)),
        FieldSchema(name: "name", dataType: .varChar, nullable: true, maxLength: 64),
        FieldSchema(name: "active", dataType: .bool, nullable: true),
        FieldSchema(name: "meta", dataType: .json, nullable: true),
        FieldSchema(name: "tags", dataType: .array, nullable: true, maxLength: 16, elementType: .varChar, maxCapacity: 8),
        FieldSchema(name: "nums", dataType: .array, elementType: .int64, maxCapacity: 8),
    ], enableDynamicField: true)

    static func row(_ id: Int64, _ values: [String: FieldValue] = [:]) -> [String: FieldValue] {
        var r = values
        r["id"] = .int(id)
        if r["vec"] == nil { r["vec"] = .floatVector([Float(id), 1]) }
        if r["nums"] == nil { r["nums"] = .array([]) }
        return r
    }

    /// A small fixed batch used by the operator tests (ids 0…7).
    static func peopleBatch() throws -> RowBatch {
        try RowBatch(schema: people, rows: [
            row(0, ["age": .int(20), "score": .double(1.5), "rank": .int(1), "name": .string("alice"), "active": .bool(true),
                    "meta": .object(["lang": .string("en"), "n": .int(5), "tags": .array([.string("a"), .string("b")])]),
                    "tags": .array([.string("red"), .string("blue")]), "nums": .array([.int(1), .int(2), .int(3)]),
                    "city": .string("Paris")]),
            row(1, ["age": .int(35), "score": .double(-2), "rank": .int(5), "name": .string("bob"), "active": .bool(false),
                    "meta": .object(["lang": .string("fr"), "n": .double(7.5), "nested": .object(["x": .int(1)])]),
                    "tags": .array([.string("green")]), "nums": .array([.int(4)]), "city": .string("Lyon")]),
            row(2, ["age": .null, "score": .double(10), "rank": .int(-3), "name": .string("carol"), "active": .null,
                    "meta": .null, "tags": .null, "nums": .array([])]),
            row(3, ["age": .int(50), "name": .null, "active": .bool(true), "meta": .object(["lang": .int(3)]),
                    "tags": .array([]), "nums": .array([.int(3), .int(3)]), "count": .int(10)]),
            row(4, ["age": .int(5), "score": .double(0), "rank": .int(127), "name": .string("a_b%c"), "active": .bool(false),
                    "meta": .object(["tags": .array([.int(1), .string("x")])]), "tags": .array([.string("red")]),
                    "city": .string("Paris"), "count": .int(3)]),
            row(5, ["age": .int(-7), "score": .null, "name": .string("Ärger"), "meta": .object(["lang": .null])]),
            row(6, ["age": .int(35), "score": .double(35), "rank": .int(0), "name": .string(""), "active": .bool(true),
                    "meta": .array([.int(1), .int(2)]), "nums": .array([.int(-1), .int(10), .int(100)])]),
            row(7, ["age": .int(100), "score": .double(2.5), "rank": .int(-128), "name": .string("zed"),
                    "meta": .object(["lang": .string("en"), "n": .int(-1)]), "tags": .array([.string("blue"), .string("red")]),
                    "city": .string("Rome")]),
        ])
    }
}

extension SchemaFixtures {
    /// A small seeded generator (SplitMix64) so randomised tests are reproducible.
    /// The shared seeded generator.
    typealias Random = SplitMix64
}
