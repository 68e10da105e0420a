import Foundation
import Glibc
import Testing

/// End-to-end tests of the built `vecnode` binary (the test target depends on it, so `swift test` builds it
/// next to the test bundle).
@Suite(.serialized) struct VecnodeExecutableTests {
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
        var stdoutLines: [Substring] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }
    }

    /// `vecnode` beside this test bundle (/proc/self/exe is the test runner in .build/<config>/).
    static let binary: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("vecnode").path
    }()

    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `VECNODE_MODEL_DIR`, else `<package root>/models/all-MiniLM-L6-v2` (scripts/fetch-model.sh puts it there).
    static let modelDirectory =
        ProcessInfo.processInfo.environment["VECNODE_MODEL_DIR"] ?? packageRoot + "/models/all-MiniLM-L6-v2"

    static func modelAvailable(_ test: String) -> Bool {
        if FileManager.default.fileExists(atPath: modelDirectory + "/model.safetensors") { return true }
        print("SKIPPED \(test): no model in \(modelDirectory); run scripts/fetch-model.sh (or set VECNODE_MODEL_DIR)")
        return false
    }

    /// Runs vecnode with `arguments`, `stdin` bytes, and a clean environment (plus `environment`); kills it
    /// after 60 s.
    func vecnode(_ arguments: [String], stdin: [UInt8]? = nil, environment: [String: String] = [:]) throws -> Outcome {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "VECNODE_MODEL_DIR": Self.modelDirectory]
        env.merge(environment) { $1 }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
        let outPath = dir.write("stdout", ""), errPath = dir.write("stderr", "")
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        process.standardInput = FileHandle(forReadingAtPath: dir.write("stdin", stdin ?? []))
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("vecnode \(arguments) did not finish within 60 s")
        }
        process.waitUntilExit()
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "<not UTF-8>"
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "<not UTF-8>"
        return Outcome(status: process.terminationStatus, stdout: out, stderr: err)
    }

    /// Expects exit `status` and exactly one line on standard error containing `message`.
    func expectFailure(_ arguments: [String], status: Int32, _ message: String, environment: [String: String] = [:],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try vecnode(arguments, environment: environment)
        #expect(r.status == status, "vecnode \(arguments): exit \(r.status), stderr \(r.stderr)",
                sourceLocation: sourceLocation)
        #expect(r.stderr.hasSuffix("\n") && r.stderr.dropLast().firstIndex(of: "\n") == nil,
                "not one line: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(message), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func binaryIsBuiltBesideTheTests() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "no vecnode at \(Self.binary)")
    }

    @Test func versionAndHelp() throws {
        let v = try vecnode(["--version"])
        #expect(v.status == 0 && v.stdout == "vecnode 0.1.0 (wire protocol 1)\n")
        let h = try vecnode(["--help"])
        #expect(h.status == 0 && h.stdout.hasPrefix("usage: vecnode --role ROLE") && h.stderr.isEmpty)
        let e = try vecnode(["embed", "--help"])
        #expect(e.status == 0 && e.stdout.hasPrefix("usage: vecnode embed"))
    }

    @Test func badFlagsAndConfigsExitTwoWithOneLine() throws {
        try expectFailure([], status: 2, "vecnode: missing role: pass --role ROLE")
        try expectFailure(["--role", "emperor"], status: 2, "vecnode: --role: invalid value 'emperor': unknown role")
        try expectFailure(["--role", "standalone", "--bogus"], status: 2, "unknown flag '--bogus'")
        try expectFailure(["--role", "standalone", "--listen", "localhost:70000"], status: 2, "bad port '70000'")
        try expectFailure(["--role", "standalone", "--listen"], status: 2, "flag --listen needs a value")
        try expectFailure(["--role", "proxy"], status: 2, "missing cluster secret")
        try expectFailure(["--config", "/nonexistent.conf"], status: 2, "cannot read config file /nonexistent.conf")
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let conf = dir.write("v.conf", "role = standalone\nlisten = 127.0.0.1:19530\nshards = 4\n")
        try expectFailure(["--config", conf], status: 2, "v.conf:3: unknown setting 'shards'")
        try expectFailure(["embed"], status: 2, "missing text")
    }

    /// Every cluster role validates its flags before starting: without the root coordinator's address it exits
    /// 2 with a one-line reason (the index roles included, now that every role exists).
    @Test func clusterRolesNeedTheRootCoordinator() throws {
        for role in ["indexcoord", "indexnode", "datacoord", "datanode"] {
            try expectFailure(["--role", role], status: 2, "must find rootcoord: pass --rootcoord HOST:PORT",
                              environment: ["VECNODE_CLUSTER_SECRET": "0123456789abcdef"])
        }
    }

    @Test func embedPrintsTheReferenceEmbedding() throws {
        guard Self.modelAvailable("embedPrintsTheReferenceEmbedding") else { return }
        let r = try vecnode(["embed", "hello world"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stderr.isEmpty)
        let lines = r.stdoutLines
        #expect(lines.count == 1)
        let vector = try Self.parseVector(lines.first ?? "")
        #expect(vector.count == 384)
        // fastembed / sentence-transformers values for "hello world".
        let expected: [Float] = [-0.034478, 0.03102, 0.00673, 0.02611, -0.039362]
        for (i, e) in expected.enumerated() {
            #expect(abs(vector[i] - e) < 0.00005, "component \(i): \(vector[i]) vs \(e)")
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }
        #expect(abs(norm - 1) < 1e-4)
    }

    @Test func embedFileAndStandardInputGiveOneLinePerTextInOrder() throws {
        guard Self.modelAvailable("embedFileAndStandardInputGiveOneLinePerTextInOrder") else { return }
        let texts = ["hello world", "machine learning", "pdf parsing library", "vector database in Swift"]
        let args = try vecnode(["embed"] + texts)
        #expect(args.status == 0 && args.stdoutLines.count == 4, "stderr: \(args.stderr)")
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let file = dir.write("texts.txt", texts.joined(separator: "\r\n"))  // CRLF, no final newline
        let fromFile = try vecnode(["embed", "--file", file])
        #expect(fromFile.status == 0, "stderr: \(fromFile.stderr)")
        let fromStdin = try vecnode(["embed", "--file", "-"], stdin: Array((texts.joined(separator: "\n") + "\n").utf8))
        #expect(fromStdin.status == 0, "stderr: \(fromStdin.stderr)")
        let a = try args.stdoutLines.map(Self.parseVector)
        let f = try fromFile.stdoutLines.map(Self.parseVector)
        let s = try fromStdin.stdoutLines.map(Self.parseVector)
        #expect(f.count == 4 && s.count == 4)
        for i in 0..<min(4, f.count, s.count) {
            // Single texts and batches run the same kernels: the same vector to float rounding.
            #expect(Self.cosine(a[i], f[i]) > 0.99999 && Self.cosine(a[i], s[i]) > 0.99999)
        }
        #expect(Self.cosine(f[0], f[1]) < 0.9)  // different texts, different vectors
    }

    @Test func embedRejectsBadInputWithTheLineNumber() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        // Missing model: names the script (needs no model).
        let missing = try vecnode(["embed", "--model", dir.path + "/no-model", "hello"])
        #expect(missing.status == 1 && missing.stderr.contains("scripts/fetch-model.sh"), "\(missing.stderr)")
        guard Self.modelAvailable("embedRejectsBadInputWithTheLineNumber") else { return }

        let invalid = dir.write("bad.txt", Array("good line\n".utf8) + [0x62, 0x61, 0xC3, 0x28, 0x0A] + Array("after\n".utf8))
        let r = try vecnode(["embed", "--file", invalid])
        #expect(r.status == 1)
        #expect(r.stderr == "vecnode embed: line 2 of \(invalid) is not valid UTF-8 (first bad byte at byte 2 of the text)\n")
        #expect(r.stdoutLines.count == 1)  // the line before it was printed

        let blank = dir.write("blank.txt", "first\n \t \nthird\n")
        let b = try vecnode(["embed", "--file", blank])
        #expect(b.status == 1 && b.stderr.contains("line 2 of \(blank) is empty"), "\(b.stderr)")
        let emptyArg = try vecnode(["embed", "ok", ""])
        #expect(emptyArg.status == 1 && emptyArg.stderr.contains("argument 2 is empty"))
        let emptyFile = try vecnode(["embed", "--file", dir.write("empty.txt", "")])
        #expect(emptyFile.status == 1 && emptyFile.stderr.contains("holds no text"))
        let absent = try vecnode(["embed", "--file", dir.path + "/absent.txt"])
        #expect(absent.status == 1 && absent.stderr.contains("cannot open"))
    }

    @Test func embedNotesTruncation() throws {
        guard Self.modelAvailable("embedNotesTruncation") else { return }
        let long = Array(repeating: "word", count: 400).joined(separator: " ")
        let r = try vecnode(["embed", "short", long])
        #expect(r.status == 0 && r.stdoutLines.count == 2)
        #expect(r.stderr == "vecnode embed: note: argument 2 was truncated to 256 tokens; only its beginning is embedded\n")
    }

    static func parseVector(_ line: Substring) throws -> [Float] {
        let json = try JSONSerialization.jsonObject(with: Data(line.utf8))
        guard let numbers = json as? [NSNumber] else { throw CocoaError(.propertyListReadCorrupt) }
        return numbers.map { $0.floatValue }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for i in 0..<min(a.count, b.count) {
            dot += a[i] * b[i]
            na += a[i] * a[i]
            nb += b[i] * b[i]
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
