// `vecbench rpc`'s role-level rows: a real LogNode served on the transport being measured, with
// AppendToChannel (small payload, fsync before the reply, group commit) and ReadChannel round trips.
import Foundation
import Node
import Runtime
import Shard
import Wire

/// Payload of each benchmark append (a small insert batch).
private let appendPayloadBytes = 64
/// Records per benchmark read (a tailing consumer's batch).
private let readRecords = 16

/// Starts a log node in a fresh directory under `parent`, serves it on `transport`, and measures appends then
/// reads for each in-flight level, printing one row per case in `vecbench rpc`'s table format.
func runLogNodeRows(
    transportName: String, transport: any WireTransport, inFlights: [Int], duration: Duration, parent: String
) async throws {
    let directory = parent + "/vecbench-lognode-\(transportName)-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let node = try LogNode(configuration: LogNode.Configuration(dataDirectory: directory),
                           logger: Logger(role: "lognode", sink: { _ in }))
    let listener = try await transport.listen(on: WireAddress(host: "127.0.0.1", port: 0), handler: node.router())
    let client = transport.client(for: listener.address)
    let channel = ChannelName(collection: 1, shard: 0)
    let payload = [UInt8](repeating: 0xAB, count: appendPayloadBytes)
    for inFlight in inFlights {
        let before = node.statistics(of: channel)
        let result = try await measure(inFlight: inFlight, duration: duration) { i in
            let ack = try await client.call(AppendToChannel(
                channel: channel, recordKind: .insertBatch, timestamp: UInt64(i), payload: payload))
            guard ack.timestamp >= UInt64(i) else { throw BenchError("append stored a lower timestamp") }
        }
        let after = node.statistics(of: channel)
        let commits = (after?.groupCommits ?? 0) - (before?.groupCommits ?? 0)
        let records = (after?.appendedRecords ?? 0) - (before?.appendedRecords ?? 0)
        printRPCRow(transport: transportName, call: "append", inFlight: inFlight, result: result,
                    note: String(format: "  %.1f appends/fsync", Double(records) / Double(max(commits, 1))))
    }
    let end = try node.describe(channel).end.rawValue
    guard end > UInt64(readRecords) else { throw BenchError("too few records appended to measure reads") }
    for inFlight in inFlights {
        let result = try await measure(inFlight: inFlight, duration: duration) { i in
            let from = UInt64(i &* 7919) % (end - UInt64(readRecords))
            let batch = try await client.call(ReadChannel(channel: channel, from: LogPosition(from), maxRecords: readRecords))
            guard batch.records.count == readRecords else { throw BenchError("short read") }
        }
        printRPCRow(transport: transportName, call: "read\(readRecords)", inFlight: inFlight, result: result, note: "")
    }
    await listener.stop()
    await node.stop()
}
