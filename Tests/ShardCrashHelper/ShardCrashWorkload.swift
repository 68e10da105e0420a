import Foundation
import Shard

/// The workload of the Shard crash test (`ShardCrashHelper shard <dir> <round> [max-ops] [seed]`): a main
/// thread runs random inserts, upserts, deletes by key and by filter, flushes and compactions through a
/// `Shard`, while two background threads insert fresh keys concurrently (group commit). Each operation is
/// announced before it starts (`op <tag> <kind> <args>`) and acknowledged once it returned (`ack <tag>`), one
/// write(2) per line; an operation refused for a timestamp race is never acknowledged.
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
            let rows = try shard.query(outputFields: ["val"], limit: 10_000_000)
            for i in 0..<rows.count {
                if case .int(let id) = rows.primaryKeys[i], case .int(let v) = rows.row(i)["val"] { live[id] = v }
            }
        } catch { fail("query: \(error)") }
        say("ready \(live.count)")
        // Two background writers insert fresh keys concurrently (group commit); their values are ≡ 96 (mod 97)
        // so no `delf` (r < 96) touches them, and the main loop never picks their keys.
        let clock = TimestampClock(start: shard.statistics.lastTimestamp + 1)
        for writer in 1...2 {
            Thread.detachNewThread {
                var id = Int64(round) * 1_000_000 + 500_000 + Int64(writer) * 100_000
                for seq in 0..<maxOps {
                    let rows = (0..<(1 + seq % 4)).map { _ -> (id: Int64, value: Int64) in
                        id += 1
                        return (id, 97 * id + 96)
                    }
                    say("op b\(writer)-\(seq) ins " + rows.map { "\($0.id):\($0.value)" }.joined(separator: ","))
                    while true {
                        do {
                            try shard.insert(try batch(rows), timestamp: clock.next())
                            break
                        } catch ShardError.timestampRegression {
                            continue  // another writer was admitted with a later timestamp first: take a new one
                        } catch {
                            fail("background insert: \(error)")
                        }
                    }
                    say("ack b\(writer)-\(seq)")
                }
            }
        }
        var rng = CrashWorkload.Generator(seed: round &* 0x9E37_79B9_7F4A_7C15 &+ (args.count > 3 ? UInt64(args[3]) ?? 0 : 0))
        var nextID = Int64(round) * 1_000_000
        for seq in 0..<maxOps {
            let dice = Int.random(in: 0..<100, using: &rng)
            let ts = clock.next()
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
                    let r = Int64.random(in: 0..<96, using: &rng)
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
            } catch ShardError.timestampRegression {
                // Lost the race with a background writer: the operation did not happen (never acknowledged).
                continue
            } catch {
                fail("op \(seq): \(error)")
            }
            say("ack \(seq)")
        }
        shard.close()
        say("done")
        exit(0)
    }
}


/// Hands out increasing timestamps to the workload's threads.
final class TimestampClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt64
    init(start: UInt64) { value = start }
    func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
