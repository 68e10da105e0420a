import Foundation
import Shard
import VecCore

/// `vecbench filterexpr`: throughput of filter-expression evaluation over one in-memory RowBatch.
///
/// Builds `--rows` rows (Int32 `age`, Double `score`, VarChar `name`, JSON `meta`, Array<Int64> `nums`)
/// with a fixed seed, then times each expression `--reps` times and prints the best run as ns/row.
/// A plain loop filling a Bitset for `age > 30` is printed as the baseline the column kernel should beat.
/// `--expr TEXT` times one expression of your own over the same columns instead of the built-in list.
let filterBench = BenchCommand(name: "filterexpr", summary: "filter-expression evaluation throughput (ns/row)") { args in
    let flags = try FlagParser(args, valued: ["--rows", "--reps", "--expr"])
    let rows = try flags.int("--rows", default: 1_000_000)
    let reps = try flags.int("--reps", default: 5)
    guard rows > 0, reps > 0 else { throw BenchError("--rows and --reps must be positive") }

    let schema = CollectionSchema(fields: [
        FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
        FieldSchema(name: "v", dataType: .floatVector, dimension: 1),
        FieldSchema(name: "age", dataType: .int32),
        FieldSchema(name: "score", dataType: .double, nullable: true),
        FieldSchema(name: "name", dataType: .varChar, maxLength: 32),
        FieldSchema(name: "meta", dataType: .json),
        FieldSchema(name: "nums", dataType: .array, elementType: .int64, maxCapacity: 8),
    ])
    var state: UInt64 = 42
    func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
    let langs = ["en", "fr", "de", "ja"]
    var columns: [Column] = []
    let ages = (0..<rows).map { _ in Int32(next() % 100) }
    let scores = (0..<rows).map { _ in Double(next() % 1000) / 1000 }
    var scoreValid = Bitset(count: rows)
    for i in 0..<rows where next() % 10 != 0 { scoreValid.insert(i) }
    let names = (0..<rows).map { _ in "n\(next() % 10_000)" }
    let metas = (0..<rows).map { _ in FieldValue.object(["lang": .string(langs[Int(next() % 4)])]) }
    var offsets = [0]
    var elements: [Int64] = []
    for _ in 0..<rows {
        for _ in 0..<(next() % 5) { elements.append(Int64(next() % 50)) }
        offsets.append(elements.count)
    }
    columns.append(Column(name: "id", data: .int64((0..<rows).map { Int64($0) })))
    columns.append(Column(name: "v", data: .floatVector(dimension: 1, values: [Float](repeating: 0, count: rows))))
    columns.append(Column(name: "age", data: .int32(ages)))
    columns.append(Column(name: "score", data: .double(scores), validity: scoreValid))
    columns.append(Column(name: "name", data: .string(names)))
    columns.append(Column(name: "meta", data: .json(metas)))
    columns.append(Column(name: "nums", data: .array(ArrayColumn(offsets: offsets, elements: .int64(elements)))))
    let batch = try RowBatch(schema: schema, columns: columns)

    func time(_ body: () throws -> Int) rethrows -> (Double, Int) {
        var best = Double.infinity
        var result = 0
        for _ in 0..<reps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            result = try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0))
        }
        return (best / Double(rows), result)
    }

    print("rows \(rows), best of \(reps)")
    let (base, baseCount) = time {
        var b = Bitset(count: rows)
        for i in 0..<rows where ages[i] > 30 { b.insert(i) }
        return b.popcount
    }
    func report(_ label: String, _ ns: Double, _ matches: Int) {
        let padded = label.padding(toLength: max(44, label.count), withPad: " ", startingAt: 0)
        print("\(padded) \(String(format: "%7.2f", ns)) ns/row  \(matches) matches")
    }
    report("baseline: plain loop into Bitset, age > 30", base, baseCount)
    let defaults = [
        "age > 30", "score < 0.5", "age > 30 and score < 0.5", "age + 1 > 31", "age in [1, 5, 30, 99]",
        "20 < age < 40 or not (score >= 0.1)", "name like \"n12%\"", "name == \"n42\"", "meta[\"lang\"] == \"en\"",
        "array_contains(nums, 7)", "array_length(nums) >= 3",
    ]
    for text in flags.string("--expr").map({ [$0] }) ?? defaults {
        let f = try FilterExpression(text, schema: schema)
        let (ns, count) = try time { try f.evaluate(on: batch).popcount }
        report(text, ns, count)
    }
}
