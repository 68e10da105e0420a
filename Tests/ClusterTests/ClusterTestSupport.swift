import Foundation
import Glibc
import Synchronization
import Testing
import Wire

/// A fresh directory under the system temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String
    init(_ label: String = #function) {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "cluster-\(safe)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// The cluster secret the tests' processes share.
let testSecret = "cluster-tests-secret-0123456789"

/// A TCP transport with the test secret and short timeouts.
func testTransport() throws -> TCPTransport {
    var c = WireConfiguration(clusterSecret: try ClusterSecret(testSecret))
    c.connectTimeout = .milliseconds(500)
    c.defaultTimeout = .seconds(30)
    return try TCPTransport(configuration: c)
}

/// A port on 127.0.0.1 that was free a moment ago: bound with port 0, read back, closed. (Another process could
/// take it in between; on a test machine that is rare enough, and the failure is loud.)
func freePort() -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0, "socket: \(errno)")
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
            guard bind(fd, p, len) == 0 else { return -1 }
            return getsockname(fd, p, &len)
        }
    }
    precondition(bound == 0, "bind: \(errno)")
    return UInt16(bigEndian: addr.sin_port)
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(_ timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// One `vecnode` child process with its standard error in a file. `kill()` is idempotent; tests call it in a
/// `defer` so no process outlives a failed test.
final class VecnodeProcess: @unchecked Sendable {
    /// `vecnode` beside this test bundle (/proc/self/exe is the test runner in .build/<config>/).
    static let binary: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("vecnode").path
    }()

    let name: String
    let logPath: String
    private let process = Process()

    /// Starts `vecnode arguments` in `directory`, appending its standard error to `<directory>/<name>.log`.
    init(name: String, arguments: [String], directory: String, environment: [String: String] = [:]) throws {
        self.name = name
        logPath = directory + "/\(name).log"
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "VECNODE_CLUSTER_SECRET": testSecret]
        env.merge(environment) { $1 }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` (SIGTERM, SIGKILL…) if the process is still running.
    func send(_ signal: Int32) {
        if process.isRunning { Glibc.kill(process.processIdentifier, signal) }
    }

    /// Waits up to `timeout` for the process to exit; returns its status, or nil if it is still running.
    func wait(timeout: Duration) async -> Int32? {
        let end = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGKILLs the process (if running) and reaps it.
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The process's log so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The log's last lines, for failure messages.
    func tail(_ lines: Int = 15) -> String {
        log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

/// A set of processes killed together (in `defer`).
final class ProcessGroup: @unchecked Sendable {
    private let lock = NSLock()
    private var processes: [VecnodeProcess] = []

    @discardableResult
    func add(_ p: VecnodeProcess) -> VecnodeProcess {
        lock.withLock { processes.append(p) }
        return p
    }

    func killAll() {
        let all = lock.withLock { processes }
        for p in all { p.kill() }
    }

    /// Every process's log tail, for a failure message.
    func logs() -> String {
        lock.withLock { processes }.map { "--- \($0.name)\n\($0.tail())" }.joined(separator: "\n")
    }
}
