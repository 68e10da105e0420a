import JSON
import Testing
@testable import LoadGen

@Suite struct LoadReportTests {
    static func histogram(_ ms: [UInt64]) -> LatencyHistogram {
        var h = try! LatencyHistogram()
        for v in ms { h.record(v * 1_000_000) }
        return h
    }

    static func sample() -> LoadReport {
        let closed = LoadRunResult(
            mode: .closedLoop, concurrency: 8, elapsedSeconds: 10, succeeded: 1_000, failures: [.timeout: 2, .http(status: 503): 3],
            latency: histogram([10, 20, 30, 40, 1000]), serviceTime: nil, recall: 0.9512, connections: 9,
            timelineStart: 0, timelineEnd: 10, insert: nil)
        let insert = InsertStreamResult(targetRate: 100, rowsInserted: 990, failures: [:], latency: histogram([5, 6]), elapsedSeconds: 10)
        let open = LoadRunResult(
            mode: .openLoop(rate: 50), concurrency: 64, elapsedSeconds: 20, succeeded: 1_000, failures: [:],
            latency: histogram([200, 300]), serviceTime: histogram([2, 3]), recall: nil, connections: 64,
            timelineStart: 10, timelineEnd: 30, insert: insert)
        return LoadReport(target: "http://127.0.0.1:19530", collection: "pypi", api: .milvus, queries: 1000, topK: 10, ef: 64,
                          runs: [closed, open])
    }

    @Test func textHasOneRowPerRunWithTheColumns() {
        let text = Self.sample().text
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "vecbench load: http://127.0.0.1:19530 collection pypi (milvus API), 1000 queries, top-k 10, ef 64")
        let header = lines[1].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(header == ["run", "secs", "ok", "err", "req/s", "p50", "ms", "p95", "ms", "p99", "ms", "p99.9", "ms", "max", "ms", "mean", "ms", "recall@10"])
        let closed = lines[2].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        // label "closed c=8" is two words.
        #expect(closed == ["closed", "c=8", "10.0", "1000", "5", "100.0", "30.02", "1000.00", "1000.00", "1000.00", "1000.00", "220.00", "0.9512"])
        let open = lines[3].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(open.prefix(4) == ["open", "50/s", "c=64", "20.0"])
        #expect(open.last == "-")
        // Columns line up: every table row is as long as the header.
        #expect(lines[1].count == lines[2].count && lines[2].count == lines[3].count)
        #expect(lines.contains("errors closed c=8: http_503 3, timeout 2"))
        #expect(lines.contains("reconnects closed c=8: 1 (the server closed or reset connections)"))
        #expect(lines.contains { $0.hasPrefix("service time open 50/s c=64 (actual send → reply") && $0.contains("p50 2.00 p99 3.00 max 3.00 ms") })
        #expect(lines.contains("inserts open 50/s c=64: 100 rows/s asked, 99.0 rows/s acknowledged (990 rows), p50 5.00 p99 6.00 ms, errors none"))
    }

    @Test func jsonHasEveryKeyWithNullsForAbsentValues() throws {
        let v = try JSONValue.parse(Self.sample().json())
        #expect(v["target"] == "http://127.0.0.1:19530" && v["collection"] == "pypi" && v["api"] == "milvus")
        #expect(v["queries"] == 1000 && v["topK"] == 10 && v["ef"] == 64)
        let runs = try #require(v["runs"]?.arrayValue)
        #expect(runs.count == 2)
        let keys = ["label", "mode", "targetRPS", "concurrency", "seconds", "ok", "errors", "errorCount", "rps", "latencyMs",
                    "serviceTimeMs", "recall", "connections", "insert"]
        for r in runs { #expect(r.objectValue?.map(\.key) == keys) }
        let c = runs[0]
        #expect(c["mode"] == "closed" && c["targetRPS"] == .null && c["concurrency"] == 8)
        #expect(c["ok"] == 1000 && c["errorCount"] == 5 && c["errors"] == ["http_503": 3, "timeout": 2])
        #expect(c["rps"]?.doubleValue == 100)
        #expect(c["latencyMs"]?["p50"]?.doubleValue == 30.015 && c["latencyMs"]?["max"]?.doubleValue == 1000)
        #expect(c["latencyMs"]?["mean"]?.doubleValue == 220)
        #expect(c["latencyMs"]?.objectValue?.map(\.key) == ["p50", "p95", "p99", "p999", "max", "mean"])
        #expect(c["serviceTimeMs"] == .null && c["insert"] == .null)
        #expect(c["recall"]?.doubleValue == 0.9512)
        let o = runs[1]
        #expect(o["mode"] == "open" && o["targetRPS"]?.doubleValue == 50 && o["recall"] == .null)
        #expect(o["serviceTimeMs"]?["p99"]?.doubleValue == 3)
        #expect(o["insert"]?["rows"] == 990 && o["insert"]?["rowsPerSecond"]?.doubleValue == 99 && o["insert"]?["errors"] == [:])
    }

    @Test func runsWithoutSuccessesShowNoLatency() throws {
        let failed = LoadRunResult(
            mode: .closedLoop, concurrency: 1, elapsedSeconds: 0.5, succeeded: 0, failures: [.connect: 3],
            latency: Self.histogram([]), serviceTime: nil, recall: nil, connections: 0, timelineStart: 0, timelineEnd: 0.5,
            insert: InsertStreamResult(targetRate: 10, rowsInserted: 0, failures: [.envelope(code: 1100): 2],
                                       latency: Self.histogram([]), elapsedSeconds: 0.5))
        let report = LoadReport(target: "http://127.0.0.1:1", collection: "c", api: .seed, queries: 1, topK: 5, ef: nil, runs: [failed])
        let lines = report.text.split(separator: "\n").map(String.init)
        #expect(!lines[0].contains("ef"))
        #expect(lines[2].split(separator: " ").map(String.init) == ["closed", "c=1", "0.5", "0", "3", "0.0", "-", "-", "-", "-", "-", "-", "-"])
        #expect(lines.contains("errors closed c=1: connect 3"))
        #expect(lines.contains("inserts closed c=1: 10 rows/s asked, 0.0 rows/s acknowledged (0 rows), errors code_1100 2"))
        let v = try JSONValue.parse(report.json())
        #expect(v["ef"] == .null && v["api"] == "seed")
        #expect(v["runs"]?[0]?["latencyMs"] == .null && v["runs"]?[0]?["errors"] == ["connect": 3])
        #expect(v["runs"]?[0]?["insert"]?["latencyMs"] == .null)
    }

    @Test func numberFormatting() {
        #expect(LoadReport.number(3.14159, digits: 2) == "3.14")
        #expect(LoadReport.number(0.005, digits: 2) == "0.01")
        #expect(LoadReport.number(2.5) == "3")
        #expect(LoadReport.number(-1.25, digits: 1) == "-1.3")
        #expect(LoadReport.number(-0.001, digits: 1) == "0.0")
        #expect(LoadReport.number(1234.5, digits: 3) == "1234.500")
        #expect(LoadReport.number(.nan) == "nan")
        #expect(LoadReport.milliseconds(1_234_567) == "1.23")
    }
}
