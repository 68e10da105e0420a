// CoordinatorCrashHelper: the child process of the root coordinator's SIGKILL test.
//
//   CoordinatorCrashHelper <data-dir> <round>
//
// Opens a RootCoord on <data-dir> (recovering it), then loops forever: creates collection `r<round>_<n>`,
// allocates a batch of timestamps and a batch of ids. After each call returns (acknowledged, so durable) it
// prints one line with one write(2):
//   ack collection <name> <collection id>
//   ack ts <last timestamp of the batch>
//   ack id <last id of the batch>
// The parent kills it with SIGKILL at a random moment and checks the reopened coordinator.
import Coordinator
import Foundation
import Shard

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("CoordinatorCrashHelper: \(message)\n".utf8))
    exit(2)
}

func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let args = CommandLine.arguments
guard args.count == 3, let round = Int(args[2]) else { fail("usage: CoordinatorCrashHelper <data-dir> <round>") }

let schema = CollectionSchema(fields: [
    FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
    FieldSchema(name: "embedding", dataType: .floatVector, dimension: 4),
])

let coord: RootCoord
do { coord = try RootCoord(configuration: RootCoord.Configuration(dataDirectory: args[1])) } catch { fail("open: \(error)") }
say("ready")
var n = 0
while true {
    do {
        let name = "r\(round)_\(n)"
        let info = try await coord.createCollection(Catalog.CollectionRequest(name: name, schema: schema, shardsNum: 2))
        say("ack collection \(name) \(info.id.rawValue)")
        let ts = try await coord.allocateTimestamps(count: 1 + n % 50)
        say("ack ts \(ts.last.rawValue)")
        let ids = try await coord.allocateIDs(count: 1 + n % 300)
        say("ack id \(ids.upperBound - 1)")
    } catch {
        fail("round \(round) step \(n): \(error)")
    }
    n += 1
}
