import Foundation
import ShardCrashHelper

/// One round of a kill test: runs the crash-helper child with `arguments`, kills it with SIGKILL at a random
/// moment — sometimes during start-up and recovery, usually after it has printed a random number of lines
/// plus a few milliseconds — and returns the complete lines it printed (a line cut by the kill is not an
/// acknowledgement). Shared by the log and shard crash tests, which differ only in their timing parameters.
enum CrashChild {
    struct Timing {
        /// One round in `startupKillOneIn` is killed after a random sleep below `startupMaxMicros`.
        var startupKillOneIn: UInt64
        var startupMaxMicros: UInt64
        /// Otherwise the child is killed after `minLines + random(0..<extraLines)` lines and a settle below
        /// `settleMaxMicros`.
        var minLines: Int
        var extraLines: UInt64
        var settleMaxMicros: UInt64
    }

    struct ExitedByItself: Error, CustomStringConvertible {
        let description: String
    }

    static func runAndKill(helper: String, arguments: [String], round: Int, timing: Timing,
                           rng: inout CrashWorkload.Generator) throws -> [Substring] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let reader = pipe.fileHandleForReading
        var head = Data()
        if rng.next() % timing.startupKillOneIn == 0 {
            usleep(UInt32(rng.next() % timing.startupMaxMicros))
        } else {
            let lines = timing.minLines + Int(rng.next() % timing.extraLines)
            while head.reduce(0, { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }) < lines {
                let chunk = reader.availableData
                if chunk.isEmpty { break }  // the child exited; its stderr explains why
                head.append(chunk)
            }
            usleep(UInt32(rng.next() % timing.settleMaxMicros))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        head.append(reader.readDataToEndOfFile())
        if process.terminationReason == .exit {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw ExitedByItself(description: "round \(round): the child exited by itself (status \(process.terminationStatus)): \(message)")
        }
        let output = String(decoding: head, as: UTF8.self)
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        if !output.hasSuffix("\n") { lines.removeLast() }
        return lines
    }
}
