import Foundation

extension NodeConfig {
    /// Why a value was rejected (wrapped into `ConfigError.invalidValue` with the key and source).
    struct ValueError: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// One setting: its name (the config-file key; `--name` as a flag), the syntax of its value, a one-line
    /// help text, and how to parse and render it.
    public struct Setting: Sendable {
        /// Config-file key and flag name (without `--`).
        public let name: String
        /// The value's syntax for `--help`, e.g. `HOST:PORT`.
        public let valueSyntax: String
        /// One line for `--help`.
        public let help: String
        /// Secret values are never echoed in errors or summaries.
        public let isSecret: Bool
        let apply: @Sendable (inout NodeConfig, String) throws(ValueError) -> Void
        let render: @Sendable (NodeConfig) -> String
    }

    /// Every setting, in `--help` order. Add new ones here (see the type's documentation).
    public static let settings: [Setting] = [
        Setting(name: "role", valueSyntax: "ROLE", help: "what this process runs: \(NodeRole.namesList)",
                isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in
                    guard let r = NodeRole(rawValue: v) else {
                        throw ValueError("unknown role; choose one of \(NodeRole.namesList)")
                    }
                    c.role = r
                },
                render: { $0.role?.rawValue ?? "" }),
        Setting(name: "listen", valueSyntax: "HOST:PORT", help: "address to serve on (default 127.0.0.1:19530)",
                isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in c.listen = try address(v) },
                render: { $0.listen.description }),
        Setting(name: "advertise", valueSyntax: "HOST:PORT",
                help: "address peers dial to reach this node (default: the listen address)", isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in c.advertise = try address(v) },
                render: { $0.advertise?.description ?? "" }),
        Setting(name: "http", valueSyntax: "HOST:PORT",
                help: "HTTP API address of proxy and standalone (default: the --listen address)", isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in c.http = try address(v) },
                render: { $0.http?.description ?? "" }),
        Setting(name: "data-dir", valueSyntax: "DIR",
                help: "directory for durable state (default $VECNODE_DATA_DIR or ./vecnode-data)", isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in c.dataDirectory = try path(v) },
                render: { $0.dataDirectory }),
        Setting(name: "log-level", valueSyntax: "LEVEL", help: "trace, debug, info (default), warn or error",
                isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in
                    guard let l = LogLevel(name: v) else { throw ValueError("use trace, debug, info, warn or error") }
                    c.logLevel = l
                },
                render: { $0.logLevel.name }),
        Setting(name: "cluster-secret", valueSyntax: "SECRET",
                help: "secret shared by all nodes, ≥ 16 bytes (prefer the config file or $VECNODE_CLUSTER_SECRET: "
                    + "flags are visible in ps)", isSecret: true,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in
                    guard !v.isEmpty else { throw ValueError("the secret is empty") }
                    c.clusterSecret = v
                },
                render: { $0.clusterSecret ?? "" }),
        Setting(name: "rootcoord", valueSyntax: "HOST:PORT", help: "the root coordinator's address (cluster roles)",
                isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in c.rootCoordinator = try address(v) },
                render: { $0.rootCoordinator?.description ?? "" }),
        Setting(name: "cpu-threads", valueSyntax: "N",
                help: "threads for searches and index builds (default: one per core)", isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in
                    c.cpuThreads = try integer(v, in: 1...1024)
                },
                render: { String($0.cpuThreads) }),
        Setting(name: "cpu-niceness", valueSyntax: "0-19",
                help: "niceness of those threads, so requests win the CPU (default 10)", isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in
                    c.cpuNiceness = Int32(try integer(v, in: 0...19))
                },
                render: { String($0.cpuNiceness) }),
        Setting(name: "upstreams", valueSyntax: "HOST:PORT,...",
                help: "gateway: the proxies' HTTP addresses to balance over (1 to 256, comma-separated)",
                isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in
                    let parts = v.split(separator: ",", omittingEmptySubsequences: false)
                        .map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count <= 256 else { throw ValueError("at most 256 upstreams, got \(parts.count)") }
                    var list: [HostPort] = []
                    for part in parts {
                        guard !part.isEmpty else { throw ValueError("an empty entry: write HOST:PORT,HOST:PORT") }
                        let a = try address(part)
                        guard a.port != 0, !a.isWildcard else {
                            throw ValueError("\(a) is not dialable: give a concrete host and a non-zero port")
                        }
                        guard !list.contains(a) else { throw ValueError("\(a) is listed twice") }
                        list.append(a)
                    }
                    c.upstreams = list
                },
                render: { $0.upstreams.map(\.description).joined(separator: ",") }),
        Setting(name: "object-store", valueSyntax: "DIR",
                help: "shared object store of flushed segments and index objects (default <data-dir>/objects; one directory for the whole cluster)",
                isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in c.objectStore = try path(v) },
                render: { $0.objectStore ?? "" }),
        Setting(name: "flush-interval", valueSyntax: "DURATION",
                help: "datanode: flush channels with unflushed data this often, e.g. 10s or 500ms (default 10s; 10ms...1d)",
                isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in c.flushIntervalMilliseconds = try milliseconds(v) },
                render: { "\($0.flushIntervalMilliseconds)ms" }),
        Setting(name: "model-dir", valueSyntax: "DIR",
                help: "all-MiniLM-L6-v2 files (default $VECNODE_MODEL_DIR or ./models/all-MiniLM-L6-v2)",
                isSecret: false,
                apply: { (c: inout NodeConfig, v: String) throws(ValueError) in c.modelDirectory = try path(v) },
                render: { $0.modelDirectory }),
    ]

    /// The setting called `name`, if any.
    public static func setting(named name: String) -> Setting? {
        settings.first { $0.name == name }
    }

    private static func address(_ v: String) throws(ValueError) -> HostPort {
        do {
            return try HostPort(parsing: v)
        } catch {
            throw ValueError(error.description)
        }
    }

    private static func path(_ v: String) throws(ValueError) -> String {
        guard !v.isEmpty else { throw ValueError("the path is empty") }
        guard !v.utf8.contains(0) else { throw ValueError("the path contains a NUL byte") }
        return v
    }

    /// `N` with a unit `ms`, `s` or `m` (e.g. `10s`, `500ms`), 10 ms ... 1 day.
    private static func milliseconds(_ v: String) throws(ValueError) -> Int {
        let units: [(String, Int)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for (suffix, scale) in units where v.hasSuffix(suffix) {
            let digits = v.dropLast(suffix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = Int(digits), n >= 0, n <= 86_400_000 / scale else { break }
            let ms = n * scale
            guard (10...86_400_000).contains(ms) else { throw ValueError("must be 10ms ... 1 day, got \(ms) ms") }
            return ms
        }
        throw ValueError("must be a whole number with a unit ms, s or m, e.g. 10s or 500ms")
    }

    private static func integer(_ v: String, in range: ClosedRange<Int>) throws(ValueError) -> Int {
        guard let n = Int(v), range.contains(n) else {
            throw ValueError("must be an integer \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }
}
