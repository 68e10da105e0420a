import Testing
@testable import Runtime

struct NodeConfigTests {
    let secret = "0123456789abcdef"

    @Test func defaultsComeFromTheEnvironment() {
        let plain = NodeConfig(environment: [:])
        #expect(plain.dataDirectory == "./vecnode-data")
        #expect(plain.modelDirectory == "./models/all-MiniLM-L6-v2")
        #expect(plain.listen == HostPort(host: "127.0.0.1", port: 19530))
        #expect(plain.logLevel == .info && plain.role == nil && plain.clusterSecret == nil)
        let env = NodeConfig(environment: ["VECNODE_DATA_DIR": "/var/lib/vecnode", "VECNODE_MODEL_DIR": "/m",
                                           "VECNODE_CLUSTER_SECRET": secret])
        #expect(env.dataDirectory == "/var/lib/vecnode" && env.modelDirectory == "/m" && env.clusterSecret == secret)
    }

    @Test func loadsAConfigFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.write("node.conf", """
            # a query node
            role = querynode

              listen=0.0.0.0:19531   # bind everywhere
            advertise = 10.0.0.7:19531\r
            rootcoord = 10.0.0.2:19530
            cluster-secret = "with # and \\"quotes\\" inside"
            data-dir = "/data/my node"
            log-level = debug
            cpu-threads = 3
            cpu-niceness = 5
            """)
        var config = NodeConfig(environment: [:])
        try config.load(file: path)
        #expect(config.role == .querynode)
        #expect(config.listen == HostPort(host: "0.0.0.0", port: 19531))
        #expect(config.advertise == HostPort(host: "10.0.0.7", port: 19531))
        #expect(config.rootCoordinator == HostPort(host: "10.0.0.2", port: 19530))
        #expect(config.clusterSecret == "with # and \"quotes\" inside")
        #expect(config.dataDirectory == "/data/my node")
        #expect(config.logLevel == .debug && config.cpuThreads == 3 && config.cpuNiceness == 5)
        try config.validate()
        #expect(config.peerAddress == HostPort(host: "10.0.0.7", port: 19531))
        #expect(config.summary.first { $0.key == "cluster-secret" }?.value == "(set)")
    }

    @Test(arguments: [
        ("lisen = 1.2.3.4:5", "f.conf:1: unknown setting 'lisen'; known settings: role, listen"),
        ("listen 1.2.3.4:5", "f.conf:1: no '='"),
        ("= x", "f.conf:1: no key before '='"),
        ("Listen = 1.2.3.4:5", "f.conf:1: key 'Listen' may only hold"),
        ("listen = 1.2.3.4", "f.conf:1: listen: invalid value '1.2.3.4': no port"),
        ("listen = 1.2.3.4:99999", "f.conf:1: listen: invalid value '1.2.3.4:99999': bad port"),
        ("role = coordinator", "f.conf:1: role: invalid value 'coordinator': unknown role; choose one of standalone"),
        ("# fine\nrole = proxy\nrole = datanode", "f.conf:3: 'role' is already set on line 2; keep one"),
        ("data-dir = \"/unterminated", "f.conf:1: unterminated quoted value"),
        ("data-dir = \"/x\" trailing", "f.conf:1: text after the closing quote"),
        ("data-dir =", "f.conf:1: setting 'data-dir' needs a value"),
        ("log-level = loud", "log-level: invalid value 'loud': use trace, debug"),
        ("cpu-threads = 0", "cpu-threads: invalid value '0': must be an integer 1...1024"),
        ("cluster-secret = \"\"", "f.conf:1: setting 'cluster-secret' needs a value"),
        ("upstreams = 127.0.0.1:1,,127.0.0.1:2", "upstreams: invalid value '127.0.0.1:1,,127.0.0.1:2': an empty entry"),
        ("upstreams = 127.0.0.1:0", "upstreams: invalid value '127.0.0.1:0': 127.0.0.1:0 is not dialable"),
        ("upstreams = 0.0.0.0:9", "is not dialable"),
        ("upstreams = a:1,a:1", "a:1 is listed twice"),
        ("upstreams = a", "upstreams: invalid value 'a': no port"),
        ("flush-interval = 10", "flush-interval: invalid value '10': must be a whole number with a unit ms, s or m"),
        ("flush-interval = 5ms", "flush-interval: invalid value '5ms': must be 10ms ... 1 day, got 5 ms"),
        ("flush-interval = -1s", "flush-interval: invalid value '-1s': must be a whole number with a unit"),
        ("flush-interval = 99999999m", "flush-interval: invalid value '99999999m': must be a whole number with a unit"),
    ])
    func fileErrorsNameFileLineAndFix(text: String, expected: String) {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.write("f.conf", text)
        var config = NodeConfig(environment: [:])
        do {
            try config.load(file: path)
            Issue.record("accepted \(text)")
        } catch {
            let message = error.description.replacingOccurrences(of: dir.path + "/", with: "")
            #expect(message.contains(expected), "got: \(message)")
            #expect(!message.contains("\n"))
        }
    }

    @Test func unreadableFiles() {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var config = NodeConfig(environment: [:])
        func message(_ path: String) -> String {
            do {
                try config.load(file: path)
                return "accepted"
            } catch { return error.description }
        }
        #expect(message(dir.path + "/absent.conf").hasSuffix("absent.conf: no such file"))
        #expect(message(dir.path).hasSuffix("it is a directory"))
        #expect(message(dir.write("bin.conf", [0x72, 0x6F, 0x6C, 0x65, 0xFF, 0xFE])).hasSuffix("not valid UTF-8 text"))
        let big = dir.write("big.conf", [UInt8](repeating: UInt8(ascii: "#"), count: NodeConfig.maxFileSize + 1))
        #expect(message(big).contains("larger than"))
    }

    @Test func validateNamesWhatIsMissing() throws {
        func problem(_ edit: (inout NodeConfig) -> Void) -> String? {
            var c = NodeConfig(environment: [:])
            edit(&c)
            do {
                try c.validate()
                return nil
            } catch { return error.description }
        }
        #expect(problem { _ in }?.hasPrefix("missing role: pass --role ROLE") == true)
        #expect(problem { $0.role = .standalone } == nil)
        #expect(problem { $0.role = .proxy }?.contains("missing cluster secret") == true)
        #expect(problem { $0.role = .rootcoord; $0.clusterSecret = "short" }?.contains("5 bytes, too short") == true)
        #expect(problem { $0.role = .rootcoord; $0.clusterSecret = secret } == nil)
        #expect(problem { $0.role = .querynode; $0.clusterSecret = secret }?
            .contains("role querynode must find rootcoord: pass --rootcoord HOST:PORT") == true)
        #expect(problem {
            $0.role = .querynode; $0.clusterSecret = secret; $0.rootCoordinator = HostPort(host: "0.0.0.0", port: 1)
        }?.contains("rootcoord 0.0.0.0:1 is not a dialable address") == true)
        #expect(problem {
            $0.role = .datanode; $0.clusterSecret = secret; $0.rootCoordinator = HostPort(host: "10.0.0.2", port: 19530)
            $0.listen = HostPort(host: "0.0.0.0", port: 19532)
        }?.contains("pass --advertise HOST:PORT") == true)
        #expect(problem {
            $0.role = .datanode; $0.clusterSecret = secret; $0.rootCoordinator = HostPort(host: "10.0.0.2", port: 19530)
            $0.listen = HostPort(host: "0.0.0.0", port: 19532); $0.advertise = HostPort(host: "10.0.0.9", port: 19532)
        } == nil)
        // The gateway only speaks HTTP to its upstreams: no secret or rootcoord, but upstreams are required.
        #expect(problem { $0.role = .gateway }?.contains("pass --upstreams HOST:PORT,...") == true)
        #expect(problem { $0.role = .gateway; $0.upstreams = [HostPort(host: "127.0.0.1", port: 19531)] } == nil)
        var standalone = NodeConfig(environment: [:])
        #expect(standalone.httpAddress == HostPort(host: "127.0.0.1", port: 19530))
        standalone.http = HostPort(host: "127.0.0.1", port: 8080)
        #expect(standalone.httpAddress == HostPort(host: "127.0.0.1", port: 8080))
    }

    @Test func everySettingRoundTripsThroughItsRendering() throws {
        var c = NodeConfig(environment: [:])
        let values = ["role": "indexnode", "listen": "[::1]:7000", "advertise": "h:7001", "data-dir": "/d",
                      "log-level": "error", "cluster-secret": secret, "rootcoord": "rc:19530", "cpu-threads": "4",
                      "cpu-niceness": "19", "model-dir": "/models/x", "http": "127.0.0.1:8080",
                      "upstreams": "127.0.0.1:19531,proxy-2:19532", "object-store": "/shared/objects",
                      "flush-interval": "2500ms"]
        for s in NodeConfig.settings {
            let v = try #require(values[s.name], "no test value for setting \(s.name)")
            try c.set(s.name, to: v, source: .flag)
            #expect(s.render(c) == v)
        }
    }

    @Test func flushIntervalTakesUnitsAndTheObjectStoreDefaultsUnderTheDataDirectory() throws {
        var c = NodeConfig(environment: [:])
        c.dataDirectory = "/d"
        #expect(c.objectStoreDirectory == "/d/objects" && c.flushIntervalMilliseconds == 10_000)
        try c.set("flush-interval", to: "3s", source: .flag)
        #expect(c.flushIntervalMilliseconds == 3000)
        try c.set("flush-interval", to: "2m", source: .flag)
        #expect(c.flushIntervalMilliseconds == 120_000)
        try c.set("object-store", to: "/o", source: .flag)
        #expect(c.objectStoreDirectory == "/o")
    }
}
