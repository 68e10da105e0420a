/// The options of `vecbench compare`, parsed and checked before anything starts: a bad flag is a one-line
/// `LoadError.invalidConfiguration`, never a benchmark that fails after minutes of ingest.
public struct CompareOptions: Sendable, Equatable {
    /// The dataset directory (base.f16bin, query.f16bin; gt100.ibin is used when all its rows are ingested).
    public var dataDirectory = ""
    /// Rows ingested (the first of base.f16bin).
    public var rows = 100_000
    /// Query vectors cycled through (the first of query.f16bin).
    public var queries = 1_000
    public var shards = 4
    /// Replicas of the distributed deployment (the standalone server always has one).
    public var replicas = 3
    public var queryNodes = 3
    public var proxies = 2
    /// Closed-loop client counts, ascending; one run per value on each deployment.
    public var concurrency = CompareOptions.defaultConcurrency
    /// Seconds per concurrency level.
    public var duration = CompareOptions.defaultDuration
    public var topK = 10
    /// HNSW search breadth sent with every search.
    public var ef = 64
    /// HNSW build parameters of the collection.
    public var m = 16
    public var efConstruction = CompareOptions.defaultEfConstruction
    /// Rows per insert request.
    public var batch = 1_000
    /// Per-request timeout of the load (seconds).
    public var timeout = 10.0
    /// Faults injected during the distributed run.
    public var kills: [KillSpec] = []
    /// Seconds between a kill and the restart of the process.
    public var restartAfter = 3.0
    /// The vecnode binary (nil: next to the vecbench executable).
    public var vecnodePath: String?
    /// scripts/cluster.sh (nil: found from the working directory or the executable's location).
    public var clusterScript: String?
    /// Where the JSON and markdown reports and the two SVG plots go (nil: not written; the markdown is always
    /// printed on stdout).
    public var jsonPath: String?
    public var markdownPath: String?
    public var plotDirectory: String?
    /// Seconds between progress lines (0: none; nil: 1 s on a terminal, 5 s otherwise).
    public var progressInterval: Double?

    public static let defaultConcurrency = [1, 8, 32, 64]
    public static let defaultDuration = 10.0
    public static let defaultEfConstruction = 64

    public init() {}

    /// The flags that take a value (`--kill` may be repeated; every other flag at most once).
    public static let valuedFlags: Set<String> = [
        "--data", "--rows", "--queries", "--shards", "--replicas", "--query-nodes", "--proxies", "--concurrency",
        "--duration", "--top-k", "--ef", "--m", "--ef-construction", "--batch", "--timeout", "--kill", "--restart-after",
        "--vecnode", "--cluster-script", "--json", "--markdown", "--plot-dir", "--progress",
    ]

