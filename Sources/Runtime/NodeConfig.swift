import Foundation

/// The configuration of one `vecnode` process: which role it plays, where it listens, where it keeps data.
///
/// Values come from, in increasing precedence: built-in defaults (some from the environment:
/// `VECNODE_DATA_DIR`, `VECNODE_CLUSTER_SECRET`, `VECNODE_MODEL_DIR`), a config file (`--config FILE`, see
/// `load(file:)`), and command-line flags. Every setting has one name used both as the config-file key and as
/// the flag (`listen = …` / `--listen …`); `NodeConfig.settings` is that table.
///
/// To add a setting: add a stored property with its default here and one `Setting` entry in
/// NodeConfig+Settings.swift (name, value syntax, help, parser); flags, config files, `--help` and error
/// messages pick it up from the table. Cross-setting rules go in `validate()`.
public struct NodeConfig: Sendable, Equatable {
    /// The role to run; nil until given (then `validate()` fails).
    public var role: NodeRole?
    /// Address the node's server binds (`HOST:PORT`; port 0 picks a free port).
    public var listen = HostPort(host: "127.0.0.1", port: 19530)
    /// Address peers use to reach this node, when it differs from `listen` (NAT, `0.0.0.0` binds).
    public var advertise: HostPort?
    /// Directory for the node's durable state (log, objects, meta store).
    public var dataDirectory: String
    /// Threshold for `Logger`.
    public var logLevel: LogLevel = .info
    /// The secret every node of a cluster shares (Wire's handshake). Never logged.
    public var clusterSecret: String?
    /// The root coordinator's address; required by every role that joins a cluster except rootcoord itself.
    public var rootCoordinator: HostPort?
    /// Threads of the node's `CPUExecutor` (searches, index builds).
    public var cpuThreads: Int
    /// Niceness of those threads (0…19), so that request handling wins the CPU.
    public var cpuNiceness: Int32 = 10
    /// Directory holding the all-MiniLM-L6-v2 files, for text embedding.
    public var modelDirectory: String
    /// Where the HTTP API is served (`proxy`, `standalone`); nil serves it on `listen`. Neither role has a
    /// wire listener of its own, so by default `vecnode --role standalone` answers HTTP on 127.0.0.1:19530.
    public var http: HostPort?
    /// The shared object store (a directory standing in for S3/MinIO) where data nodes write flushed shards and
    /// query nodes load them (`--object-store`); nil: `<data-dir>/objects` (`objectStoreDirectory`).
    public var objectStore: String?
    /// How often a data node flushes a channel with unflushed data (`--flush-interval`), in milliseconds.
    public var flushIntervalMilliseconds = 10_000
    /// The proxies a `gateway` balances over (`--upstreams`); required by that role, unused by the others.
    public var upstreams: [HostPort] = []

    /// The default data directory: `$VECNODE_DATA_DIR`, else `./vecnode-data`.
    public static func defaultDataDirectory(environment: [String: String]) -> String {
        if let d = environment["VECNODE_DATA_DIR"], !d.isEmpty { return d }
        return "./vecnode-data"
    }

    /// The default model directory: `$VECNODE_MODEL_DIR`, else `./models/all-MiniLM-L6-v2` (where
    /// scripts/fetch-model.sh puts it).
    public static func defaultModelDirectory(environment: [String: String]) -> String {
        if let d = environment["VECNODE_MODEL_DIR"], !d.isEmpty { return d }
        return "./models/all-MiniLM-L6-v2"
    }

    /// The built-in defaults, taking `VECNODE_DATA_DIR`, `VECNODE_MODEL_DIR` and `VECNODE_CLUSTER_SECRET`
    /// from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        dataDirectory = Self.defaultDataDirectory(environment: environment)
        modelDirectory = Self.defaultModelDirectory(environment: environment)
        if let s = environment["VECNODE_CLUSTER_SECRET"], !s.isEmpty { clusterSecret = s }
        cpuThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Sets the setting `key` from its textual `value`.
    /// - Throws: `ConfigError.unknownKey`, `.missingValue` (empty value) or `.invalidValue`, naming `source`.
    public mutating func set(_ key: String, to value: String, source: ConfigSource) throws(ConfigError) {
        guard let setting = Self.setting(named: key) else {
            throw source == .flag ? .unknownFlag("--" + key, command: "vecnode") : .unknownKey(key, source: source)
        }
        guard !value.isEmpty else { throw .missingValue(key: key, source: source) }
        do {
            try setting.apply(&self, value)
        } catch {
            throw .invalidValue(key: key, value: setting.isSecret ? "…" : value, reason: error.reason, source: source)
        }
    }

    /// Checks the settings fit the role: a role is chosen; cluster roles have a secret of at least 16 bytes
    /// and (except rootcoord) the root coordinator's address; peers get a dialable address.
    /// - Throws: the first problem as a one-line `ConfigError`.
    public func validate() throws(ConfigError) {
        guard let role else {
            throw .missingSetting("role", hint: "pass --role ROLE (one of \(NodeRole.namesList)) or a subcommand "
                + "(embed); see 'vecnode --help'")
        }
        if dataDirectory.isEmpty {
            throw .missingSetting("data directory", hint: "pass --data-dir DIR")
        }
        if role == .gateway && upstreams.isEmpty {
            throw .missingSetting("upstreams", hint: "role gateway forwards to proxies: pass --upstreams HOST:PORT,...")
        }
        guard role.joinsCluster else { return }
        guard let secret = clusterSecret else {
            throw .missingSetting("cluster secret", hint: "role \(role) joins a cluster: set cluster-secret in the "
                + "config file or VECNODE_CLUSTER_SECRET (the same value on every node, at least 16 bytes)")
        }
        guard secret.utf8.count >= 16 else {
            throw .unusable("the cluster secret is \(secret.utf8.count) bytes, too short to resist guessing: use at "
                + "least 16, e.g. the output of 'openssl rand -hex 16'")
        }
        if role.needsRootCoordinator && rootCoordinator == nil {
            throw .missingSetting("root coordinator address",
                                  hint: "role \(role) must find rootcoord: pass --rootcoord HOST:PORT")
        }
        if let rc = rootCoordinator, rc.port == 0 || rc.isWildcard {
            throw .unusable("rootcoord \(rc) is not a dialable address: give the root coordinator's concrete host "
                + "and non-zero port")
        }
        if let adv = advertise {
            if adv.port == 0 || adv.isWildcard {
                throw .unusable("advertise \(adv) is not a dialable address: give a concrete host and a non-zero port")
            }
        } else if listen.isWildcard || listen.port == 0 {
            throw .unusable("--listen \(listen) is not an address peers can dial: pass --advertise HOST:PORT "
                + "(the address other nodes use to reach this one)")
        }
    }

    /// The shared object store: `objectStore`, else `<data-dir>/objects`.
    public var objectStoreDirectory: String { objectStore ?? (dataDirectory as NSString).appendingPathComponent("objects") }

    /// The address peers should dial: `advertise` if set, else `listen`.
    public var peerAddress: HostPort { advertise ?? listen }

    /// Where the HTTP API is served (proxy, standalone): `http`, else `listen`.
    public var httpAddress: HostPort { http ?? listen }

    /// The settings as `key = value` lines (the config-file format), secrets masked; for `--help` examples and
    /// for logging the effective configuration at start-up.
    public var summary: [(key: String, value: String)] {
        Self.settings.map { ($0.name, $0.isSecret ? ($0.render(self) == "" ? "" : "(set)") : $0.render(self)) }
    }
}
