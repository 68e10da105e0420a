import API
import APIConformance
import Foundation
import JSON
import Testing

/// Drives the console page in headless Chromium (Debian's `chromium` package) against a live server with
/// a collection: the topology, the collection and a search result must appear in the rendered DOM, and
/// a screenshot is saved to the path printed in the test output. Skipped, saying why, when Chromium is
/// not installed (`apt-get install -y chromium`; .ci/run tries it).
@Suite(.serialized) struct ConsolePageTests {
    /// The browser binary: `VECNODE_CHROMIUM`, else the first of the usual install paths that exists.
    static let chromium: String? = {
        if let p = ProcessInfo.processInfo.environment["VECNODE_CHROMIUM"], !p.isEmpty { return p }
        return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let titles = ["alpha centauri", "betelgeuse", "canopus", "deneb", "epsilon eridani", "fomalhaut"]

    @Test(.enabled(if: chromium != nil, "chromium is not installed (apt-get install -y chromium): the console browser test is skipped"),
          .timeLimit(.minutes(3)))
    func rendersTopologyCollectionsAndSearch() async throws {
        let browser = try #require(Self.chromium)
        try await withAPIServer { (s: APITestServer) async throws in
            let create = #"""
            {"collectionName": "stars", "schema": {"fields": [
               {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
               {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}},
               {"fieldName": "title", "dataType": "VarChar", "elementTypeParams": {"max_length": 64}}]},
             "indexParams": [{"fieldName": "vector", "metricType": "L2", "indexName": "vector_idx", "params": {"index_type": "FLAT"}}],
             "params": {"shardsNum": 2}}
            """#
            #expect(try s.milvus("collections/create", create).code == 0)
            let rows = Self.titles.enumerated().map { i, t in
                #"{"id": \#(i + 1), "vector": [\#(Float(i)), \#(Float(i) * 0.5), 1, -1], "title": "\#(t)"}"#
            }.joined(separator: ",")
            #expect(try s.milvus("entities/insert", #"{"collectionName": "stars", "data": [\#(rows)]}"#).code == 0)
            let url = "http://127.0.0.1:\(s.server.address.port)/console?collection=stars&search=id:4"

            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vecnode-console-\(getpid())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let dom = try await Self.run(browser, ["--dump-dom", url], dir: dir)
            // Topology: the node row with its health; the collection with its row count; the search hits
            // (nearest to row 4 is row 4 itself, with its stored title).
            #expect(dom.contains(#"data-role="standalone" data-healthy="true""#), "topology missing:\n\(dom.prefix(4000))")
            #expect(dom.contains("127.0.0.1:19530"))
            #expect(dom.contains(#"<tr data-collection="stars"><td>stars</td><td class="num">6</td><td class="num">2</td>"#),
                    "collection row missing:\n\(dom.prefix(6000))")
            #expect(dom.contains("vector_idx"))
            #expect(dom.contains(#"class="hit""#), "no search hits:\n\(dom.prefix(8000))")
            #expect(dom.contains(#"<tr class="hit"><td class="num">1</td><td>4</td><td class="num">0.0000</td>"#))
            #expect(dom.contains("deneb"))

            let shot = dir.appendingPathComponent("console.png").path
            _ = try await Self.run(browser, ["--screenshot=\(shot)", "--window-size=1400,1000", url], dir: dir)
            let png = try #require(FileManager.default.contents(atPath: shot), "no screenshot at \(shot)")
            #expect(png.count > 10_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            print("console screenshot: \(shot)")
        }
    }

    /// Runs headless Chromium on the page (letting it make its requests for 6 s of virtual time) and
    /// returns its standard output; fails the test if it does not exit within 90 s.
    static func run(_ browser: String, _ arguments: [String], dir: URL) async throws -> String {
        let out = dir.appendingPathComponent("stdout-\(UInt64.random(in: 0...UInt64.max)).txt")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        defer { try? handle.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                       "--hide-scrollbars", "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
                       "--virtual-time-budget=6000"] + arguments
        p.standardOutput = handle
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = ContinuousClock.now + .seconds(90)
        while p.isRunning {
            if ContinuousClock.now > deadline {
                p.terminate()
                Issue.record("chromium did not finish within 90 s: \(arguments)")
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        p.waitUntilExit()
        return (try? String(contentsOf: out, encoding: .utf8)) ?? ""
    }
}
