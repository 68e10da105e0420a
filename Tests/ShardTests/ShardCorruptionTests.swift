import Foundation
import Testing
import VecCore

@testable import Shard

/// Flips and truncates bytes in every kind of file a shard writes — segment data objects, HNSW index objects,
/// the manifest, the log — and deletes objects: opening must then either fail with a `ShardError` or recover
/// cleanly to a correct state (for the log: the state after some prefix of the unflushed writes; for
/// everything else: the exact state). Never a crash, never wrong data.
@Suite struct ShardCorruptionTests {
    static let d = 4
    static let schema = ShardFixtures.schema(dimension: d)
    static let indexes = [IndexSpec(fieldName: "vec", kind: .hnsw(m: 8, efConstruction: 32), metric: .l2)]
    static func options() -> ShardOptions { ShardFixtures.options(hnswThreshold: 20) }

    typealias State = [Int64: [Float]]

    static func vectors(_ ids: [Int64], salt: Float = 0) -> [Float] {
        ids.flatMap { id in (0..<d).map { Float(id) * 0.5 + Float($0) + salt } }
    }

    static func state(_ shard: Shard) throws -> State {
        let rows = try shard.query(outputFields: ["vec"], limit: 10_000)
        guard case .floatVector(_, let v)? = rows.column(named: "vec")?.data else { return [:] }
        var out: State = [:]
        for i in 0..<rows.count {
            guard case .int(let id) = rows.primaryKeys[i] else { continue }
            out[id] = Array(v[(i * d)..<((i + 1) * d)])
        }
        // A search must find every row's own vector at distance 0 for a sample of rows.
        for id in out.keys.sorted().prefix(5) {
            let hits = try shard.search(out[id]!, field: "vec", k: 1)
            #expect(hits[0].distances.first == 0)
        }
        return out
    }

    /// Builds the pristine shard; returns the acceptable states for a damaged log (prefixes) — the last one is
    /// the full state.
    static func buildPristine(_ dir: String) throws -> [State] {
        let shard = try Shard.open(directory: dir, schema: schema, indexes: indexes, options: options())
        defer { shard.close() }
        try shard.insert(try ShardFixtures.batch(schema, ids: Array(0..<60), vectors: vectors(Array(0..<60))), timestamp: 1)
        try shard.flush()
        try shard.insert(try ShardFixtures.batch(schema, ids: Array(60..<120), vectors: vectors(Array(60..<120))), timestamp: 2)
        try shard.delete(primaryKeys: [.int(3), .int(70)], timestamp: 3)
        try shard.flush()
        var states = [try state(shard)]
        try shard.insert(try ShardFixtures.batch(schema, ids: Array(120..<130), vectors: vectors(Array(120..<130))), timestamp: 4)
        states.append(try state(shard))
        try shard.delete(primaryKeys: [.int(5), .int(125)], timestamp: 5)
        states.append(try state(shard))
        try shard.upsert(try ShardFixtures.batch(schema, ids: [6, 126], vectors: vectors([6, 126], salt: 0.25)), timestamp: 6)
        states.append(try state(shard))
        return states
    }

    static func files(under dir: String) -> [String] {
        let e = FileManager.default.enumerator(atPath: dir)!
        var out: [String] = []
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = dir + "/" + p
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue, !p.hasSuffix("LOCK") {
                out.append(p)
            }
        }
        return out.sorted()
    }

    enum Damage: CustomStringConvertible {
        case flip(Int), truncate(Int), remove
        var description: String {
            switch self {
            case .flip(let o): "flip byte \(o)"
            case .truncate(let n): "truncate to \(n) bytes"
            case .remove: "delete"
            }
        }
    }

    @Test func damagedFilesGiveAnErrorOrACleanRecovery() throws {
        let pristine = ShardFixtures.directory("pristine")
        defer { try? FileManager.default.removeItem(atPath: pristine) }
        let states = try Self.buildPristine(pristine)
        let full = states.last!
        let all = Self.files(under: pristine)
        #expect(all.contains("objects/manifest"))
        #expect(all.contains { $0.hasPrefix("objects/segments/") && $0.hasSuffix("/data") })
        #expect(all.contains { $0.contains("/index-") })
        #expect(all.contains { $0.hasPrefix("log/") && $0.hasSuffix(".seg") })
        var errors = 0
        var recoveries = 0
        for file in all {
            let size = (try FileManager.default.attributesOfItem(atPath: pristine + "/" + file)[.size] as? Int) ?? 0
            var damages: [Damage] = Set([0, 5, 9, 16, 21, 27, 40, size / 3, size / 2, size - 30, size - 9, size - 1])
                .filter { $0 >= 0 && $0 < size }.sorted().map { .flip($0) }
            damages += Set([0, 12, size / 2, size - 1]).filter { $0 >= 0 && $0 < size }.sorted().map { .truncate($0) }
            if file.hasPrefix("objects/") { damages.append(.remove) }
            for damage in damages {
                let trial = ShardFixtures.directory("trial")
                defer { try? FileManager.default.removeItem(atPath: trial) }
                try FileManager.default.removeItem(atPath: trial)
                try FileManager.default.copyItem(atPath: pristine, toPath: trial)
                let path = trial + "/" + file
                switch damage {
                case .flip(let o):
                    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                    bytes[o] ^= 0x40
                    try Data(bytes).write(to: URL(fileURLWithPath: path))
                case .truncate(let n):
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                    try bytes.prefix(n).write(to: URL(fileURLWithPath: path))
                case .remove:
                    try FileManager.default.removeItem(atPath: path)
                }
                do {
                    let shard = try Shard.open(directory: trial, schema: Self.schema, indexes: Self.indexes, options: Self.options())
                    let got = try Self.state(shard)
                    shard.close()
                    let acceptable = file.hasPrefix("log/") ? states : [full]
                    #expect(acceptable.contains(got), "\(file), \(damage): recovered \(got.count) rows, not a correct state")
                    recoveries += 1
                } catch let error as ShardError {
                    #expect(!error.description.isEmpty)
                    errors += 1
                } catch {
                    Issue.record("\(file), \(damage): error of unexpected type \(type(of: error)): \(error)")
                }
            }
        }
        print("shard corruption: \(errors) typed errors, \(recoveries) clean recoveries over \(all.count) files")
        // Most damage must be detected (checksums everywhere); some log damage may cleanly cut the tail.
        #expect(errors > 20, "errors \(errors), recoveries \(recoveries)")
    }
}
