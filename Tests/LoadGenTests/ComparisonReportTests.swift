import JSON
import Testing
@testable import LoadGen

@Suite struct ComparisonReportTests {
    /// A closed-loop run of `seconds` s with `ok` successes whose latencies (ms) are `ms`.
    static func run(_ c: Int, ok: UInt64, ms: [UInt64], failed: [RequestFailure: UInt64] = [:], recall: Double? = 0.98) -> LoadRunResult {
        LoadRunResult(mode: .closedLoop, concurrency: c, elapsedSeconds: 10, succeeded: ok, failures: failed,
                      latency: LoadReportTests.histogram(ms), serviceTime: nil, recall: recall, connections: c,
                      timelineStart: 0, timelineEnd: 10, insert: nil)
    }

    static func sample(kills: [KillImpact] = []) -> ComparisonReport {
        let standalone = ComparisonReport.Deployment(
            name: "standalone", setup: "vecnode --role standalone", ingestSeconds: 80,
            runs: [run(32, ok: 4_000, ms: [50, 150, 200]), run(1, ok: 5_000, ms: [2, 3, 8]), run(8, ok: 6_000, ms: [10, 20, 60])])
        let distributed = ComparisonReport.Deployment(
            name: "distributed", setup: "scripts/cluster.sh", ingestSeconds: 240,
            runs: [run(1, ok: 4_000, ms: [3, 4, 9]), run(8, ok: 7_000, ms: [9, 18, 40]),
                   run(32, ok: 8_000, ms: [20, 40, 90], failed: [.timeout: 1])],
            kills: kills, loadStart: 100)
        return ComparisonReport(dataset: "pypi-minilm-100k", rows: 100_000, queries: 1_000, topK: 10, ef: 64, durationSeconds: 10,
                                standalone: standalone, distributed: distributed)
    }

