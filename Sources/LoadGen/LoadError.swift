/// Why a load run could not start: bad options, bad input files, an unreachable target. (Failures of
/// individual requests during a run are not thrown; they are counted by `RequestFailure` kind.)
public enum LoadError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An option or combination of options is out of range; the message names it and the allowed values.
    case invalidConfiguration(String)
    /// `--url` is not `http://HOST:PORT[/prefix]`.
    case invalidURL(String, reason: String)
    /// A query, text or ground-truth file is unreadable or malformed.
    case invalidInput(path: String, reason: String)
    /// The load generator could not start its threads or sockets.
    case system(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): return m
        case .invalidURL(let u, let reason):
            return "invalid --url '\(u)': \(reason) (expected http://HOST:PORT, e.g. http://127.0.0.1:19530)"
        case .invalidInput(let path, let reason): return "\(path): \(reason)"
        case .system(let m): return m
        }
    }
}
