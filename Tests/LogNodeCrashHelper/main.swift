// LogNodeCrashHelper: the child process of the log node's SIGKILL test.
//
//   LogNodeCrashHelper <data-dir> <round>
//
// Opens a LogNode on <data-dir> (recovering its channels), prints "ready", then runs four concurrent
// appenders forever, appender k writing to channel c<round % 3>-s<k> (so channels are reopened across rounds)
// with decreasing-and-increasing timestamps (the node must store them non-decreasing). After each append
// is acknowledged (fsynced) it prints one line with one write(2):
//   ack <collection> <shard> <position> <stored timestamp> <payload>
// The parent kills it with SIGKILL at a random moment and checks the reopened node has every acknowledged
// record, byte for byte, at its position.
import Foundation
import Node
import Shard

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("LogNodeCrashHelper: \(message)\n".utf8))
    exit(2)
}

func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let args = CommandLine.arguments
guard args.count == 3, let round = Int(args[2]) else { fail("usage: LogNodeCrashHelper <data-dir> <round>") }

let node: LogNode
do { node = try LogNode(configuration: LogNode.Configuration(dataDirectory: args[1])) } catch { fail("open: \(error)") }
say("ready")
await withTaskGroup(of: Void.self) { group in
    for appender in 0..<4 {
        group.addTask {
            let channel = ChannelName(collection: Int64(round % 3), shard: appender)
            var n = 0
            while true {
                let payload = "r\(round)-a\(appender)-n\(n)-" + String(repeating: "x", count: n % 97)
                // Timestamps wander: some appends carry one below the channel's last.
                let timestamp = UInt64(1_000 * round + n) - UInt64(n % 5 == 4 ? 3 : 0)
                do {
                    let ack = try await node.append(AppendToChannel(
                        channel: channel, recordKind: .insertBatch, timestamp: timestamp, payload: Array(payload.utf8)))
                    say("ack \(channel.collection) \(channel.shard) \(ack.position.rawValue) \(ack.timestamp) \(payload)")
                } catch {
                    fail("round \(round) appender \(appender) step \(n): \(error)")
                }
                n += 1
            }
        }
    }
}
