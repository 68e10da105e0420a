/// One `--kill ROLE-N@SECONDS` fault: which cluster process to SIGKILL (a `scripts/cluster.sh` process name
/// such as `querynode-2`, `proxy-1`, `lognode`) and when, in seconds from the start of the load (the first run
/// of the invocation; runs follow each other back to back on one clock).
public struct KillSpec: Sendable, Equatable, CustomStringConvertible {
    /// The process name as `scripts/cluster.sh status` lists it.
    public var process: String
    /// Seconds after the load started.
    public var seconds: Double

    public init(process: String, seconds: Double) {
        self.process = process
        self.seconds = seconds
    }

    /// Parses `NAME@SECONDS`: NAME is lowercase letters optionally followed by `-N` (N ≥ 1, e.g. `querynode-2`,
    /// `gateway`), SECONDS a non-negative number with an optional `s` suffix (`8`, `8.5`, `8s`).
    /// - Throws: `LoadError.invalidConfiguration` naming the problem and the expected form.
    public static func parse(_ text: String) throws(LoadError) -> KillSpec {
        let expected = "expected ROLE-N@SECONDS, e.g. querynode-2@8"
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .invalidConfiguration("--kill '\(text)': \(expected)") }
        let name = parts[0], time = parts[1]
        let pieces = name.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), !pieces[0].isEmpty, pieces[0].count <= 32,
              pieces[0].utf8.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) else {
            throw .invalidConfiguration("--kill '\(text)': '\(name)' is not a process name (lowercase role, optionally -N); \(expected)")
        }
        if pieces.count == 2 {
            guard let n = Int(pieces[1]), n >= 1, n <= 4_096, pieces[1].first != "0" else {
                throw .invalidConfiguration("--kill '\(text)': '\(pieces[1])' in '\(name)' is not a process number ≥ 1; \(expected)")
            }
        }
        let number = time.hasSuffix("s") ? time.dropLast() : time
        guard let seconds = Double(number), seconds.isFinite, seconds >= 0, seconds <= 86_400 else {
            throw .invalidConfiguration("--kill '\(text)': '\(time)' is not a time in seconds (0…86400); \(expected)")
        }
        return KillSpec(process: String(name), seconds: seconds)
    }

    public var description: String { "\(process)@\(LoadReport.number(seconds, digits: seconds.rounded() == seconds ? 0 : 1))" }
}
