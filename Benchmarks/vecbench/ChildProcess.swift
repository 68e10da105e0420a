import Foundation
import Glibc

/// A child process started with `posix_spawn` and reaped with `waitpid` on its own pid. (Foundation's
/// `Process` on Linux relies on a SIGCHLD dispatch source; with a shell script that starts background children,
/// as scripts/cluster.sh does, its `waitUntilExit` was seen never to return, the script left a zombie.)
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `executable` with `arguments` (and `environment`, default this process's), stdin from /dev/null,
    /// stdout and stderr appended to `outputPath`.
    /// - Throws: `BenchError` when the log cannot be opened or the spawn fails.
    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, outputPath: String) throws {
        let fd = open(outputPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot open \(outputPath): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        posix_spawn_file_actions_adddup2(&actions, fd, 2)
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = [executable] + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) }; for p in cEnv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, nil, &cArgs, &cEnv)
        guard rc == 0 else { throw BenchError("cannot start \(executable): \(String(cString: strerror(rc)))") }
        pid = child
    }

    /// Whether the process still runs (reaps it when it has exited).
    var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if status != nil { return false }
        var s: Int32 = 0
        let r = waitpid(pid, &s, WNOHANG)
        if r == pid { status = s; return false }
        return r == 0
    }

    /// Blocks until the process exits; returns its exit status (128 + signal when killed by a signal).
    @discardableResult
    func wait() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if status == nil {
            var s: Int32 = 0
            while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
            status = s
        }
        let s = status!
        return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f)
    }

    /// Sends `signal` (no effect once the process has been reaped).
    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }
}
