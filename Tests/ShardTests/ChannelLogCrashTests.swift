import Foundation
import Testing

@testable import Shard
@testable import ShardCrashHelper

/// The durability bar: a child process appends to a ChannelLog and prints every acknowledgement; it is killed
/// with SIGKILL at random moments, and every acknowledged record must then be present, byte-exact and in order,
/// with no torn or foreign record.
@Suite struct ChannelLogCrashTests {
    /// The helper executable, built by `swift test` because the test target depends on it; it sits next to the
    /// test bundle in the build directory.
    static func helperPath() throws -> String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("ShardCrashHelper").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw CrashTestError("ShardCrashHelper not found near \(exe.path); run `swift build --product ShardCrashHelper`")
    }

    struct CrashTestError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// Runs `rounds` kill-and-verify rounds on one log directory; returns how many acknowledgements were checked.
    static func runRounds(_ rounds: Int, seed: UInt64, directory: String) throws -> (acks: Int, roundsWithAcks: Int) {
        let helper = try helperPath()
        var rng = CrashWorkload.Generator(seed: seed)
        var acked: [UInt64: CrashWorkload.Tag] = [:]
        var roundsWithAcks = 0
        for round in 0..<rounds {
            let lines = try CrashChild.runAndKill(
                helper: helper, arguments: [directory, String(round), String(1 + Int(rng.next() % 6)), "16384"],
                round: round,
                timing: .init(startupKillOneIn: 8, startupMaxMicros: 20_000, minLines: 1, extraLines: 40, settleMaxMicros: 5_000),
                rng: &rng)
            var roundAcks = 0
            for line in lines where line.hasPrefix("ack ") {
                let f = line.split(separator: " ")
                guard f.count == 5, let lsn = UInt64(f[1]), let r = UInt32(f[2]), let w = UInt32(f[3]), let s = UInt64(f[4])
                else { throw CrashTestError("round \(round): malformed helper line '\(line)'") }
                let tag = CrashWorkload.Tag(round: r, writer: w, sequence: s)
                if let previous = acked[lsn], previous != tag {
                    throw CrashTestError("round \(round): position \(lsn) acknowledged twice (\(previous), \(tag))")
                }
                acked[lsn] = tag
                roundAcks += 1
            }
            if roundAcks > 0 { roundsWithAcks += 1 }
            try verify(directory: directory, acked: acked, round: round)
        }
        return (acked.count, roundsWithAcks)
    }

    /// Reopens the log and checks every record against the workload and the acknowledgements.
    static func verify(directory: String, acked: [UInt64: CrashWorkload.Tag], round: Int) throws {
        let log = try ChannelLog(directory: directory, options: .init(segmentBytes: 16384))
        defer { log.close() }
        guard log.firstPosition == .start else { throw CrashTestError("round \(round): log starts at \(log.firstPosition)") }
        var next = LogPosition.start
        var seen: [CrashWorkload.Tag: UInt64] = [:]
        var highest: [[UInt32]: UInt64] = [:]  // [round, writer] -> next expected sequence
        while true {
            let batch = try log.read(from: next, maxRecords: 4096)
            if batch.isEmpty { break }
            for record in batch {
                guard record.position == next else {
                    throw CrashTestError("round \(round): expected position \(next), read \(record.position)")
                }
                guard let tag = CrashWorkload.tag(of: record.payload) else {
                    throw CrashTestError("round \(round): record \(record.position) has no workload header")
                }
                let expected = CrashWorkload.record(tag)
                guard record.payload == expected.payload, record.kind == expected.kind, record.timestamp == expected.timestamp else {
                    throw CrashTestError("round \(round): record \(record.position) (\(tag)) differs from what was written")
                }
                guard seen.updateValue(record.position.rawValue, forKey: tag) == nil else {
                    throw CrashTestError("round \(round): \(tag) appears twice")
                }
                // Each writer appends sequentially, so its records appear in sequence order without gaps.
                let key = [tag.round, tag.writer]
                guard tag.sequence == highest[key, default: 0] else {
                    throw CrashTestError("round \(round): \(tag) out of order (expected seq \(highest[key, default: 0]))")
                }
                highest[key] = tag.sequence + 1
                next = record.position.next
            }
        }
        guard log.endPosition == next else { throw CrashTestError("round \(round): end \(log.endPosition) after reading to \(next)") }
        for (lsn, tag) in acked {
            guard seen[tag] == lsn else {
                throw CrashTestError("round \(round): acknowledged \(tag) at position \(lsn) is missing after the crash (found at \(seen[tag].map(String.init) ?? "nowhere"))")
            }
        }
    }

    @Test(.timeLimit(.minutes(2))) func acknowledgedRecordsSurviveSigkill() async throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-crash")
        defer { StorageTestSupport.remove(dir) }
        let seed: UInt64 = 20_261_128
        let result = try await StorageTestSupport.onDedicatedThread {
            do { return try ChannelLogCrashTests.runRounds(50, seed: seed, directory: dir) } catch {
                throw CrashTestError("seed \(seed): \(error)")
            }
        }
        // The test only means something if most rounds got to acknowledge records before the kill.
        #expect(result.roundsWithAcks >= 30, "seed \(seed): only \(result.roundsWithAcks) of 50 rounds acknowledged records")
        #expect(result.acks >= 500, "seed \(seed): only \(result.acks) acknowledgements")
    }

    /// A write that fails part-way (file size limit reached: EFBIG after a short write) fails that append and
    /// every later one, and reopening cuts the partial record off and keeps every acknowledged record.
    @Test func failedWriteStopsAppendsAndRecovers() async throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-efbig")
        defer { StorageTestSupport.remove(dir) }
        let helper = try Self.helperPath()
        let output = try await StorageTestSupport.onDedicatedThread { () -> String in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: helper)
            process.arguments = [dir, "0", "1", String(1 << 20)]
            process.environment = ["SHARD_CRASH_HELPER_FSIZE": "200000"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let lines = output.split(separator: "\n")
        let failed = lines.first { $0.hasPrefix("failed ") }.map(String.init) ?? ""
        let after = lines.first { $0.hasPrefix("after ") }.map(String.init) ?? ""
        #expect(failed.contains("stopped accepting appends") && failed.contains("File too large"), "\(failed)")
        #expect(after.contains("stopped accepting appends"), "a failed log must refuse later appends: \(after)")
        var acked: [UInt64: CrashWorkload.Tag] = [:]
        for line in lines where line.hasPrefix("ack ") {
            let f = line.split(separator: " ")
            acked[UInt64(f[1])!] = CrashWorkload.Tag(round: 0, writer: 0, sequence: UInt64(f[4])!)
        }
        #expect(acked.count > 10)
        do {
            let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 1 << 20))
            defer { log.close() }
            #expect(log.recoveryReport.truncatedBytes > 0, "the short write left a partial record to cut off")
            #expect(log.endPosition == LogPosition(UInt64(acked.count)), "only the acknowledged records remain")
        }
        try Self.verify(directory: dir, acked: acked, round: 0)
    }

    /// The long version, run by `scripts/log-soak.sh` (skipped unless `SHARD_LOG_SOAK_ROUNDS` is set).
    @Test(
        .enabled(if: ProcessInfo.processInfo.environment["SHARD_LOG_SOAK_ROUNDS"] != nil),
        .timeLimit(.minutes(120)))
    func soak() async throws {
        let env = ProcessInfo.processInfo.environment
        let rounds = Int(env["SHARD_LOG_SOAK_ROUNDS"] ?? "") ?? 500
        let seed = UInt64(env["SHARD_LOG_SOAK_SEED"] ?? "") ?? 1
        // Fresh directories every 50 rounds keep each round's full re-verification short.
        var result = (acks: 0, roundsWithAcks: 0)
        for chunk in 0..<((rounds + 49) / 50) {
            let dir = StorageTestSupport.makeTemporaryDirectory("log-soak")
            defer { StorageTestSupport.remove(dir) }
            let part = try await StorageTestSupport.onDedicatedThread {
                do {
                    return try ChannelLogCrashTests.runRounds(min(50, rounds - chunk * 50), seed: seed &+ UInt64(chunk), directory: dir)
                } catch {
                    throw CrashTestError("seed \(seed), chunk \(chunk): \(error)")
                }
            }
            result.acks += part.acks
            result.roundsWithAcks += part.roundsWithAcks
        }
        print("log soak: seed \(seed), \(rounds) rounds, \(result.roundsWithAcks) with acknowledgements, \(result.acks) acknowledged records verified")
        #expect(result.roundsWithAcks >= rounds / 2, "seed \(seed)")
    }
}
