import Net
import Synchronization
import Testing
@testable import LoadGen

/// End-to-end runs against a live in-process HTTP server. Serialized: each run starts client threads and
/// timing assertions need the (two) cores.
@Suite(.serialized) struct LoadRunnerTests {
    func config(_ mode: LoadConfiguration.Mode = .closedLoop, concurrency: Int, requests: Int? = nil, duration: Double? = nil) -> LoadConfiguration {
        var c = LoadConfiguration()
        c.mode = mode
        c.concurrency = concurrency
        c.requests = requests
        c.duration = duration
        c.progressInterval = 0
        return c
    }

    @Test func closedLoopCountsRecallAndErrorsByKind() async throws {
        // Query q (of 10) gets ids q*10 … q*10+4; queries 3 and 8 get one wrong id; 5 → code 1100; 7 → HTTP 503.
        try await withFakeServer({ q, _ in
            switch q {
            case 5: return .envelope(1100)
            case 7: return .status(503)
            case 3, 8: return .hits([Int64(q * 10), Int64(q * 10 + 1), Int64(q * 10 + 2), Int64(q * 10 + 3), 999_999])
            default: return .hits((0..<5).map { Int64(q * 10 + $0) })
            }
        }) { server in
            let target = server.target
            let workload = try SearchWorkload.milvusVectors(target: target, collection: "c", vectors: indexedVectors(10), dimension: 4,
                                                            topK: 5, ef: 32)
            let gt = try GroundTruth(ids: (0..<10).flatMap { q in (0..<6).map { Int32(q * 10 + $0) } }, columns: 6)
            let runner = try LoadRunner(target: target, workload: workload, groundTruth: gt)
            let r = try await runOffPool(runner, config(concurrency: 4, requests: 200))
            #expect(r.succeeded == 160)
            #expect(r.failures == [.envelope(code: 1100): 20, .http(status: 503): 20])
            #expect(r.failed == 40)
            // 8 of every 10 succeed; 2 of those 8 have 4/5 right → (6·5 + 2·4) / (8·5).
            #expect(abs((r.recall ?? 0) - 38.0 / 40.0) < 1e-12)
            #expect(r.latency.count == 160 && r.serviceTime == nil)
            #expect(r.connections == 4)
            #expect(server.arrivalTimes.count == 200)
            #expect(r.throughput > 0 && r.elapsedSeconds > 0)
            let marks = runner.timeline.marks
            #expect(marks.map(\.label) == ["closed c=4"])
            let buckets = runner.timeline.buckets
            #expect(buckets.reduce(0) { $0 + $1.completed } == 160 && buckets.reduce(0) { $0 + $1.failed } == 40)
        }
    }

    @Test func timeoutsAndUnreachableServersAreCounted() async throws {
        try await withFakeServer({ q, _ in q == 1 ? .delayed(milliseconds: 1_500, [1]) : .hits([Int64(q)]) }) { server in
            let workload = try SearchWorkload.milvusVectors(target: server.target, collection: "c", vectors: indexedVectors(4),
                                                            dimension: 4, topK: 1, ef: nil)
            var c = config(concurrency: 1, requests: 4)
            c.requestTimeout = 0.3
            let r = try await runOffPool(try LoadRunner(target: server.target, workload: workload), c)
            #expect(r.failures == [.timeout: 1])
            #expect(r.succeeded == 3)
            #expect(r.connections == 2)        // the timed-out connection was replaced
        }
        // Nothing listens on a just-closed ephemeral port.
        let listener = try TCPListener(address: SocketAddress(host: "127.0.0.1", port: 0))
        let dead = LoadTarget(address: listener.address)
        listener.close()
        let workload = try SearchWorkload.milvusVectors(target: dead, collection: "c", vectors: [1], dimension: 1, topK: 1, ef: nil)
        let r = try await runOffPool(try LoadRunner(target: dead, workload: workload), config(concurrency: 2, requests: 6))
        #expect(r.failures == [.connect: 6] && r.succeeded == 0)
    }

