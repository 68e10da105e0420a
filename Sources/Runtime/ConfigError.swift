/// Where a configuration value came from, so an error can point at it.
public enum ConfigSource: Sendable, Equatable, CustomStringConvertible {
    /// A command-line flag.
    case flag
    /// Line `line` (1-based) of config file `path`.
    case file(path: String, line: Int)
    /// An environment variable.
    case environment(String)

    public var description: String {
        switch self {
        case .flag: return "command line"
        case let .file(path, line): return "\(path):\(line)"
        case let .environment(name): return "environment variable \(name)"
        }
    }
}

/// A bad command line or configuration. Every case renders as one line that names the flag, key or file
/// line and says what to do; `vecnode` prints it and exits with status 2.
public enum ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A flag `vecnode` (or the subcommand) does not know.
    case unknownFlag(String, command: String)
    /// A config-file key that is not a setting.
    case unknownKey(String, source: ConfigSource)
    /// A flag or key without its value.
    case missingValue(key: String, source: ConfigSource)
    /// A value that does not parse or is out of range; `reason` says what is expected.
    case invalidValue(key: String, value: String, reason: String, source: ConfigSource)
    /// A config-file line that is not `key = value`, a comment or blank.
    case malformedLine(path: String, line: Int, reason: String)
    /// The same key twice in one file (the second would silently win otherwise).
    case duplicateKey(String, path: String, line: Int, firstLine: Int)
    /// The config file cannot be read or is not a text file.
    case unreadableFile(path: String, reason: String)
    /// A positional argument where none is accepted.
    case unexpectedArgument(String, command: String)
    /// A setting required by the chosen role (or by no role at all) is absent; `hint` says how to give it.
    case missingSetting(String, hint: String)
    /// Settings that parse but cannot be used as given (a secret too short, an address peers cannot dial).
    case unusable(String)

    public var description: String {
        switch self {
        case let .unknownFlag(flag, command):
            return "unknown flag '\(flag)' for \(command); run '\(command) --help' for the list"
        case let .unknownKey(key, source):
            return "\(source): unknown setting '\(key)'; known settings: "
                + NodeConfig.settings.map(\.name).joined(separator: ", ")
        case let .missingValue(key, source):
            let what = source == .flag ? "flag --\(key)" : "setting '\(key)'"
            return "\(source == .flag ? "" : "\(source): ")\(what) needs a value"
        case let .invalidValue(key, value, reason, source):
            let what = source == .flag ? "--\(key)" : "\(source): \(key)"
            return "\(what): invalid value '\(value)': \(reason)"
        case let .malformedLine(path, line, reason):
            return "\(path):\(line): \(reason); expected 'key = value' or a '#' comment"
        case let .duplicateKey(key, path, line, first):
            return "\(path):\(line): '\(key)' is already set on line \(first); keep one"
        case let .unreadableFile(path, reason):
            return "cannot read config file \(path): \(reason)"
        case let .unexpectedArgument(arg, command):
            return "unexpected argument '\(arg)' for \(command); run '\(command) --help'"
        case let .missingSetting(what, hint):
            return "missing \(what): \(hint)"
        case let .unusable(message):
            return message
        }
    }
}