    @Test func markdownHeadlineAtTheHighestCommonConcurrency() {
        let md = Self.sample().markdown
        let lines = md.split(separator: "\n").map(String.init)
        #expect(lines[0] == "### vecnode standalone vs distributed")
        #expect(lines.contains("pypi-minilm-100k: 100000 rows, 1000 queries cycled, top-10, ef 64; closed loop, 10 s per concurrency level. "
                               + "Improvement = distributed ÷ standalone (above 1 is better for throughput and max concurrent, below 1 for latency)."))
        #expect(lines.contains("| | standalone | distributed | improvement |"))
        #expect(lines.contains("| throughput (req/s) at c=32 | 400.0 | 800.0 | 2.00× |"))
        #expect(lines.contains("| p50 latency (ms) at c=32 | 150.08 | 40.01 | 0.27× |"))
        #expect(lines.contains("| p99 latency (ms) at c=32 | 200.00 | 90.00 | 0.45× |"))
        // Standalone: c=32 has p99 200 ms, so 8 is its highest level under 100 ms; distributed passes every level.
        #expect(lines.contains("| max concurrent with p99 < 100 ms | 8 | ≥ 32 | 4.00× |"))
        #expect(lines.contains("| failed searches (all levels) | 0 | 1 | |"))
        #expect(lines.contains("| recall@10 | 0.9800 | 0.9800 | |"))
        #expect(lines.contains("| ingest: create, insert, flush, load (s) | 80.0 | 240.0 | 3.00× |"))
        // One row per level, ascending, both deployments side by side.
        let levelRows = lines.filter { $0.hasPrefix("| 1 |") || $0.hasPrefix("| 8 |") || $0.hasPrefix("| 32 |") }
        #expect(levelRows.count == 3)
        #expect(levelRows[0] == "| 1 | 500.0 | 3.00 | 8.00 | 8.00 | 0 | 400.0 | 4.00 | 9.00 | 9.00 | 0 | 0.80× |")
        #expect(levelRows[2].hasPrefix("| 32 | 400.0 |") && levelRows[2].hasSuffix("| 1 | 2.00× |"))
        #expect(!md.contains("Kills during"))
        // Every row of the per-level table has as many cells as its header.
        let header = try! #require(lines.first { $0.hasPrefix("| clients |") })
        for row in levelRows { #expect(row.split(separator: "|").count == header.split(separator: "|").count) }
    }

    @Test func markdownListsKillsRelativeToTheLoadStart() {
        let kill = KillImpact(process: "querynode-2", killedAt: 108, restartedAt: 111, windowEnd: 114, failed: 0, completed: 3_000,
                              baselineP99: 20_000_000, baselineMax: 30_000_000, windowP99: 45_000_000, windowMax: 230_000_000,
                              recoverySeconds: 2)
        let md = Self.sample(kills: [kill]).markdown
        #expect(md.contains("Kills during the distributed run"))
        #expect(md.contains("| querynode-2 | 8.0 | 11.0 | 0 / 3000 | 20.00 | 45.00 | 230.00 (30.00) | recovered after 2.0 s |"))
    }

    @Test func noLevelUnderTheBudgetSaysNone() {
        var r = Self.sample()
        r.standalone = .init(name: "standalone", setup: "s", ingestSeconds: 1, runs: [Self.run(8, ok: 10, ms: [150, 300])])
        r.distributed = .init(name: "distributed", setup: "d", ingestSeconds: 1, runs: [Self.run(8, ok: 10, ms: [50])])
        #expect(r.markdown.contains("| max concurrent with p99 < 100 ms | none | ≥ 8 | - |"))
        // More than 1 % failed searches disqualifies a level even with a fast p99.
        r.distributed = .init(name: "distributed", setup: "d", ingestSeconds: 1,
                              runs: [Self.run(8, ok: 100, ms: [5], failed: [.connect: 2])])
        #expect(r.markdown.contains("| max concurrent with p99 < 100 ms | none | none | - |"))
    }

    @Test func jsonHasEveryKey() throws {
        let kill = KillImpact(process: "querynode-2", killedAt: 108, restartedAt: nil, windowEnd: 111, failed: 1, completed: 10,
                              baselineP99: nil, baselineMax: nil, windowP99: 45_000_000, windowMax: 50_000_000, recoverySeconds: nil)
        let v = try JSONValue.parse(Self.sample(kills: [kill]).json())
        #expect(v.objectValue?.map(\.key) == ["dataset", "rows", "queries", "topK", "ef", "durationSeconds", "latencyBudgetMs",
                                              "headlineConcurrency", "standalone", "distributed", "improvement"])
        #expect(v["headlineConcurrency"] == 32 && v["latencyBudgetMs"] == 100 && v["rows"] == 100_000)
        let s = try #require(v["standalone"])
        #expect(s.objectValue?.map(\.key) == ["name", "setup", "ingestSeconds", "rps", "latencyMs", "maxConcurrencyUnderBudget",
                                              "allLevelsUnderBudget", "failed", "recall", "runs", "kills"])
        #expect(s["rps"]?.doubleValue == 400 && s["maxConcurrencyUnderBudget"] == 8 && s["allLevelsUnderBudget"] == false)
        #expect(s["latencyMs"]?["p99"]?.doubleValue == 200 && s["latencyMs"]?["p50"]?.doubleValue == 150.077)
        #expect(s["runs"]?.arrayValue?.map { $0["concurrency"] } == [1, 8, 32])
        #expect(s["kills"] == [])
        let d = try #require(v["distributed"])
        #expect(d["allLevelsUnderBudget"] == true && d["failed"] == 1)
        #expect(d["runs"]?.arrayValue?.last?["errors"] == ["timeout": 1])
        let k = try #require(d["kills"]?.arrayValue?.first)
        #expect(k.objectValue?.map(\.key) == ["process", "killedAtSeconds", "restartedAtSeconds", "windowEndSeconds", "failed",
                                              "completed", "baselineP99Ms", "baselineMaxMs", "windowP99Ms", "windowMaxMs", "recoverySeconds"])
        #expect(k["killedAtSeconds"]?.doubleValue == 8 && k["restartedAtSeconds"] == .null && k["recoverySeconds"] == .null)
        #expect(k["windowP99Ms"]?.doubleValue == 45 && k["baselineP99Ms"] == .null)
        #expect(v["improvement"]?["rps"]?.doubleValue == 2 && v["improvement"]?["maxConcurrency"]?.doubleValue == 4)
    }
}
