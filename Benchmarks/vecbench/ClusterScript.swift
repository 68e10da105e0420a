import Foundation

/// `scripts/cluster.sh` driven from vecbench: `up` a local cluster in its own directory and ports, `kill` and
/// `restart` one of its processes (`--kill`), `down`. Every call blocks until the script returns; its output is
/// appended to `<dir>/cluster-script.log` and the last lines are quoted when a call fails.
struct ClusterScript: Sendable {
    /// The script's path.
    let script: String
    /// The cluster directory (`--dir`).
    let directory: String
    /// `VECNODE_BIN` for the script (nil: inherit the environment's, or the script's default).
    let vecnode: String?

    /// Finds scripts/cluster.sh: `explicit` when given, else in the working directory, else in the repository the
    /// vecbench executable was built in (`.build/release/vecbench` → `../../scripts`).
    static func locate(_ explicit: String?) throws -> String {
        if let explicit {
            guard FileManager.default.isReadableFile(atPath: explicit) else { throw BenchError("--cluster-script \(explicit): no such readable file") }
            return explicit
        }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0])
        let candidates = [
            FileManager.default.currentDirectoryPath + "/scripts/cluster.sh",
            exe.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/cluster.sh").path,
            exe.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/cluster.sh").path,
        ]
        guard let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
            throw BenchError("cannot find scripts/cluster.sh (run from the repository or pass --cluster-script PATH)")
        }
        return found
    }

    /// Starts the cluster and returns once its gateway answers `GET /health` (the script waits up to 30 s).
    func up(queryNodes: Int, proxies: Int, gateway: String, basePort: Int) throws {
        try call(["up", "--query-nodes", String(queryNodes), "--proxies", String(proxies), "--gateway", gateway,
                  "--base-port", String(basePort)])
    }

    /// SIGKILLs `process` (a name from `status`, e.g. `querynode-2`).
    func kill(_ process: String) throws { try call(["kill", process]) }

    /// Starts `process` again with the arguments `up` gave it.
    func restart(_ process: String) throws { try call(["restart", process]) }

    /// Stops every process (SIGTERM, then SIGKILL after 20 s each).
    func down() throws { try call(["down"]) }

    /// The process names recorded in the cluster directory (`args/NAME`), to check `--kill` names up front.
    func recordedProcesses() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/args")) ?? []).sorted()
    }

    /// The roles among `names` with their counts in the seed's order, e.g. "rootcoord, …, 3 querynode, 2
    /// datanode, …, gateway" — what the report says the cluster ran, read from what the script started.
    static func topology(of names: [String]) -> String {
        var counts: [String: Int] = [:]
        for name in names {
            let role = name.split(separator: "-").first.map(String.init) ?? name
            counts[role, default: 0] += 1
        }
        let order = ["rootcoord", "lognode", "querycoord", "datacoord", "indexcoord", "querynode", "datanode", "indexnode",
                     "proxy", "gateway"]
        let roles = order.filter { counts[$0] != nil } + counts.keys.filter { !order.contains($0) }.sorted()
        return roles.map { counts[$0]! > 1 ? "\(counts[$0]!) \($0)" : $0 }.joined(separator: ", ")
    }

    private func call(_ arguments: [String]) throws {
        var env = ProcessInfo.processInfo.environment
        if let vecnode { env["VECNODE_BIN"] = vecnode }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let logPath = directory + "/cluster-script.log"
        if let log = FileHandle(forWritingAtPath: logPath) ?? (FileManager.default.createFile(atPath: logPath, contents: nil)
                                                                ? FileHandle(forWritingAtPath: logPath) : nil) {
            log.seekToEndOfFile()
            log.write(Data("$ cluster.sh \(arguments.joined(separator: " "))\n".utf8))
            try? log.close()
        }
        let child = try ChildProcess("/bin/bash", [script] + arguments + ["--dir", directory], environment: env, outputPath: logPath)
        let status = child.wait()
        guard status == 0 else {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n").suffix(6).joined(separator: " | ")
            throw BenchError("scripts/cluster.sh \(arguments.joined(separator: " ")) failed (exit \(status)): \(tail)")
        }
    }
}
