import Runtime
import Wire

/// The `vecnode` command: parses the arguments and dispatches to `--help`, `--version`, `embed` or a role.
enum Vecnode {
    static func run(arguments: [String], environment: [String: String]) -> ExitStatus {
        SignalHandler.ignoreBrokenPipe()
        let invocation: NodeInvocation
        do {
            invocation = try NodeCommandLine.parse(arguments, environment: environment)
        } catch {
            StandardStreams.error("vecnode: \(error)")
            return .usage
        }
        switch invocation {
        case .help(let subcommand):
            StandardStreams.output(subcommand == "embed" ? NodeCommandLine.embedUsage : NodeCommandLine.usage)
            return .ok
        case .version:
            StandardStreams.output("vecnode \(BuildInfo.version) (wire protocol \(WireProtocol.version))\n")
            return .ok
        case .embed(let options):
            return EmbedCommand.run(options)
        case .run(let config):
            do {
                try config.validate()
            } catch {
                StandardStreams.error("vecnode: \(error)")
                return .usage
            }
            Logger.level = config.logLevel
            return runRole(config: config)
        }
    }
}
