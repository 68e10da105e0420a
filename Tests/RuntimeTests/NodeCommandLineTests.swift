import Testing
@testable import Runtime

struct NodeCommandLineTests {
    func parse(_ args: [String], _ env: [String: String] = [:]) throws(ConfigError) -> NodeInvocation {
        try NodeCommandLine.parse(args, environment: env)
    }

    func failure(_ args: [String]) -> String {
        do {
            let r = try parse(args)
            return "accepted: \(r)"
        } catch { return error.description }
    }

    @Test func helpAndVersion() throws {
        #expect(try parse(["--help"]) == .help(subcommand: nil))
        #expect(try parse(["--role", "proxy", "-h"]) == .help(subcommand: nil))
        #expect(try parse(["--version"]) == .version)
        #expect(try parse(["embed", "--help"]) == .help(subcommand: "embed"))
        for s in NodeConfig.settings { #expect(NodeCommandLine.usage.contains("--\(s.name) \(s.valueSyntax)")) }
    }

    @Test func flagsInBothFormsOverrideTheConfigFileWhateverTheOrder() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let file = dir.write("n.conf", "role = proxy\nlisten = 127.0.0.1:1000\nlog-level = warn\n")
        guard case .run(let c) = try parse(["--listen=127.0.0.1:2000", "--config", file, "--data-dir", "/d"],
                                           ["VECNODE_DATA_DIR": "/env"]) else {
            Issue.record("not a run")
            return
        }
        #expect(c.role == .proxy && c.logLevel == .warn)
        #expect(c.listen == HostPort(host: "127.0.0.1", port: 2000))
        #expect(c.dataDirectory == "/d")
        guard case .run(let d) = try parse(["--role", "standalone"], ["VECNODE_DATA_DIR": "/env"]) else { return }
        #expect(d.dataDirectory == "/env")
    }

    @Test func badCommandLinesGetOneLineReasons() {
        #expect(failure(["--lisen", "x"]) == "unknown flag '--lisen' for vecnode; run 'vecnode --help' for the list")
        #expect(failure(["--role"]) == "flag --role needs a value")
        #expect(failure(["--role", "--listen", "1.2.3.4:5"]) == "flag --role needs a value")
        #expect(failure(["--role="]) == "flag --role needs a value")
        #expect(failure(["--role", "boss"]).hasPrefix("--role: invalid value 'boss': unknown role"))
        #expect(failure(["--listen", "nowhere"]).hasPrefix("--listen: invalid value 'nowhere': no port"))
        #expect(failure(["--cpu-threads", "many"]) == "--cpu-threads: invalid value 'many': must be an integer 1...1024")
        #expect(failure(["standalone"]) == "unexpected argument 'standalone' for vecnode; run 'vecnode --help'")
        #expect(failure(["--role", "proxy", "embed"]).contains("'embed' must come first"))
        #expect(failure(["--config", "/nonexistent/v.conf"]) == "cannot read config file /nonexistent/v.conf: no such file")
        #expect(failure(["--config", "a", "--config", "b"]) == "--config given twice; pass one config file")
    }

    @Test func embedArguments() throws {
        #expect(try parse(["embed", "hello world", "second"], ["VECNODE_MODEL_DIR": "/m"])
            == .embed(EmbedOptions(modelDirectory: "/m", file: nil, texts: ["hello world", "second"])))
        #expect(try parse(["embed", "--model", "/x", "--", "--not-a-flag"])
            == .embed(EmbedOptions(modelDirectory: "/x", file: nil, texts: ["--not-a-flag"])))
        #expect(try parse(["embed", "--file=-"])
            == .embed(EmbedOptions(modelDirectory: "./models/all-MiniLM-L6-v2", file: "-", texts: [])))
        #expect(failure(["embed"]).hasPrefix("missing text: vecnode embed needs TEXT arguments or --file FILE"))
        #expect(failure(["embed", "--file", "f", "text"]).contains("not both"))
        #expect(failure(["embed", "--model"]) == "flag --model needs a value")
        #expect(failure(["embed", "--threads", "2", "x"]).hasPrefix("unknown flag '--threads' for vecnode embed"))
    }
}
