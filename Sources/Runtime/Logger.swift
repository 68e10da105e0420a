import Foundation
import Glibc
import Synchronization

/// Structured logging: one line per event, in logfmt, to standard error.
///
/// ```
/// ts=2026-11-28T09:48:50.123Z level=info role=proxy node=3 msg="listening" addr=127.0.0.1:19530
/// ```
/// Fields, in order: `ts` (RFC 3339, UTC, milliseconds), `level`, `role`, `node`, `msg`, then the event's own
/// key=value fields in the order given. Values are quoted only when they must be (see `LogFormat`), so lines
/// stay greppable and machine-parsable.
///
/// The level threshold is process-wide (`Logger.level`, set from `--log-level`). A disabled call costs one
/// atomic load: the message and fields are autoclosures, evaluated only when the event is written.
/// Loggers are values and thread-safe; each line is written with a single `write(2)` under a lock, so lines
/// from different threads never interleave.
public struct Logger: Sendable {
    /// The role this process (or component) plays, e.g. `proxy`; `-` when not yet known.
    public let role: String
    /// The node id, e.g. the id rootcoord assigned; `-` when not yet known.
    public let nodeID: String
    private let sink: @Sendable (String) -> Void

    /// A logger writing to standard error.
    public init(role: String, nodeID: String = "-") {
        self.init(role: role, nodeID: nodeID, sink: Logger.writeToStandardError)
    }

    /// A logger handing each finished line (with its trailing newline) to `sink`; for tests and redirection.
    public init(role: String, nodeID: String = "-", sink: @escaping @Sendable (String) -> Void) {
        self.role = role
        self.nodeID = nodeID
        self.sink = sink
    }

    /// The same destination with another role or node id (e.g. once rootcoord has assigned an id).
    public func with(role: String? = nil, nodeID: String? = nil) -> Logger {
        Logger(role: role ?? self.role, nodeID: nodeID ?? self.nodeID, sink: sink)
    }

    // MARK: the process-wide threshold

    private static let threshold = Atomic<Int>(LogLevel.info.rawValue)

    /// Events below this level are dropped. Process-wide; default `info`.
    public static var level: LogLevel {
        get { LogLevel(rawValue: threshold.load(ordering: .relaxed)) ?? .info }
        set { threshold.store(newValue.rawValue, ordering: .relaxed) }
    }

    /// Whether an event at `level` would be written.
    @inline(__always)
    public static func isEnabled(_ level: LogLevel) -> Bool {
        level.rawValue >= threshold.load(ordering: .relaxed)
    }

    // MARK: events

    /// Writes one event if `level` is enabled. `message` and `fields` are evaluated only then.
    @inline(__always)
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String,
                    _ fields: @autoclosure () -> KeyValuePairs<String, Any> = [:]) {
        guard Logger.isEnabled(level) else { return }
        sink(LogFormat.line(time: LogFormat.now(), level: level, role: role, nodeID: nodeID,
                            message: message(), fields: fields()))
    }

    @inline(__always)
    public func trace(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, Any> = [:]) {
        log(.trace, message(), fields())
    }
    @inline(__always)
    public func debug(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, Any> = [:]) {
        log(.debug, message(), fields())
    }
    @inline(__always)
    public func info(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, Any> = [:]) {
        log(.info, message(), fields())
    }
    @inline(__always)
    public func warn(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, Any> = [:]) {
        log(.warn, message(), fields())
    }
    @inline(__always)
    public func error(_ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, Any> = [:]) {
        log(.error, message(), fields())
    }

    // MARK: output

    private static let stderrLock = Mutex<Void>(())

    /// Writes `line` to file descriptor 2 — the stream behind `FileHandle.standardError` — in one piece
    /// (retrying short writes and EINTR). Plain `write(2)` rather than `FileHandle.write(_:)`, which traps when
    /// the write fails (e.g. stderr is a closed pipe); here errors are ignored, there is nowhere to report them.
    @Sendable public static func writeToStandardError(_ line: String) {
        var line = line
        stderrLock.withLock { _ in
            line.withUTF8 { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += n
                }
            }
        }
    }
}
