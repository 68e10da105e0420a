import Foundation
import Shard
import Testing
import TestSupport
import Wire

@testable import Node

/// The durability bar with a real crash: a child process (LogNodeCrashHelper) runs a log node with four
/// concurrent appenders and prints every acknowledgement; it is killed with SIGKILL at a random moment, then
/// the node is reopened here and every acknowledged record must be at its position, byte for byte, with its
/// acknowledged timestamp, and every channel's timestamps must be non-decreasing.
@Suite struct LogNodeCrashTests {
    struct CrashTestError: Error, CustomStringConvertible {
        let description: String
    }

    struct Ack: Equatable {
        let timestamp: UInt64
        let payload: String
    }

    static func helperPath() throws -> String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("LogNodeCrashHelper").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw CrashTestError(description: "LogNodeCrashHelper not found near \(exe.path); run `swift build --product LogNodeCrashHelper`")
    }

    /// Runs the child, kills it with SIGKILL (sometimes during start-up and recovery, usually after a random
    /// number of acknowledgements) and returns its complete output lines.
    static func runAndKill(helper: String, directory: String, round: Int, rng: inout SplitMix64) throws -> [Substring] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = [directory, String(round)]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let reader = out.fileHandleForReading
        var head = Data()
        if rng.next() % 6 == 0 {
            usleep(UInt32(rng.next() % 20_000))
        } else {
            let wanted = 2 + Int(rng.next() % 400)  // "ready", then acknowledgements
            while head.reduce(0, { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }) < wanted {
                let chunk = reader.availableData
                if chunk.isEmpty { break }  // the child exited; its stderr says why
                head.append(chunk)
            }
            usleep(UInt32(rng.next() % 3_000))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        head.append(reader.readDataToEndOfFile())
        guard process.terminationReason == .uncaughtSignal else {
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw CrashTestError(description: "round \(round): the child exited by itself (status \(process.terminationStatus)): \(message)")
        }
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if !text.hasSuffix("\n") { lines.removeLast() }  // a line cut by the kill is not an acknowledgement
        return lines
    }

    @Test func sigkillLosesNoAcknowledgedAppend() async throws {
        let helper = try Self.helperPath()
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let seed: UInt64 = 0x106_0DE
        var rng = SplitMix64(seed: seed)
        var acked: [ChannelName: [UInt64: Ack]] = [:]
        var total = 0
        for round in 0..<6 {
            let lines = try Self.runAndKill(helper: helper, directory: dir.path, round: round, rng: &rng)
            for line in lines where line.hasPrefix("ack ") {
                let f = line.split(separator: " ")
                guard f.count == 6, let collection = Int64(f[1]), let shard = Int(f[2]), let position = UInt64(f[3]),
                      let timestamp = UInt64(f[4])
                else { throw CrashTestError(description: "malformed helper line '\(line)'") }
                acked[ChannelName(collection: collection, shard: shard), default: [:]][position] = Ack(timestamp: timestamp, payload: String(f[5]))
                total += 1
            }
            // Reopen here and check every acknowledgement so far.
            let node = try LogNode(configuration: LogNode.Configuration(dataDirectory: dir.path))
            #expect(node.refusedChannels.isEmpty, "seed \(seed) round \(round): \(node.refusedChannels)")
            for (channel, records) in acked {
                let state = try node.describe(channel)
                var stored: [ChannelRecord] = []
                while stored.count < Int(state.end.rawValue) {
                    let batch = try await node.read(ReadChannel(channel: channel, from: LogPosition(UInt64(stored.count))))
                    stored += batch.records
                }
                #expect(zip(stored, stored.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp },
                        "seed \(seed) round \(round) \(channel): timestamps decrease")
                #expect(state.lastTimestamp == stored.last?.timestamp ?? 0)
                for (position, ack) in records {
                    guard position < UInt64(stored.count) else {
                        Issue.record("seed \(seed) round \(round) \(channel): acknowledged position \(position) lost (end \(stored.count))")
                        continue
                    }
                    let record = stored[Int(position)]
                    #expect(Ack(timestamp: record.timestamp, payload: String(decoding: record.payload, as: UTF8.self)) == ack,
                            "seed \(seed) round \(round) \(channel) @\(position)")
                }
            }
            await node.stop()
        }
        #expect(total > 100, "too few acknowledgements to mean anything: \(total)")
    }
}
