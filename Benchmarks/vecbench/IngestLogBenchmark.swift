import Dispatch
import Foundation
import Shard

/// `vecbench log`: ChannelLog append throughput and latency with group commit (every append acknowledged only
/// after fsync), for several numbers of concurrent writers and batch sizes.
let logCommand = BenchCommand(
    name: "log", summary: "ChannelLog appends: N writers of 384-float x B-row batches, fsync before ack",
    run: runLogBenchmark)

private let logUsage = """
    usage: vecbench log [--dir DIR] [--writers 1,4,16,64] [--rows 1,16,256] [--dim 384] [--seconds 3]
      --dir      directory on the disk to measure (default: a fresh directory under $TMPDIR, removed after)
      --writers  concurrent appending tasks, comma-separated list
      --rows     rows per record (payload = rows x dim x 4 bytes), comma-separated list
      --seconds  duration of each configuration

    """

private func runLogBenchmark(_ args: [String]) throws {
    let flags = try FlagParser(
        args, valued: ["--dir", "--writers", "--rows", "--dim", "--seconds"], switches: ["--help", "-h"])
    if flags.has("--help") || flags.has("-h") {
        print(logUsage, terminator: "")
        return
    }
    let writerCounts = try flags.intList("--writers", default: [1, 4, 16, 64])
    let rowCounts = try flags.intList("--rows", default: [1, 16, 256])
    let dim = try flags.int("--dim", default: 384)
    let seconds = try flags.int("--seconds", default: 3)
    guard writerCounts.allSatisfy({ $0 > 0 }), rowCounts.allSatisfy({ $0 > 0 }), dim > 0, seconds > 0 else {
        throw BenchError("--writers, --rows, --dim and --seconds must be positive")
    }
    let userDir = flags.string("--dir")
    let root = userDir ?? NSTemporaryDirectory() + "/vecbench-log-\(getpid())"
    defer { if userDir == nil { try? FileManager.default.removeItem(atPath: root) } }

    print("ChannelLog append benchmark: dim \(dim), \(seconds) s per configuration, directory \(root)")
    print("writers  rows/rec  payload KB   records/s      rows/s     MB/s   fsyncs/s  recs/fsync   p50 ms   p99 ms")
    for rows in rowCounts {
        for writers in writerCounts {
            let dir = root + "/w\(writers)-r\(rows)"
            try? FileManager.default.removeItem(atPath: dir)
            let result = try measure(directory: dir, writers: writers, payloadBytes: rows * dim * 4, seconds: seconds)
            try? FileManager.default.removeItem(atPath: dir)
            let line = [
                pad(writers, 7), pad(rows, 9), pad(String(format: "%.1f", Double(rows * dim * 4) / 1024), 11),
                pad(String(format: "%.0f", result.records / result.elapsed), 11),
                pad(String(format: "%.0f", result.records * Double(rows) / result.elapsed), 11),
                pad(String(format: "%.1f", result.bytes / result.elapsed / 1e6), 8),
                pad(String(format: "%.0f", result.syncs / result.elapsed), 10),
                pad(String(format: "%.1f", result.records / max(result.syncs, 1)), 11),
                pad(String(format: "%.2f", result.p50), 8), pad(String(format: "%.2f", result.p99), 8),
            ]
            print(line.joined(separator: " "))
        }
    }
}

private func pad(_ v: some CustomStringConvertible, _ width: Int) -> String {
    let s = v.description
    return String(repeating: " ", count: max(0, width - s.count)) + s
}

private struct LogRun {
    var records: Double
    var bytes: Double
    var syncs: Double
    var elapsed: Double
    var p50: Double
    var p99: Double
}

/// Carries the writers' results out of the task that runs them.
private final class ResultSlot: @unchecked Sendable {
    var latencies: [UInt64] = []  // written once before the semaphore is signalled
}

private func measure(directory: String, writers: Int, payloadBytes: Int, seconds: Int) throws -> LogRun {
    let log = try ChannelLog(
        directory: directory,
        options: .init(segmentBytes: 64 << 20, maxRecordBytes: max(payloadBytes, 1 << 20), maxBatchBytes: 16 << 20))
    defer { log.close() }
    var floats = [Float](repeating: 0, count: payloadBytes / 4)
    var state: UInt32 = 12345
    for i in floats.indices {
        state = state &* 1_664_525 &+ 1_013_904_223
        floats[i] = Float(state >> 8) / Float(1 << 24) - 0.5
    }
    let payload = floats.withUnsafeBytes { Data($0) }
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(seconds)
    let slot = ResultSlot()
    let done = DispatchSemaphore(value: 0)
    let start = clock.now
    Task {
        slot.latencies = await withTaskGroup(of: [UInt64].self) { group in
            for w in 0..<writers {
                group.addTask {
                    var mine: [UInt64] = []
                    var timestamp = UInt64(w) << 40
                    while clock.now < deadline {
                        let t0 = clock.now
                        do {
                            _ = try await log.append(kind: .insertBatch, timestamp: timestamp, payload: payload)
                        } catch {
                            FileHandle.standardError.write(Data("append failed: \(error)\n".utf8))
                            return mine
                        }
                        let d = (clock.now - t0).components
                        mine.append(UInt64(d.seconds) * 1_000_000_000 + UInt64(d.attoseconds / 1_000_000_000))
                        timestamp += 1
                    }
                    return mine
                }
            }
            var all: [UInt64] = []
            for await part in group { all += part }
            return all
        }
        done.signal()
    }
    done.wait()
    let elapsedComponents = (clock.now - start).components
    let elapsed = Double(elapsedComponents.seconds) + Double(elapsedComponents.attoseconds) / 1e18
    let stats = log.statistics
    let sorted = slot.latencies.sorted()
    func percentile(_ p: Double) -> Double {
        sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
    }
    return LogRun(
        records: Double(stats.appendedRecords), bytes: Double(stats.appendedBytes), syncs: Double(stats.groupCommits),
        elapsed: elapsed, p50: percentile(0.5), p99: percentile(0.99))
}
