/// How important a log event is; events below the configured level are dropped before their message is built.
public enum LogLevel: Int, Comparable, CaseIterable, Sendable, CustomStringConvertible {
    case trace = 0, debug, info, warn, error

    /// The name used on the command line (`--log-level`), in config files and in each log line.
    public var name: String {
        switch self {
        case .trace: return "trace"
        case .debug: return "debug"
        case .info: return "info"
        case .warn: return "warn"
        case .error: return "error"
        }
    }

    /// Parses a level name (`trace`, `debug`, `info`, `warn`, `error`; case-insensitive; `warning` is
    /// accepted for `warn`). Returns nil for anything else.
    public init?(name: String) {
        switch name.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warn
        case "error": self = .error
        default: return nil
        }
    }

    public var description: String { name }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}
