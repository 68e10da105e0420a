import Foundation
import Shard

/// The workload of the Shard crash test (`ShardCrashHelper shard <dir> <round> [max-ops]`): random inserts,
/// upserts, deletes by key and by filter, flushes and compactions through a `Shard`, each announced before it
/// starts (`op <seq> <kind> <args>`) and acknowledged once it returned (`ack <seq>`), one write(2) per line.
/// The parent kills it with SIGKILL and checks the reopened shard against the acknowledged operations.
///
/// Every row's vector is a function of its key and value (`vector(id:value:)`), so a torn row shows.
public enum ShardCrashWorkload {
    public static let dimension = 4
    public static let schema = CollectionSchema(fields: [
        FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
        FieldSchema(name: "vec", dataType: .floatVector, dimension: dimension),
        FieldSchema(name: "val", dataType: .int64),
    ])
    public static let indexes = [IndexSpec(fieldName: "vec", kind: .hnsw(m: 8, efConstruction: 32), metric: .l2)]
    /// Small limits so rounds seal, flush and build graphs often.
    public static func options() -> ShardOptions {
        var o = ShardOptions()
        o.sealPolicy = SealPolicy(maxRows: 150, maxBytes: 1 << 30, maxAgeMilliseconds: 1 << 40)
        o.growingHNSWThreshold = 60
        o.smallSegmentRows = 400
        o.workerThreads = 1
        return o
    }

    public static func vector(id: Int64, value: Int64) -> [Float] {
        [Float(id % 1000), Float(value % 1000), Float((id ^ value) % 97), 1 + Float(id % 7)]
    }

    public static func batch(_ rows: [(id: Int64, value: Int64)]) throws -> RowBatch {
        try RowBatch(schema: schema, columns: [
            Column(name: "id", data: .int64(rows.map(\.id))),
            Column(name: "vec", data: .floatVector(dimension: dimension, values: rows.flatMap { vector(id: $0.id, value: $0.value) })),
            Column(name: "val", data: .int64(rows.map(\.value))),
        ])
    }

    /// The filter of a `delf <r>` operation.
    public static func filter(_ r: Int64) -> String { "val % 97 == \(r)" }

    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("ShardCrashHelper shard: \(message)\n".utf8))
        exit(2)
    }

    public static func run(_ args: [String]) -> Never {
        guard args.count >= 2, let round = UInt64(args[1]) else { fail("usage: ShardCrashHelper shard <dir> <round> [max-ops] [seed]") }
        let maxOps = args.count > 2 ? Int(args[2]) ?? Int.max : Int.max
        let shard: Shard
        do { shard = try Shard.open(directory: args[0], schema: schema, indexes: indexes, options: options()) } catch {
            fail("open: \(error)")
        }
        var live: [Int64: Int64] = [:]
        do {
            let rows = try shard.query(outputFields: ["val"], limit: 16_384)
            for i in 0..<rows.count {
                if case .int(let id) = rows.primaryKeys[i], case .int(let v) = rows.row(i)["val"] { live[id] = v }
            }
        } catch { fail("query: \(error)") }
        say("ready \(live.count)")
        var rng = CrashWorkload.Generator(seed: round &* 0x9E37_79B9_7F4A_7C15 &+ (args.count > 3 ? UInt64(args[3]) ?? 0 : 0))
        var ts = shard.statistics.lastTimestamp + 1
        var nextID = Int64(round) * 1_000_000
        for seq in 0..<maxOps {
            let dice = Int.random(in: 0..<100, using: &rng)
            let keys = Array(live.keys)
            do {
                if dice < 50 || keys.isEmpty {
                    let rows = (0..<Int.random(in: 1...10, using: &rng)).map { _ -> (id: Int64, value: Int64) in
                        nextID += 1
                        return (nextID, Int64.random(in: 0..<1_000_000, using: &rng))
                    }
                    say("op \(seq) ins " + rows.map { "\($0.id):\($0.value)" }.joined(separator: ","))
                    try shard.insert(try batch(rows), timestamp: ts)
                    for r in rows { live[r.id] = r.value }
                } else if dice < 70 {
                    let ids = Set((0..<Int.random(in: 1...5, using: &rng)).map { _ in keys.randomElement(using: &rng)! })
                    let rows = ids.sorted().map { (id: $0, value: Int64.random(in: 0..<1_000_000, using: &rng)) }
                    say("op \(seq) ups " + rows.map { "\($0.id):\($0.value)" }.joined(separator: ","))
                    try shard.upsert(try batch(rows), timestamp: ts)
                    for r in rows { live[r.id] = r.value }
                } else if dice < 85 {
                    let ids = Set((0..<Int.random(in: 1...5, using: &rng)).map { _ in keys.randomElement(using: &rng)! })
                    say("op \(seq) del " + ids.sorted().map(String.init).joined(separator: ","))
                    try shard.delete(primaryKeys: ids.map { .int($0) }, timestamp: ts)
                    for id in ids { live[id] = nil }
                } else if dice < 90 {
                    let r = Int64.random(in: 0..<97, using: &rng)
                    say("op \(seq) delf \(r)")
                    try shard.delete(where: filter(r), timestamp: ts)
                    live = live.filter { $0.value % 97 != r }
                } else if dice < 97 {
                    say("op \(seq) flush")
                    try shard.flush()
                } else {
                    say("op \(seq) compact")
                    try shard.compact()
                }
            } catch {
                fail("op \(seq): \(error)")
            }
            say("ack \(seq)")
            ts += 1
        }
        shard.close()
        say("done")
        exit(0)
    }
}

