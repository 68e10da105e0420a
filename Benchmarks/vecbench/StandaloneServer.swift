import E2EScenario
import Foundation

/// A `vecnode --role standalone` child process on 127.0.0.1 with its own data directory, for `vecbench
/// compare`. `stop()` sends SIGTERM, waits up to 20 s, then SIGKILLs; it is idempotent and safe to call from
/// the ctrl-C handler.
final class StandaloneServer: @unchecked Sendable {
    /// `HOST:PORT` of its HTTP API.
    let address: String
    let port: UInt16
    private let process: ChildProcess
    private let lock = NSLock()
    private var stopped = false

    /// Starts the server and waits (up to `timeout` seconds) until `GET /health` answers 200.
    /// - Throws: `BenchError` when it cannot start, exits early (with the end of its log) or never gets healthy.
    init(vecnode: String, dataDirectory: String, logPath: String, timeout: Double = 60) throws {
        port = try LocalPorts.ephemeral()
        address = "127.0.0.1:\(port)"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        process = try ChildProcess(vecnode, ["--role", "standalone", "--listen", address, "--data-dir", dataDirectory],
                                   outputPath: logPath)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard process.isRunning else {
                let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw BenchError("vecnode --role standalone exited (status \(process.wait())): "
                                 + text.split(separator: "\n").suffix(4).joined(separator: " | "))
            }
            if let client = try? MilvusHTTPClient(host: "127.0.0.1", port: port, timeout: 2),
               let (status, _) = try? client.get("/health") {
                client.close()
                if status == 200 { return }
            }
            guard Date() < deadline else {
                stop()
                throw BenchError("vecnode --role standalone on \(address) not healthy within \(Int(timeout)) s; see \(logPath)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Stops the server (SIGTERM, SIGKILL after 20 s).
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        guard process.isRunning else { return }
        process.signal(SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        process.signal(SIGKILL)
        process.wait()
    }
}
