import Testing
@testable import LoadGen

@Suite struct CompareOptionsTests {
    static func error(_ args: [String]) -> String? {
        do {
            _ = try CompareOptions.parse(args)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func defaultsAndValues() throws {
        let d = try CompareOptions.parse(["--data", "/d"])
        #expect(d.dataDirectory == "/d" && d.rows == 100_000 && d.shards == 4 && d.replicas == 3 && d.queryNodes == 3 && d.proxies == 2)
        #expect(d.concurrency == CompareOptions.defaultConcurrency && d.duration == CompareOptions.defaultDuration)
        #expect(d.efConstruction == CompareOptions.defaultEfConstruction && d.restartAfter == 3 && d.kills.isEmpty)
        let o = try CompareOptions.parse([
            "--data", "/d", "--rows", "5000", "--shards", "2", "--replicas", "2", "--query-nodes", "2", "--proxies", "1",
            "--concurrency", "32, 1,8,8", "--duration", "500ms", "--kill", "querynode-2@0.4", "--kill", "proxy-1@1s",
            "--restart-after", "0", "--json", "r.json", "--markdown", "r.md", "--plot-dir", "plots", "--ef-construction", "100",
        ])
        #expect(o.rows == 5_000 && o.shards == 2 && o.replicas == 2 && o.queryNodes == 2 && o.proxies == 1)
        #expect(o.concurrency == [1, 8, 32] && o.duration == 0.5 && o.loadSeconds == 1.5)
        #expect(o.kills == [KillSpec(process: "querynode-2", seconds: 0.4), KillSpec(process: "proxy-1", seconds: 1)])
        #expect(o.restartAfter == 0 && o.jsonPath == "r.json" && o.markdownPath == "r.md" && o.plotDirectory == "plots")
        #expect(o.efConstruction == 100)
        #expect(o.clusterProcesses == ["rootcoord", "lognode", "querycoord", "querynode-1", "querynode-2", "proxy-1", "gateway"])
    }

    @Test func errorsAreOneLineAndSayWhatIsWrong() {
        let cases: [([String], String)] = [
            ([], "--data DIR is required (e.g. ../shared/datasets/pypi-minilm-100k)"),
            (["--data"], "--data needs a value"),
            (["--data", ""], "--data needs a non-empty value"),
            (["--data", "/d", "--bogus", "1"], "unknown option '--bogus' (vecbench compare --help lists them)"),
            (["--data", "/d", "--rows", "many"], "--rows expects an integer, got 'many'"),
            (["--data", "/d", "--rows", "0"], "--rows must be in 1…100000000, got 0"),
            (["--data", "/d", "--shards", "65"], "--shards must be in 1…64, got 65"),
            (["--data", "/d", "--concurrency", "1,,8"], "--concurrency expects comma-separated integers, got '1,,8'"),
            (["--data", "/d", "--concurrency", "0"], "--concurrency values must be in 1…4096, got 0"),
            (["--data", "/d", "--duration", "soon"], "--duration expects a duration like 30s, 500ms or 2m, got 'soon'"),
            (["--data", "/d", "--duration", "-1s"], "--duration expects a duration like 30s, 500ms or 2m, got '-1s'"),
            (["--data", "/d", "--rows", "1", "--rows", "2"], "--rows given twice"),
            (["--data", "/d", "--replicas", "4"], "--replicas 4 needs at least 4 query nodes (--query-nodes is 3)"),
            (["--data", "/d", "--ef", "5"], "--ef 5 must be at least --top-k 10"),
            (["--data", "/d", "--kill", "querynode-4@1"],
             "--kill querynode-4@1: the cluster has no process 'querynode-4' (it has rootcoord, lognode, querycoord, querynode-1, "
                + "querynode-2, querynode-3, proxy-1, proxy-2, gateway)"),
            (["--data", "/d", "--kill", "querynode-2@40"], "--kill querynode-2@40: the load lasts 40 s (4 levels × 10.0 s); kill earlier"),
            (["--data", "/d", "--kill", "querynode-2"], "--kill 'querynode-2': expected ROLE-N@SECONDS, e.g. querynode-2@8"),
            (["--data", "/d", "--restart-after", "x"], "--restart-after expects a duration like 30s, 500ms or 2m, got 'x'"),
        ]
        for (args, message) in cases {
            let e = Self.error(args)
            #expect(e == message, "\(args)")
            #expect(e.map { !$0.contains("\n") } ?? false)
        }
    }

    @Test func killTimesAreCheckedAgainstTheWholeLoad() throws {
        // Four levels of 10 s: a kill at 39.5 s falls into the last one.
        let o = try CompareOptions.parse(["--data", "/d", "--kill", "querynode-2@39.5", "--kill", "gateway@0"])
        #expect(o.kills.count == 2)
        // Clusters that also run a datacoord and data nodes: those names are accepted here and checked against the
        // processes the script recorded once it is up.
        #expect(try CompareOptions.parse(["--data", "/d", "--kill", "datanode-2@3", "--kill", "datacoord@4"]).kills.count == 2)
    }
}
