import Foundation
import Testing

/// `scripts/demo.sh` builds its JSON in bash; these tests run it with `--dry-run` (it prints each request
/// instead of sending it) and parse every body, so a text that breaks the escaping fails here.
@Suite struct DemoScriptTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Runs `demo.sh --dry-run` on `tsv` and returns (path, parsed body) per request, plus the exit status.
    func dryRun(_ tsv: [UInt8], extra: [String] = []) throws -> (status: Int32, requests: [(String, [String: Any])]) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).tsv")
        try Data(tsv).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Self.root + "/scripts/demo.sh", "--dry-run", "--file", file.path] + extra
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var requests: [(String, [String: Any])] = []
        var i = 0
        while i + 1 < lines.count {
            let path = String(decoding: lines[i], as: UTF8.self)
            guard path.hasPrefix("POST ") else { break }
            let body = try JSONSerialization.jsonObject(with: Data(lines[i + 1])) as? [String: Any] ?? [:]
            requests.append((String(path.dropFirst(5)), body))
            i += 2
        }
        return (p.terminationStatus, requests)
    }

    func insertedRows(_ requests: [(String, [String: Any])]) -> [(Int, String)] {
        requests.filter { $0.0 == "entities/insert" }.flatMap { ($0.1["data"] as? [[String: Any]]) ?? [] }
            .map { (($0["id"] as? Int) ?? -1, ($0["text"] as? String) ?? "<missing>") }
    }

    @Test func awkwardTextsSurviveTheJSONRoundTrip() throws {
        let texts = [
            #"say "hi" \ and \n (a backslash-n, not a newline) and \u0041"#,
            "tab\tinside, bell\u{7}, escape\u{1B}, unit separator\u{1F}, delete\u{7F}",
            "naïve café — 中文 — 😀 — ünïcode",
            "  leading and trailing spaces  ",
            "'single' `back` $dollar $(not a command) *glob* [x]",
        ]
        var tsv: [UInt8] = []
        for (i, t) in texts.enumerated() { tsv += Array("\(i + 10)\t\(t)\n".utf8) }
        tsv += Array("99\tcarriage return line\r\n\n".utf8)  // CRLF stripped, blank line skipped
        let run = try dryRun(tsv, extra: ["--batch", "2", "--collection", "c1"])
        #expect(run.status == 0)
        let rows = insertedRows(run.requests)
        #expect(rows.map(\.0) == [10, 11, 12, 13, 14, 99])
        #expect(rows.map(\.1) == texts + ["carriage return line"])
        #expect(run.requests.filter { $0.0 == "entities/insert" }.count == 3)
        #expect(run.requests.allSatisfy { ($0.1["collectionName"] as? String) == "c1" })
    }

    @Test func createsTheCollectionWithTheFunctionAndIndex() throws {
        let run = try dryRun(Array("1\thello\n".utf8))
        #expect(run.requests.map(\.0) == ["collections/has", "collections/create", "entities/insert", "collections/load", "entities/search"])
        let create = run.requests[1].1
        #expect(create["collectionName"] as? String == "demo_texts")
        let schema = create["schema"] as? [String: Any]
        let function = (schema?["functions"] as? [[String: Any]])?.first
        #expect(function?["type"] as? String == "TextEmbedding")
        #expect(function?["inputFieldNames"] as? [String] == ["text"])
        #expect(function?["outputFieldNames"] as? [String] == ["embedding"])
        let index = (create["indexParams"] as? [[String: Any]])?.first
        #expect(index?["indexType"] as? String == "HNSW" && index?["metricType"] as? String == "COSINE")
    }

    @Test func shippedDemoDataLoadsCompletely() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.root + "/data/demo/texts.tsv"))
        let run = try dryRun(Array(data))
        #expect(run.status == 0)
        let rows = insertedRows(run.requests)
        #expect(rows.count == 10_000)
        #expect(Set(rows.map(\.0)).count == 10_000)
        #expect(rows.allSatisfy { !$0.1.isEmpty && $0.1 != "<missing>" })
        #expect(run.requests.filter { $0.0 == "entities/insert" }.count == 20)  // batches of 500
    }

    @Test func badInputIsRefusedWithAMessage() throws {
        #expect(try dryRun(Array("x1\ttext\n".utf8)).status != 0)  // id not an integer
        #expect(try dryRun(Array("no tab here\n".utf8)).status != 0)
        #expect(try dryRun(Array("1\tok\n".utf8), extra: ["--batch", "0"]).status != 0)
        #expect(try dryRun(Array("1\tok\n".utf8), extra: ["--collection", "bad-name"]).status != 0)
    }
}
