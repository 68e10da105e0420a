import Foundation
import Testing

@testable import Shard
@testable import ShardCrashHelper

/// The Shard durability bar: a child process writes through a Shard (inserts, upserts, deletes by key and by
/// filter, flushes, compactions) and acknowledges each operation; it is SIGKILLed at random moments; the
/// reopened shard must hold every acknowledged row with its exact contents, no torn row, and no deleted or
/// replaced row resurrected. The one operation in flight at the kill may or may not have happened — but
/// wholly or not at all.
@Suite struct ShardCrashTests {
    typealias W = ShardCrashWorkload

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// Applies one announced operation to a model of the live rows.
    static func apply(_ op: [Substring], to model: inout [Int64: Int64]) throws {
        guard op.count >= 3 else { return }
        switch op[2] {
        case "ins", "ups":
            for pair in op[3].split(separator: ",") {
                let f = pair.split(separator: ":")
                guard f.count == 2, let id = Int64(f[0]), let v = Int64(f[1]) else { throw Failure("bad op \(op)") }
                model[id] = v
            }
        case "del":
            for id in op[3].split(separator: ",") { model[Int64(id)!] = nil }
        case "delf":
            let r = Int64(op[3])!
            model = model.filter { $0.value % 97 != r }
        case "flush", "compact":
            break
        default:
            throw Failure("unknown op \(op)")
        }
    }

    /// The rows of the reopened shard; checks contents against `vector(id:value:)` and key uniqueness.
    static func actual(_ directory: String) throws -> [Int64: Int64] {
        let shard = try Shard.open(directory: directory, schema: W.schema, indexes: W.indexes, options: W.options())
        defer { shard.close() }
        let rows = try shard.query(outputFields: ["vec", "val"], limit: 10_000_000)
        var out: [Int64: Int64] = [:]
        guard case .floatVector(_, let vectors)? = rows.column(named: "vec")?.data,
            case .int64(let values)? = rows.column(named: "val")?.data
        else { throw Failure("query returned no vec/val columns") }
        for i in 0..<rows.count {
            guard case .int(let id) = rows.primaryKeys[i] else { throw Failure("non-integer key") }
            if out[id] != nil { throw Failure("key \(id) visible twice") }
            let expected = W.vector(id: id, value: values[i])
            if Array(vectors[(i * W.dimension)..<((i + 1) * W.dimension)]) != expected {
                throw Failure("torn row \(id): vector does not match its value \(values[i])")
            }
            out[id] = values[i]
        }
        // A search must agree with the query on what is live.
        if let anyID = out.keys.min() {
            let hits = try shard.search(W.vector(id: anyID, value: out[anyID]!), field: "vec", k: 1)
            if hits[0].distances.first != 0 { throw Failure("search misses live row \(anyID)") }
        }
        return out
    }

    static func runRounds(_ rounds: Int, seed: UInt64, directory: String) throws -> (acks: Int, pendingApplied: Int) {
        let helper = try ChannelLogCrashTests.helperPath()
        var rng = CrashWorkload.Generator(seed: seed)
        var model: [Int64: Int64] = [:]
        var acks = 0
        var pendingApplied = 0
        for round in 1...rounds {
            let lines = try CrashChild.runAndKill(
                helper: helper, arguments: ["shard", directory, String(round), "100000", String(seed)], round: round,
                timing: .init(startupKillOneIn: 10, startupMaxMicros: 30_000, minLines: 2, extraLines: 400, settleMaxMicros: 4_000),
                rng: &rng)
            // Announced but unacknowledged operations: at most one per writer thread.
            var pending: [Substring: [Substring]] = [:]
            for line in lines {
                let f = line.split(separator: " ")
                if f.first == "op" {
                    // The main thread is sequential: a new announcement ends its previous (refused) one.
                    if !f[1].hasPrefix("b") { pending = pending.filter { $0.key.hasPrefix("b") } }
                    pending[f[1]] = f
                } else if f.first == "ack" {
                    guard f.count == 2, let p = pending.removeValue(forKey: f[1]) else {
                        throw Failure("round \(round): ack without op: \(line)")
                    }
                    try apply(p, to: &model)
                    acks += 1
                } else if f.first == "ready" {
                    guard f.count == 2, Int(f[1]) == model.count else {
                        throw Failure("round \(round): child recovered \(f.dropFirst()) rows, model has \(model.count)")
                    }
                }
            }
            let found = try actual(directory)
            // Background inserts (fresh keys, untouched by other operations) in flight: wholly or not at all.
            var mainPending: [Substring]?
            for (tag, op) in pending {
                guard tag.hasPrefix("b") else {
                    mainPending = op
                    continue
                }
                var after: [Int64: Int64] = [:]
                try apply(op, to: &after)
                let present = after.filter { found[$0.key] == $0.value }.count
                if present == after.count {
                    model.merge(after) { $1 }
                    pendingApplied += 1
                } else if present != 0 || after.keys.contains(where: { found[$0] != nil }) {
                    throw Failure("round \(round): in-flight insert \(tag) partly applied")
                }
            }
            if found == model { continue }
            if let p = mainPending {
                var after = model
                try apply(p, to: &after)
                if found == after {
                    model = after
                    pendingApplied += 1
                    continue
                }
            }
            let missing = model.filter { found[$0.key] != $0.value }.prefix(5)
            let extra = found.filter { model[$0.key] != $0.value }.prefix(5)
            throw Failure("round \(round): state differs from the acknowledged operations (pending \(mainPending?.joined(separator: " ") ?? "none")); "
                + "missing or changed \(Array(missing)), unexpected \(Array(extra))")
        }
        return (acks, pendingApplied)
    }

    @Test(.timeLimit(.minutes(2))) func acknowledgedWritesSurviveSigkill() throws {
        let directory = ShardFixtures.directory("crash")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try Self.runRounds(50, seed: 0x5AD_C0DE, directory: directory)
        #expect(result.acks > 200, "too few acknowledged operations (\(result.acks)) for the test to mean much")
    }

    /// The long version, run by `scripts/shard-soak.sh` (skipped unless `SHARD_SOAK_ROUNDS` is set).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SHARD_SOAK_ROUNDS"] != nil))
    func soak() throws {
        let env = ProcessInfo.processInfo.environment
        let rounds = Int(env["SHARD_SOAK_ROUNDS"] ?? "") ?? 500
        let seed = UInt64(env["SHARD_SOAK_SEED"] ?? "") ?? 1
        let directory = ShardFixtures.directory("soak")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try Self.runRounds(rounds, seed: seed, directory: directory)
        print("shard soak: \(rounds) rounds, \(result.acks) acknowledged operations, \(result.pendingApplied) in-flight operations applied")
    }
}
