// `vecbench rpc`: round-trip latency and throughput of the Wire protocol, over loopback TCP and in-memory.
import Foundation
import Wire

let rpcCommand = BenchCommand(
    name: "rpc",
    summary: "wire round trips (TCP loopback, in-memory): latency p50/p99 and calls/s",
    run: runRPCBenchmark)

/// A small call: one id in, one id out.
private struct BenchPing: WireRequest {
    static let kind = MessageKind(0x7F00)
    typealias Response = UInt64
    var id: UInt64
    init(id: UInt64) { self.id = id }
    func encode(into w: inout WireWriter) { w.writeUInt64(id) }
    init(from r: inout WireReader) throws(WireDecodingError) { id = try r.readUInt64() }
}

/// A search-shaped call: a Float32 query vector and k in, k (id, score) hits out.
private struct BenchSearch: WireRequest {
    static let kind = MessageKind(0x7F01)
    typealias Response = BenchHits
    var vector: [Float]
    var topK: UInt32
    init(vector: [Float], topK: UInt32) {
        self.vector = vector
        self.topK = topK
    }
    func encode(into w: inout WireWriter) {
        w.writeFloats(vector)
        w.writeUInt32(topK)
    }
    init(from r: inout WireReader) throws(WireDecodingError) {
        vector = try r.readFloats(maxCount: 65_536)
        topK = try r.readUInt32()
    }
}

private struct BenchHits: WireCodable {
    var ids: [Int64]
    var scores: [Float]
    init(ids: [Int64], scores: [Float]) {
        self.ids = ids
        self.scores = scores
    }
    func encode(into w: inout WireWriter) {
        w.writeArray(ids)
        w.writeFloats(scores)
    }
    init(from r: inout WireReader) throws(WireDecodingError) {
        ids = try r.readArray(of: Int64.self, maxCount: 10_000)
        scores = try r.readFloats(maxCount: 10_000)
    }
}

/// The server side: answers without doing a search (this measures the wire, not the index).
private func benchRouter() -> WireRouter {
    var router = WireRouter()
    router.on(BenchPing.self) { request, _ in request.id &+ 1 }
    router.on(BenchSearch.self) { request, _ in
        let k = min(Int(request.topK), request.vector.count)
        return BenchHits(ids: (0..<k).map { Int64($0) }, scores: Array(request.vector.prefix(k)))
    }
    return router
}

struct CaseResult {
    var calls: Int
    var seconds: Double
    var p50: Double
    var p99: Double
}

/// Runs `inFlight` workers issuing `call` back to back for `duration`; latencies in microseconds.
func measure(
    inFlight: Int, duration: Duration, _ call: @escaping @Sendable (Int) async throws -> Void
) async throws -> CaseResult {
    // Warm up: connections, allocator, caches.
    let warmEnd = ContinuousClock.now + .milliseconds(300)
    while ContinuousClock.now < warmEnd { try await call(0) }

    let clock = ContinuousClock()
    let start = clock.now
    let end = start + duration
    let perWorker = try await withThrowingTaskGroup(of: [Double].self) { group in
        for worker in 0..<inFlight {
            group.addTask {
                var latencies: [Double] = []
                latencies.reserveCapacity(200_000)
                var i = worker
                while clock.now < end {
                    let t0 = clock.now
                    try await call(i)
                    let d = t0.duration(to: clock.now)
                    latencies.append(Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) * 1e-12)
                    i += inFlight
                }
                return latencies
            }
        }
        var all: [[Double]] = []
        for try await l in group { all.append(l) }
        return all
    }
    let elapsed = start.duration(to: clock.now)
    var all = perWorker.flatMap { $0 }
    all.sort()
    func pct(_ p: Double) -> Double { all.isEmpty ? .nan : all[min(all.count - 1, Int(Double(all.count) * p))] }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return CaseResult(calls: all.count, seconds: seconds, p50: pct(0.50), p99: pct(0.99))
}

private func benchConfiguration() throws -> WireConfiguration {
    var configuration = WireConfiguration(clusterSecret: try ClusterSecret("vecbench-rpc-secret"))
    configuration.nodeName = "vecbench"
    return configuration
}

/// `--listen`: serve the benchmark calls until the process is killed (for two-process runs).
private func serveRPC(on address: WireAddress) async throws {
    let transport = try TCPTransport(configuration: try benchConfiguration())
    let listener = try await transport.listen(on: address, handler: benchRouter())
    print("vecbench rpc: serving on \(listener.address); stop with Ctrl-C")
    while true { try await Task.sleep(for: .seconds(3600)) }
}

