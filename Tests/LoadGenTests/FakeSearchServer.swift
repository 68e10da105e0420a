import HTTP
import HTTPTestSupport
import JSON
import Net
import Synchronization
@testable import LoadGen

/// What the fake server does with one search.
enum FakeBehavior: Sendable {
    /// HTTP 200, envelope code 0, these hit ids.
    case hits([Int64])
    /// HTTP 200 with a Milvus error envelope.
    case envelope(Int64)
    /// A plain HTTP error status.
    case status(Int)
    /// Wait, then answer with these hits.
    case delayed(milliseconds: Int, [Int64])
}

/// A live HTTPServer on 127.0.0.1:0 answering Milvus `entities/search` and `entities/insert` and the seed's
/// `/search` with a tiny router. The query index is the first number of the vector (Milvus) or the text
/// itself parsed as an integer (seed); `behave(index, arrivalNumber)` decides the reply. It records arrival
/// times and inserted rows.
final class FakeSearchServer: Sendable {
    let server: HTTPServer
    /// What the handlers saw (a class so the handler closures can share it).
    private final class Log: Sendable {
        let arrivals = Mutex<[UInt64]>([])
        let insertedRows = Mutex<Int>(0)
    }
    private let log = Log()

    init(_ behave: @escaping @Sendable (_ query: Int, _ arrival: Int) -> FakeBehavior) throws {
        var router = HTTPRouter()
        let log = self.log
        @Sendable func answer(_ b: FakeBehavior) async throws -> HTTPResponse {
            switch b {
            case .hits(let ids):
                var w = JSONWriter()
                w.beginObject()
                w.key("code"); w.write(0)
                w.key("cost"); w.write(0)
                w.key("data"); w.beginArray()
                for (i, id) in ids.enumerated() {
                    w.beginObject(); w.key("distance"); try w.write(Double(i) / 10); w.key("id"); w.write(id); w.endObject()
                }
                w.endArray()
                w.endObject()
                return .json(bytes: w.bytes)
            case .envelope(let code):
                return .json(["code": .int(code), "message": "fake failure"])
            case .status(let s):
                return .error(HTTPStatus(code: s), "fake status")
            case .delayed(let ms, let ids):
                try await Task.sleep(for: .milliseconds(ms))
                return try await answer(.hits(ids))
            }
        }
        router.post("/v2/vectordb/entities/search") { req in
            let n = log.arrivals.withLock { a -> Int in a.append(monotonicNanoseconds()); return a.count - 1 }
            let v = try JSONValue.parse(req.body)
            let q = Int(v["data"]?[0]?.floatArray()?.first ?? -1)
            return try await answer(behave(q, n))
        }
        router.post("/v2/vectordb/entities/insert") { req in
            let v = try JSONValue.parse(req.body)
            let rows = v["data"]?.arrayValue?.count ?? 0
            log.insertedRows.withLock { $0 += rows }
            return .json(["code": 0, "data": ["insertCount": .int(Int64(rows))]])
        }
        router.post("/search") { req in
            let n = log.arrivals.withLock { a -> Int in a.append(monotonicNanoseconds()); return a.count - 1 }
            let v = try JSONValue.parse(req.body)
            let q = Int(v["query"]?.stringValue ?? "") ?? -1
            switch behave(q, n) {
            case .hits(let ids):
                return .json(["collection": v["collection"] ?? .null,
                              "results": .array(ids.map { ["id": .int($0), "score": 0.5, "fields": [:]] })])
            case .status(let s): return .error(HTTPStatus(code: s), "fake")
            default: return .error(.internalServerError, "unsupported in seed mode")
            }
        }
        var config = HTTPServerConfiguration()
        config.handlerExecutor = TestThreadExecutor.shared
        server = try HTTPServer(configuration: config, router: router)
        try server.start()
    }

    var target: LoadTarget { LoadTarget(address: server.address) }
    var arrivalTimes: [UInt64] { log.arrivals.withLock { $0 } }
    var rowsInserted: Int { log.insertedRows.withLock { $0 } }

    func stop() async { await server.shutdown(gracePeriod: 1) }
}

/// Runs `body` with a fresh server, always stopping it.
func withFakeServer(_ behave: @escaping @Sendable (Int, Int) -> FakeBehavior,
                    _ body: (FakeSearchServer) async throws -> Void) async throws {
    let s = try FakeSearchServer(behave)
    do {
        try await body(s)
    } catch {
        await s.stop()
        throw error
    }
    await s.stop()
}

/// Runs a blocking load run on its own OS thread, so no cooperative-pool thread blocks on sockets.
func runOffPool(_ runner: LoadRunner, _ config: LoadConfiguration) async throws -> LoadRunResult {
    let box = Mutex<Result<LoadRunResult, LoadError>?>(nil)
    let thread = try OSThread(name: "test-load") {
        let r = Result { () throws(LoadError) in try runner.run(config) }
        box.withLock { $0 = r }
    }
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
        let waiter = try! OSThread(name: "test-join") {
            thread.join()
            c.resume()
        }
        _ = waiter
    }
    return try box.withLock { $0! }.get()
}

/// Query vectors whose first component is the query index (dimension 4).
func indexedVectors(_ n: Int) -> [Float] {
    var v: [Float] = []
    for i in 0..<n { v += [Float(i), 0.5, -0.5, 1] }
    return v
}
