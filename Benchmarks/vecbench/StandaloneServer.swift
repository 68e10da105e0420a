import E2EScenario
import Foundation

/// A `vecnode --role standalone` child process on 127.0.0.1 with its own data directory, for `vecbench
/// compare`. `stop()` sends SIGTERM, waits up to 20 s, then SIGKILLs; it is idempotent and safe to call from
/// the ctrl-C handler.
final class StandaloneServer: @unchecked Sendable {
    /// `HOST:PORT` of its HTTP API.
    let address: String
    let port: UInt16
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// Starts the server and waits (up to `timeout` seconds) until `GET /health` answers 200.
    /// - Throws: `BenchError` when it cannot start, exits early (with the end of its log) or never gets healthy.
    init(vecnode: String, dataDirectory: String, logPath: String, timeout: Double = 60) throws {
        port = try LocalPorts.ephemeral()
        address = "127.0.0.1:\(port)"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw BenchError("cannot write \(logPath)") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: vecnode)
        process.arguments = ["--role", "standalone", "--listen", address, "--data-dir", dataDirectory]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw BenchError("cannot start \(vecnode): \(error)") }
        try? log.close()
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard process.isRunning else {
                let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw BenchError("vecnode --role standalone exited (status \(process.terminationStatus)): "
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
        process.terminate()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