private func runRPC(
    seconds: Double, inFlights: [Int], transports: [String], dim: Int, remote: WireAddress?,
    withLogNode: Bool, logNodeDirectory: String
) async throws {
    let configuration = try benchConfiguration()
    let duration = Duration.milliseconds(Int(seconds * 1000))

    var rng = SystemRandomNumberGenerator()
    let vector = (0..<dim).map { _ in Float.random(in: -1...1, using: &rng) }
    let where_ = remote.map { "server in another process at \($0)" } ?? "client and server in one process"
    print("vecbench rpc: \(where_), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
        + "\(seconds) s per case; search = \(dim) floats in, 10 hits out (handler does no search)")
    print("transport  call      in-flight    calls/s    p50 µs    p99 µs     calls")
    for name in transports {
        let transport: any WireTransport
        switch name {
        case "tcp": transport = try TCPTransport(configuration: configuration)
        case "memory": transport = InMemoryNetwork()
        default: throw BenchError("--transports: unknown transport '\(name)' (tcp, memory)")
        }
        var listener: (any WireListener)?
        if remote == nil {
            listener = try await transport.listen(on: WireAddress(host: "127.0.0.1", port: 0), handler: benchRouter())
        }
        let client = transport.client(for: remote ?? listener!.address)
        let search = BenchSearch(vector: vector, topK: 10)
        for callName in ["small", "search"] {
            for inFlight in inFlights {
                let result: CaseResult
                if callName == "small" {
                    result = try await measure(inFlight: inFlight, duration: duration) { i in
                        let r = try await client.call(BenchPing(id: UInt64(i)))
                        guard r == UInt64(i) &+ 1 else { throw BenchError("wrong ping reply") }
                    }
                } else {
                    result = try await measure(inFlight: inFlight, duration: duration) { _ in
                        let hits = try await client.call(search)
                        guard hits.ids.count == 10 else { throw BenchError("wrong search reply") }
                    }
                }
                printRPCRow(transport: name, call: callName, inFlight: inFlight, result: result, note: "")
            }
        }
        if remote == nil, withLogNode {
            try await runLogNodeRows(
                transportName: name, transport: transport, inFlights: inFlights, duration: duration,
                parent: logNodeDirectory)
        }
        await listener?.stop()
        (transport as? TCPTransport)?.shutdown()
    }
}

/// One row of the results table.
func printRPCRow(transport: String, call: String, inFlight: Int, result: CaseResult, note: String) {
    let rate = Double(result.calls) / result.seconds
    print(transport.padding(toLength: 11, withPad: " ", startingAt: 0)
        + call.padding(toLength: 10, withPad: " ", startingAt: 0)
        + String(inFlight).leftPad(9)
        + String(Int(rate)).leftPad(11)
        + String(format: "%10.1f", result.p50)
        + String(format: "%10.1f", result.p99)
        + String(result.calls).leftPad(10)
        + note)
}

extension String {
    fileprivate func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

private final class ErrorBox: @unchecked Sendable {
    var error: (any Error)?
}

private func runRPCBenchmark(_ args: [String]) throws {
    if args.contains("--help") {
        print("""
            usage: vecbench rpc [--seconds S] [--inflight 1,16] [--transports tcp,memory] [--dim 384]
                                [--connect HOST:PORT] [--no-lognode] [--lognode-dir DIR]
                   vecbench rpc --listen HOST:PORT
              Measures Wire round trips: small calls (one UInt64 each way) and search-shaped calls (DIM floats
              in, 10 hits out), with N calls in flight. By default client and server share this process;
              for two processes run `--listen` in one and `--connect` (TCP only) in the other.
              Role-level rows (in-process runs): a real log node in a fresh directory under DIR (default: the
              system temporary directory; put it on the disk you want to measure) answering AppendToChannel
              (64-byte payload, fsync before the reply) and ReadChannel (16 records); --no-lognode skips them.
            """)
        return
    }
    let flags = try FlagParser(
        args, valued: ["--seconds", "--inflight", "--transports", "--dim", "--listen", "--connect", "--lognode-dir"],
        switches: ["--no-lognode"])
    func address(_ flag: String) throws -> WireAddress? {
        guard let text = flags.string(flag) else { return nil }
        do { return try WireAddress(parsing: text) } catch { throw BenchError("\(flag): \(error.message)") }
    }
    let listen = try address("--listen")
    let remote = try address("--connect")
    let seconds = Double(flags.string("--seconds") ?? "2") ?? -1
    guard seconds > 0, seconds <= 60 else { throw BenchError("--seconds expects a number in (0, 60]") }
    let inFlights = try flags.intList("--inflight", default: [1, 16])
    guard inFlights.allSatisfy({ $0 >= 1 && $0 <= 1024 }) else { throw BenchError("--inflight values must be 1…1024") }
    let transports = (flags.string("--transports") ?? (remote == nil ? "tcp,memory" : "tcp"))
        .split(separator: ",").map(String.init)
    if remote != nil && transports != ["tcp"] { throw BenchError("--connect measures TCP only") }
    let dim = try flags.int("--dim", default: 384)
    guard dim >= 10, dim <= 65_536 else { throw BenchError("--dim must be 10…65536") }

    let withLogNode = !flags.has("--no-lognode")
    var logNodeDirectory = flags.string("--lognode-dir") ?? NSTemporaryDirectory()
    if logNodeDirectory.count > 1 && logNodeDirectory.hasSuffix("/") { logNodeDirectory.removeLast() }

    let box = ErrorBox()
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            if let listen {
                try await serveRPC(on: listen)
            } else {
                try await runRPC(
                    seconds: seconds, inFlights: inFlights, transports: transports, dim: dim, remote: remote,
                    withLogNode: withLogNode, logNodeDirectory: logNodeDirectory)
            }
        } catch {
            box.error = error
        }
        done.signal()
    }
    done.wait()
    if let error = box.error { throw error }
}