    /// Parses the arguments after `compare`.
    /// - Throws: `LoadError.invalidConfiguration` for an unknown or repeated flag, a missing or malformed value,
    ///   or an inconsistent combination (replicas > query nodes, a kill after the load ends or of a process the
    ///   cluster does not have).
    public static func parse(_ args: [String]) throws(LoadError) -> CompareOptions {
        var o = CompareOptions()
        var seen: Set<String> = []
        var i = 0
        var data: String?
        while i < args.count {
            let flag = args[i]
            guard valuedFlags.contains(flag) else {
                throw .invalidConfiguration("unknown option '\(flag)' (vecbench compare --help lists them)")
            }
            guard i + 1 < args.count else { throw .invalidConfiguration("\(flag) needs a value") }
            let v = args[i + 1]
            i += 2
            if flag != "--kill" {
                guard seen.insert(flag).inserted else { throw .invalidConfiguration("\(flag) given twice") }
            }
            guard !v.isEmpty else { throw .invalidConfiguration("\(flag) needs a non-empty value") }
            switch flag {
            case "--data": data = v
            case "--rows": o.rows = try OptionText.integer(v, flag: flag, in: 1...100_000_000)
            case "--queries": o.queries = try OptionText.integer(v, flag: flag, in: 1...1_000_000)
            case "--shards": o.shards = try OptionText.integer(v, flag: flag, in: 1...64)
            case "--replicas": o.replicas = try OptionText.integer(v, flag: flag, in: 1...64)
            case "--query-nodes": o.queryNodes = try OptionText.integer(v, flag: flag, in: 1...64)
            case "--proxies": o.proxies = try OptionText.integer(v, flag: flag, in: 1...64)
            case "--concurrency": o.concurrency = try OptionText.integerList(v, flag: flag, in: 1...4_096)
            case "--duration": o.duration = try OptionText.duration(v, flag: flag)
            case "--top-k": o.topK = try OptionText.integer(v, flag: flag, in: 1...1_000)
            case "--ef": o.ef = try OptionText.integer(v, flag: flag, in: 1...10_000)
            case "--m": o.m = try OptionText.integer(v, flag: flag, in: 2...128)
            case "--ef-construction": o.efConstruction = try OptionText.integer(v, flag: flag, in: 1...10_000)
            case "--batch": o.batch = try OptionText.integer(v, flag: flag, in: 1...100_000)
            case "--timeout": o.timeout = try OptionText.duration(v, flag: flag)
            case "--kill": o.kills.append(try KillSpec.parse(v))
            case "--restart-after": o.restartAfter = try OptionText.duration(v, flag: flag, allowZero: true)
            case "--vecnode": o.vecnodePath = v
            case "--cluster-script": o.clusterScript = v
            case "--json": o.jsonPath = v
            case "--markdown": o.markdownPath = v
            case "--plot-dir": o.plotDirectory = v
            case "--progress": o.progressInterval = try OptionText.duration(v, flag: flag, allowZero: true)
            default: throw .invalidConfiguration("unknown option '\(flag)'")
            }
        }
        guard let data else { throw .invalidConfiguration("--data DIR is required (e.g. ../shared/datasets/pypi-minilm-100k)") }
        o.dataDirectory = data
        try o.validate()
        return o
    }

    /// Seconds the load runs on one deployment (every concurrency level back to back).
    public var loadSeconds: Double { duration * Double(concurrency.count) }

    /// The process names `scripts/cluster.sh up` starts with these counts. (Scripts that also run a datacoord
    /// and data nodes add `datacoord` and `datanode-N`; `--kill` accepts those too, and `vecbench compare` checks
    /// every name against the processes the script actually recorded before it ingests.)
    public var clusterProcesses: [String] {
        ["rootcoord", "lognode", "querycoord"] + (1...queryNodes).map { "querynode-\($0)" }
            + (1...proxies).map { "proxy-\($0)" } + ["gateway"]
    }

    /// Whether `--kill` may name `process`: one of `clusterProcesses`, `datacoord`, or `datanode-N`.
    func mayKill(_ process: String) -> Bool {
        clusterProcesses.contains(process) || process == "datacoord" || process.hasPrefix("datanode-")
    }

    /// Checks the combinations `parse` cannot see flag by flag.
    public func validate() throws(LoadError) {
        guard replicas <= queryNodes else {
            throw .invalidConfiguration("--replicas \(replicas) needs at least \(replicas) query nodes (--query-nodes is \(queryNodes))")
        }
        guard !concurrency.isEmpty else { throw .invalidConfiguration("--concurrency needs at least one value") }
        guard ef >= topK else { throw .invalidConfiguration("--ef \(ef) must be at least --top-k \(topK)") }
        let known = clusterProcesses
        for k in kills {
            guard mayKill(k.process) else {
                throw .invalidConfiguration("--kill \(k): the cluster has no process '\(k.process)' (it has \(known.joined(separator: ", ")))")
            }
            guard k.seconds < loadSeconds else {
                throw .invalidConfiguration("--kill \(k): the load lasts \(LoadReport.number(loadSeconds)) s "
                                            + "(\(concurrency.count) levels × \(LoadReport.number(duration, digits: 1)) s); kill earlier")
            }
        }
    }
}
