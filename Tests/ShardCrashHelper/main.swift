// ShardCrashHelper: the child process of the ChannelLog crash test (and scripts/log-soak.sh), and with `shard`
// as first argument of the Shard crash test (ShardCrashWorkload.swift, scripts/shard-soak.sh).
//
//   ShardCrashHelper <log-dir> <round> <writers> <segment-bytes> [max-records-per-writer]
//
// Opens the log (running recovery), then `writers` concurrent tasks append CrashWorkload records; after each
// append returns (the record is fsynced) it prints `ack <position> <round> <writer> <seq>` with one write(2),
// so a line on stdout means the record was acknowledged. The parent kills it with SIGKILL at a random moment.
//
// With SHARD_CRASH_HELPER_FSIZE=<bytes> in the environment, files are limited to that size (RLIMIT_FSIZE, with
// SIGXFSZ ignored) so a write fails part-way: the first failing append prints `failed <error>`, one more
// append prints `after <error>`, and the process exits 0. This exercises the writer's failure path and a
// real partial write for recovery to cut off.
import Foundation
import Shard

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ShardCrashHelper: \(message)\n".utf8))
    exit(2)
}

let args = CommandLine.arguments
// `ShardCrashHelper shard <dir> <round> [max-ops]`: the Shard crash workload (ShardCrashWorkload.swift).
if args.count > 1, args[1] == "shard" { ShardCrashWorkload.run(Array(args.dropFirst(2))) }
guard args.count >= 5, let round = UInt32(args[2]), let writers = Int(args[3]), writers > 0,
    let segmentBytes = Int(args[4])
else { fail("usage: ShardCrashHelper <log-dir> <round> <writers> <segment-bytes> [max-records-per-writer]") }
let maxRecords = args.count > 5 ? UInt64(args[5]) ?? UInt64.max : UInt64.max

let fileSizeLimit = ProcessInfo.processInfo.environment["SHARD_CRASH_HELPER_FSIZE"].flatMap { UInt64($0) }
if let fileSizeLimit {
    signal(SIGXFSZ, SIG_IGN)
    var limit = rlimit(rlim_cur: rlim_t(fileSizeLimit), rlim_max: rlim_t(fileSizeLimit))
    guard setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0 else { fail("setrlimit failed") }
}

let log: ChannelLog
do {
    log = try ChannelLog(directory: args[1], options: .init(segmentBytes: segmentBytes))
} catch {
    fail("open: \(error)")
}
FileHandle.standardOutput.write(Data("ready \(log.endPosition.rawValue)\n".utf8))

await withTaskGroup(of: Void.self) { group in
    for writer in 0..<writers {
        group.addTask {
            var sequence: UInt64 = 0
            while sequence < maxRecords {
                let tag = CrashWorkload.Tag(round: round, writer: UInt32(writer), sequence: sequence)
                let record = CrashWorkload.record(tag)
                do {
                    let position = try await log.append(kind: record.kind, timestamp: record.timestamp, payload: record.payload)
                    FileHandle.standardOutput.write(Data("ack \(position.rawValue) \(round) \(writer) \(sequence)\n".utf8))
                } catch {
                    guard fileSizeLimit != nil else { fail("append: \(error)") }
                    FileHandle.standardOutput.write(Data("failed \(error)\n".utf8))
                    do {
                        _ = try await log.append(kind: record.kind, timestamp: record.timestamp, payload: record.payload)
                        FileHandle.standardOutput.write(Data("after success\n".utf8))
                    } catch {
                        FileHandle.standardOutput.write(Data("after \(error)\n".utf8))
                    }
                    exit(0)
                }
                sequence += 1
            }
        }
    }
}
log.close()
FileHandle.standardOutput.write(Data("done\n".utf8))
