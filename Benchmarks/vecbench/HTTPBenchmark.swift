import Foundation
import HTTP
import JSON
import Net

/// `vecbench http`: keep-alive HTTP load against an in-process server, plus JSON micro-benchmarks.
let httpCommand = BenchCommand(
    name: "http",
    summary: "HTTP/1.1 + JSON throughput and latency (own keep-alive load client, in-process server)",
    run: runHTTPBenchmark)

private let httpUsage = """
    usage: vecbench http [--connections 1,64] [--seconds 3] [--dim 384] [--loops 1] [--endpoints health,echo]
                         [--serve SECONDS] [--port P]
      Starts an HTTPServer on 127.0.0.1 (ephemeral port) with GET /health and POST /echo (parses a JSON body
      {"vector": [dim floats], "top_k": 10} with JSONReader and answers a small JSON object), then drives it
      with N keep-alive connections from one client thread for a fixed time. Prints requests/s, p50, p99,
      and process CPU per request (client and server share the process and the machine's cores).
      --serve N: only run the server for N seconds on --port (default 8088) for an external load tool, e.g.
      wrk -t1 -c64 -d3s http://127.0.0.1:8088/health; the echo body is written to /tmp/vecbench-echo.json.
    """

private func runHTTPBenchmark(_ args: [String]) throws {
    if args.contains("--help") || args.contains("-h") { print(httpUsage); return }
    let flags = try FlagParser(args, valued: ["--connections", "--seconds", "--dim", "--loops", "--endpoints", "--serve", "--port"])
    let connections = try flags.intList("--connections", default: [1, 64])
    let seconds = Double(try flags.int("--seconds", default: 3))
    let dim = try flags.int("--dim", default: 384)
    let loops = try flags.int("--loops", default: 1)
    let endpoints = (flags.string("--endpoints") ?? "health,echo").split(separator: ",").map(String.init)
    guard connections.allSatisfy({ (1...2000).contains($0) }) else { throw BenchError("--connections must be in 1...2000") }
    guard seconds >= 1, dim >= 1, dim <= 65536 else { throw BenchError("--seconds ≥ 1 and --dim in 1...65536") }

    let body = echoBody(dim: dim)
    jsonMicroBenchmarks(body: body, dim: dim)

    var router = HTTPRouter()
    let health: [UInt8] = Array(#"{"status":"ok"}"#.utf8)
    router.get("/health") { _ in .json(bytes: health) }
    router.post("/echo") { req in
        var vector: [Float] = []
        vector.reserveCapacity(dim)
        var topK: Int64 = 10
        try JSONReader.read(req.body) { r in
            try r.beginObject()
            while let key = try r.nextKey() {
                switch key {
                case "vector": try r.readFloatArray(into: &vector)
                case "top_k": topK = try r.readInt64()
                default: try r.skipValue()
                }
            }
        }
        var sum: Float = 0
        for v in vector { sum += v }
        var w = JSONWriter()
        w.beginObject()
        w.key("dim"); w.write(vector.count)
        w.key("top_k"); w.write(topK)
        w.key("sum"); try w.write(sum)
        w.endObject()
        return .json(bytes: w.bytes)
    }
    let serve = try flags.int("--serve", default: 0)
    var cfg = HTTPServerConfiguration()
    if serve > 0 {
        let port = try flags.int("--port", default: 8088)
        guard (1...65535).contains(port) else { throw BenchError("--port must be in 1...65535") }
        cfg.address = try SocketAddress(host: "127.0.0.1", port: UInt16(port))
        try Data(body).write(to: URL(fileURLWithPath: "/tmp/vecbench-echo.json"))
    }
    cfg.loopThreads = loops
    cfg.maxConnections = 4096
    let server = try HTTPServer(configuration: cfg, router: router)
    try server.start()
    defer { server.shutdownBlocking(gracePeriod: 1) }
    print("server: 127.0.0.1:\(server.address.port), \(loops) event loop(s), handlers on the global executor")
    if serve > 0 {
        print("serving for \(serve) s (GET /health, POST /echo with /tmp/vecbench-echo.json)")
        var ts = timespec(tv_sec: serve, tv_nsec: 0)
        nanosleep(&ts, nil)
        return
    }
    print(String(repeating: "-", count: 92))
    print("endpoint      conns   requests/s     p50 µs     p99 µs   p99.9 µs   CPU µs/req   errors")

    for ep in endpoints {
        let request: [UInt8]
        switch ep {
        case "health": request = Array("GET /health HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)
        case "echo":
            request = Array("POST /echo HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        default: throw BenchError("unknown endpoint '\(ep)' (health, echo)")
        }
        for n in connections {
            // Short warm-up, then the measured run.
            _ = try LoadClient(address: server.address, request: request, connections: n).run(seconds: 0.3)
            let cpu0 = processCPUSeconds()
            let r = try LoadClient(address: server.address, request: request, connections: n).run(seconds: seconds)
            let cpu = processCPUSeconds() - cpu0
            let lat = r.latenciesNs.sorted()
            func pct(_ p: Double) -> Double {
                lat.isEmpty ? 0 : Double(lat[min(lat.count - 1, Int(Double(lat.count) * p))]) / 1000
            }
            let rps = Double(lat.count) / r.elapsed
            let name = ep == "echo" ? "echo(\(dim)f)" : ep
            print(name.padding(toLength: 12, withPad: " ", startingAt: 0)
                  + pad(String(n), 7) + pad(fmt(rps, 0), 13) + pad(fmt(pct(0.5), 1), 11) + pad(fmt(pct(0.99), 1), 11)
                  + pad(fmt(pct(0.999), 1), 11) + pad(fmt(lat.isEmpty ? 0 : cpu * 1e6 / Double(lat.count), 1), 13)
                  + pad(String(r.errors), 9))
        }
    }
}

private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
private func fmt(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }

/// `{"vector": [dim floats], "top_k": 10}` with values spelled as Python's json prints float32 data.
private func echoBody(dim: Int) -> [UInt8] {
    var state: UInt64 = 12345
    var w = JSONWriter()
    w.beginObject()
    w.key("vector")
    w.beginArray()
    for _ in 0..<dim {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let f = Float(Int64(state >> 40) - (1 << 23)) / Float(1 << 23)
        try! w.write(Double(f))
    }
    w.endArray()
    w.key("top_k"); w.write(10)
    w.endObject()
    return w.bytes
}

/// Single-thread costs (CPU time) of the JSON work in one echo request, without sockets.
private func jsonMicroBenchmarks(body: [UInt8], dim: Int) {
    let iterations = 20_000
    var sink: Float = 0
    var t0 = threadCPUNanoseconds()
    for _ in 0..<iterations {
        let v: [Float] = try! JSONReader.read(body) { r in
            var out: [Float] = []
            out.reserveCapacity(dim)
            try r.beginObject()
            while let k = try r.nextKey() {
                if k == "vector" { try r.readFloatArray(into: &out) } else { try r.skipValue() }
            }
            return out
        }
        sink += v[0]
    }
    let readerNs = Double(threadCPUNanoseconds() - t0) / Double(iterations)
    t0 = threadCPUNanoseconds()
    for _ in 0..<iterations / 4 {
        let v = try! JSONValue.parse(body)
        sink += Float(v["vector"]!.floatArray()![0])
    }
    let treeNs = Double(threadCPUNanoseconds() - t0) / Double(iterations / 4)
    t0 = threadCPUNanoseconds()
    var bytes = 0
    for i in 0..<iterations {
        var w = JSONWriter()
        w.beginObject()
        w.key("code"); w.write(0)
        w.key("data"); w.beginArray()
        for k in 0..<10 {
            w.beginObject()
            w.key("id"); w.write(Int64(448_300_048_035_776_800 + i + k))
            w.key("distance"); try! w.write(Float(k) * 0.0137 + 0.25)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        bytes += w.bytes.count
    }
    let writeNs = Double(threadCPUNanoseconds() - t0) / Double(iterations)
    print("JSON, CPU time per op (\(body.count) B body, \(dim) floats): JSONReader fast path \(fmt(readerNs / 1000, 2)) µs"
          + " (\(fmt(Double(body.count) / readerNs * 1e3, 0)) MB/s), JSONValue tree + floatArray \(fmt(treeNs / 1000, 2)) µs;"
          + " write 10-hit response \(fmt(writeNs / 1000, 2)) µs  [sink \(sink > 0 ? 1 : 0)\(bytes > 0 ? "" : "")]")
}

/// A keep-alive HTTP/1.1 load generator: N nonblocking connections driven by one epoll thread (the
/// calling thread). Each connection sends the request, waits for the whole response, records the latency
/// and sends the next, until the time is up.
private final class LoadClient {
    struct Result {
        var latenciesNs: [UInt64]
        var errors: Int
        var elapsed: Double
    }

    private struct Conn {
        let socket: Socket
        var sentAt: UInt64 = 0
        var outOffset = 0          // bytes of the current request already sent
        var input: [UInt8] = []
    }

    private let address: SocketAddress
    private let request: [UInt8]
    private var conns: [Conn] = []
    private let epoll: Epoll

    init(address: SocketAddress, request: [UInt8], connections: Int) throws {
        self.address = address
        self.request = request
        epoll = try Epoll()
        for i in 0..<connections {
            let s = try Socket.connect(to: address)
            try s.setNonBlocking(true)
            try epoll.add(s.fd, .readable, token: UInt64(i))
            conns.append(Conn(socket: s))
        }
    }

    deinit { for c in conns { c.socket.close() } }

    func run(seconds: Double) throws -> Result {
        var latencies: [UInt64] = []
        latencies.reserveCapacity(1 << 20)
        var errors = 0
        let start = monotonicNanoseconds()
        let end = start + UInt64(seconds * 1e9)
        for i in conns.indices { try send(i, now: start) }
        var inFlight = conns.count
        let events = UnsafeMutableBufferPointer<Epoll.Event>.allocate(capacity: 256)
        defer { events.deallocate() }
        var scratch = [UInt8](repeating: 0, count: 65536)
        while inFlight > 0 {
            let n = try epoll.wait(into: events, timeoutMs: 1000)
            let now = monotonicNanoseconds()
            if n == 0 && now > end + 5_000_000_000 { throw BenchError("load client: no response for 5 s") }
            for e in 0..<n {
                let i = Int(events[e].token)
                if Epoll.Events(rawValue: events[e].events).contains(.writable) { try send(i, now: nil) }
                while true {
                    let r = try scratch.withUnsafeMutableBytes { try conns[i].socket.receive(into: $0) }
                    guard case .bytes(let got) = r else {
                        if r == .endOfStream { throw BenchError("server closed a keep-alive connection") }
                        break
                    }
                    conns[i].input.append(contentsOf: scratch[..<got])
                    if got < scratch.count { break }
                }
                while let (len, status) = completeResponse(conns[i].input) {
                    conns[i].input.removeFirst(len)
                    let t = monotonicNanoseconds()
                    latencies.append(t - conns[i].sentAt)
                    if status != 200 { errors += 1 }
                    if t < end { try send(i, now: t) } else { inFlight -= 1 }
                }
            }
        }
        return Result(latenciesNs: latencies, errors: errors, elapsed: Double(monotonicNanoseconds() - start) / 1e9)
    }

    /// Starts (now != nil) or continues sending the request on connection `i`.
    private func send(_ i: Int, now: UInt64?) throws {
        if let now { conns[i].sentAt = now; conns[i].outOffset = 0 }
        while conns[i].outOffset < request.count {
            let off = conns[i].outOffset
            let r = try request.withUnsafeBytes { try conns[i].socket.send(UnsafeRawBufferPointer(rebasing: $0[off...])) }
            guard case .bytes(let n) = r else {
                try epoll.modify(conns[i].socket.fd, [.readable, .writable], token: UInt64(i))
                return
            }
            conns[i].outOffset += n
        }
        if now == nil { try epoll.modify(conns[i].socket.fd, .readable, token: UInt64(i)) }
    }

    /// (length, status) of the first complete response in `b`, if any.
    private func completeResponse(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 16 else { return nil }
        return b.withUnsafeBufferPointer { p -> (Int, Int)? in
            var headEnd = -1
            var i = 12
            while i + 3 < p.count {
                if p[i] == 13 && p[i + 1] == 10 && p[i + 2] == 13 && p[i + 3] == 10 { headEnd = i; break }
                i += 1
            }
            guard headEnd >= 0 else { return nil }
            let status = Int(p[9] - 48) * 100 + Int(p[10] - 48) * 10 + Int(p[11] - 48)
            // Find "content-length:" (the server writes it lowercase).
            let key = Array("content-length: ".utf8)
            var cl = 0
            var j = 0
            outer: while j + key.count < headEnd {
                for k in 0..<key.count where p[j + k] != key[k] { j += 1; continue outer }
                var v = j + key.count
                while p[v] >= 48 && p[v] <= 57 { cl = cl * 10 + Int(p[v] - 48); v += 1 }
                break
            }
            let total = headEnd + 4 + cl
            return p.count >= total ? (total, status) : nil
        }
    }
}
