import Foundation

/// One `vecbench` subcommand: a name, a one-line summary and an entry point taking the remaining arguments.
struct BenchCommand: Sendable {
    let name: String
    let summary: String
    let run: @Sendable ([String]) throws -> Void
}

/// A command-line error: printed as one line and exit status 1 (2 for usage errors).
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Minimal `--flag value` parser shared by the subcommands. Unknown flags are errors, never ignored.
struct FlagParser {
    private var values: [String: String] = [:]
    private var lists: [String: [String]] = [:]
    private var switches: Set<String> = []

    /// Parses `args` given the flags that take a value, the boolean switches that do not, and the valued flags
    /// that may be given more than once (read with `all`).
    init(_ args: [String], valued: Set<String>, switches allowed: Set<String> = [], repeatable: Set<String> = []) throws {
        var i = 0
        while i < args.count {
            let a = args[i]
            if allowed.contains(a) {
                switches.insert(a)
                i += 1
            } else if valued.contains(a) || repeatable.contains(a) {
                guard i + 1 < args.count else { throw BenchError("\(a) needs a value") }
                values[a] = args[i + 1]
                lists[a, default: []].append(args[i + 1])
                i += 2
            } else {
                throw BenchError("unknown option '\(a)'")
            }
        }
    }

    func string(_ flag: String) -> String? { values[flag] }
    /// Every value of a repeatable flag, in order.
    func all(_ flag: String) -> [String] { lists[flag] ?? [] }
    func has(_ flag: String) -> Bool { switches.contains(flag) }

    func int(_ flag: String, default d: Int) throws -> Int {
        guard let v = values[flag] else { return d }
        guard let n = Int(v) else { throw BenchError("\(flag) expects an integer, got '\(v)'") }
        return n
    }

    func intList(_ flag: String, default d: [Int]) throws -> [Int] {
        guard let v = values[flag] else { return d }
        return try v.split(separator: ",").map {
            guard let n = Int($0.trimmingCharacters(in: .whitespaces)) else {
                throw BenchError("\(flag) expects comma-separated integers, got '\(v)'")
            }
            return n
        }
    }
}