    @Test func openLoopSendsOnScheduleAndCountsQueueingAsLatency() async throws {
        // 50 requests at 100/s over one connection; arrival 10 stalls 300 ms. A closed-loop client would report
        // one slow sample; measured from the schedule, the ~30 requests due during the stall are late too.
        try await withFakeServer({ _, n in n == 10 ? .delayed(milliseconds: 300, [1]) : .hits([1]) }) { server in
            let workload = try SearchWorkload.milvusVectors(target: server.target, collection: "c", vectors: indexedVectors(3),
                                                            dimension: 4, topK: 1, ef: nil)
            let runner = try LoadRunner(target: server.target, workload: workload)
            let r = try await runOffPool(runner, config(.openLoop(rate: 100), concurrency: 1, requests: 50))
            #expect(r.succeeded == 50 && r.failed == 0)
            let service = try #require(r.serviceTime)
            #expect(service.value(atPercentile: 90) < 100_000_000, "service p90 \(service.value(atPercentile: 90))")
            #expect(r.latency.value(atPercentile: 70) >= 100_000_000, "latency p70 \(r.latency.value(atPercentile: 70))")
            #expect(r.latency.maximum >= 290_000_000)
            // Sends follow the schedule. Request i is due at start + i·10 ms and can reach the server only after
            // that (1 µs for the Double round trip of the start time). The requests due during the stall (11…39)
            // leave back to back once it ends — not 10 ms apart, which is what pacing after each reply would do.
            // The undisturbed ones (0…10, 41…49) arrive close to their time (median within 50 ms, loose for a
            // loaded test machine), and the run spans 49 intervals plus the stall.
            let start = runner.timeline.origin + UInt64((r.timelineStart * 1e9).rounded()) - 1_000
            let t = server.arrivalTimes
            #expect(t.count == 50)
            var lateness: [UInt64] = []
            for i in 0..<t.count {
                let due = start + UInt64(i) * 10_000_000
                #expect(t[i] >= due, "request \(i) sent \(due - t[i]) ns before its time")
                if i <= 10 || i >= 41 { lateness.append(t[i] - min(due, t[i])) }
            }
            #expect(t[39] - t[11] < 200_000_000, "backlog took \(t[39] - t[11]) ns to send")
            #expect(lateness.sorted()[lateness.count / 2] < 50_000_000, "median lateness \(lateness.sorted()[lateness.count / 2]) ns")
            #expect(t[49] - start < 1_500_000_000)
        }
    }

    @Test func openLoopRateHoldsOverADuration() async throws {
        try await withFakeServer({ _, _ in .hits([1]) }) { server in
            let workload = try SearchWorkload.milvusVectors(target: server.target, collection: "c", vectors: indexedVectors(2),
                                                            dimension: 4, topK: 1, ef: nil)
            let r = try await runOffPool(try LoadRunner(target: server.target, workload: workload),
                                         config(.openLoop(rate: 200), concurrency: 4, duration: 1.0))
            #expect(r.succeeded == 200)       // exactly the requests due within 1 s
            #expect(r.throughput > 150 && r.throughput < 210)
            #expect(r.label == "open 200/s c=4")
        }
    }

    @Test func seedTextQueriesWithRecall() async throws {
        try await withFakeServer({ q, _ in .hits([Int64(q), Int64(q + 100)]) }) { server in
            let workload = try SearchWorkload.seedTexts(target: server.target, collection: "docs", texts: ["0", "1", "2"], topK: 2)
            let gt = try GroundTruth(ids: [0, 100, 1, 7, 2, 102], columns: 2)
            let r = try await runOffPool(try LoadRunner(target: server.target, workload: workload, groundTruth: gt),
                                         config(concurrency: 2, requests: 30))
            #expect(r.succeeded == 30)
            #expect(abs((r.recall ?? 0) - 5.0 / 6.0) < 1e-12)
        }
    }

    @Test func insertStreamAndProgressRunBesideSearches() async throws {
        try await withFakeServer({ _, _ in .hits([1]) }) { server in
            let vectors = indexedVectors(5)
            let workload = try SearchWorkload.milvusVectors(target: server.target, collection: "c", vectors: vectors, dimension: 4, topK: 1, ef: nil)
            let insert = try InsertWorkload(target: server.target, collection: "c", vectors: vectors, dimension: 4)
            let lines = Mutex<[String]>([])
            var c = config(concurrency: 2, duration: 1.5)
            c.insertRate = 200
            c.insertBatch = 20
            c.progressInterval = 0.5
            c.progress = { line in lines.withLock { $0.append(line) } }
            let r = try await runOffPool(try LoadRunner(target: server.target, workload: workload, insert: insert), c)
            let ins = try #require(r.insert)
            #expect(ins.failures.isEmpty)
            #expect(ins.rowsInserted >= 200 && ins.rowsInserted <= 320, "\(ins.rowsInserted) rows")
            #expect(Int(ins.rowsInserted) == server.rowsInserted)
            let got = lines.withLock { $0 }
            #expect(got.count >= 1 && got.count <= 3, "\(got)")
            #expect(got.first?.hasPrefix("[closed c=2] ") == true && got.first?.contains(" req/s  p99 ") == true)
        }
    }

    @Test func badRunsAreRejectedBeforeAnyRequest() throws {
        let target = LoadTarget(address: try SocketAddress(host: "127.0.0.1", port: 9))
        let w = try SearchWorkload.milvusVectors(target: target, collection: "c", vectors: indexedVectors(4), dimension: 4, topK: 5, ef: nil)
        #expect(throws: LoadError.self) { try LoadRunner(target: target, workload: w, groundTruth: try GroundTruth(ids: [1, 2, 3, 4, 5], columns: 5)) }
        #expect(throws: LoadError.self) { try LoadRunner(target: target, workload: w, groundTruth: try GroundTruth(ids: [Int32](repeating: 1, count: 16), columns: 4)) }
        let runner = try LoadRunner(target: target, workload: w)
        for bad in [config(concurrency: 0, requests: 1), config(concurrency: 1), config(.openLoop(rate: 0), concurrency: 1, requests: 1),
                    config(concurrency: 1, requests: 0)] {
            #expect(throws: LoadError.self) { try runner.run(bad) }
        }
        var noInsert = config(concurrency: 1, requests: 1)
        noInsert.insertRate = 10
        #expect(throws: LoadError.self) { try runner.run(noInsert) }
    }
}
