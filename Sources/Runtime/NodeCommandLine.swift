/// What a `vecnode` command line asks for.
public enum NodeInvocation: Sendable, Equatable {
    /// Print the usage text (`--help`), or the subcommand's.
    case help(subcommand: String?)
    /// Print the package and wire-protocol versions.
    case version
    /// Run a role with this configuration (not yet validated: call `NodeConfig.validate()`).
    case run(NodeConfig)
    /// `vecnode embed`: print the embeddings of texts.
    case embed(EmbedOptions)
}

/// The options of `vecnode embed [--model DIR] [--file FILE] [TEXT…]`.
public struct EmbedOptions: Sendable, Equatable {
    /// The model directory: `--model`, else `$VECNODE_MODEL_DIR`, else `./models/all-MiniLM-L6-v2`.
    public var modelDirectory: String
    /// A file with one text per line (`-` = standard input), or nil when the texts are arguments.
    public var file: String?
    /// Texts given as arguments.
    public var texts: [String]
}

/// Parses `vecnode`'s arguments: global flags (one per `NodeConfig` setting, plus `--config`, `--help`,
/// `--version`) and the `embed` subcommand. Flags take their value as the next argument or after `=`
/// (`--listen 127.0.0.1:1` or `--listen=127.0.0.1:1`); `--` ends the options of `embed`.
///
/// Precedence: defaults (and environment) < `--config FILE` < the other flags, whatever their order.
public enum NodeCommandLine {
    /// Parses `arguments` (without the program name).
    /// - Throws: `ConfigError` with a one-line reason for an unknown flag, a missing or bad value, a stray
    ///   argument, or a bad config file.
    public static func parse(_ arguments: [String], environment: [String: String]) throws(ConfigError)
        -> NodeInvocation
    {
        if arguments.first == "embed" {
            return try parseEmbed(Array(arguments.dropFirst()), environment: environment)
        }
        var flags: [(key: String, value: String)] = []
        var configFile: String?
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if arg == "--help" || arg == "-h" { return .help(subcommand: nil) }
            if arg == "--version" { return .version }
            guard arg.hasPrefix("--"), arg.count > 2 else {
                if arg == "embed" {
                    throw .unusable("the subcommand 'embed' must come first: vecnode embed [--model DIR] …")
                }
                throw .unexpectedArgument(arg, command: "vecnode")
            }
            var key = String(arg.dropFirst(2))
            var value: String?
            if let eq = key.firstIndex(of: "=") {
                value = String(key[key.index(after: eq)...])
                key = String(key[..<eq])
            }
            guard key == "config" || NodeConfig.setting(named: key) != nil else {
                throw .unknownFlag("--" + key, command: "vecnode")
            }
            if value == nil {
                guard i < arguments.count, !arguments[i].hasPrefix("--") else {
                    throw .missingValue(key: key, source: .flag)
                }
                value = arguments[i]
                i += 1
            }
            if key == "config" {
                guard configFile == nil else { throw .unusable("--config given twice; pass one config file") }
                guard !value!.isEmpty else { throw .missingValue(key: key, source: .flag) }
                configFile = value
            } else {
                flags.append((key, value!))
            }
        }
        var config = NodeConfig(environment: environment)
        if let configFile { try config.load(file: configFile) }
        for f in flags { try config.set(f.key, to: f.value, source: .flag) }
        return .run(config)
    }

    private static func parseEmbed(_ arguments: [String], environment: [String: String]) throws(ConfigError)
        -> NodeInvocation
    {
        var options = EmbedOptions(modelDirectory: NodeConfig.defaultModelDirectory(environment: environment),
                                   file: nil, texts: [])
        var i = 0
        var optionsEnded = false
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if optionsEnded || !arg.hasPrefix("--") {
                options.texts.append(arg)
                continue
            }
            if arg == "--" {
                optionsEnded = true
                continue
            }
            if arg == "--help" { return .help(subcommand: "embed") }
            var key = String(arg.dropFirst(2))
            var value: String?
            if let eq = key.firstIndex(of: "=") {
                value = String(key[key.index(after: eq)...])
                key = String(key[..<eq])
            }
            guard key == "model" || key == "file" else { throw .unknownFlag("--" + key, command: "vecnode embed") }
            if value == nil {
                guard i < arguments.count else { throw .missingValue(key: key, source: .flag) }
                value = arguments[i]
                i += 1
            }
            guard let v = value, !v.isEmpty else { throw .missingValue(key: key, source: .flag) }
            if key == "model" { options.modelDirectory = v } else { options.file = v }
        }
        if options.file != nil && !options.texts.isEmpty {
            throw .unusable("vecnode embed: give texts as arguments or with --file, not both")
        }
        if options.file == nil && options.texts.isEmpty {
            throw .missingSetting("text", hint: "vecnode embed needs TEXT arguments or --file FILE ('-' for stdin)")
        }
        return .embed(options)
    }

    /// The text `vecnode --help` prints.
    public static var usage: String {
        var s = """
            usage: vecnode --role ROLE [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [options]
                   vecnode embed [--model DIR] [--file FILE] [TEXT…]
                   vecnode --help | --version

            Runs one vecnode process: a single role of a cluster, or everything ('--role standalone').
            Settings come from defaults, then --config FILE (lines 'key = value'), then flags.

            options:
              --config FILE           read settings from FILE (keys are the option names below)
              --help, --version       print this text / the build and wire-protocol versions

            """
        for setting in NodeConfig.settings {
            let left = "  --\(setting.name) \(setting.valueSyntax)"
            s += left.padding(toLength: max(26, left.count + 2), withPad: " ", startingAt: 0) + setting.help + "\n"
        }
        s += """

            subcommands:
              embed                   print text embeddings (all-MiniLM-L6-v2); 'vecnode embed --help'

            exit status: 0 ok, 1 runtime failure, 2 bad flags or config, 3 role not implemented in this build

            """
        return s
    }

    /// The text `vecnode embed --help` prints.
    public static let embedUsage = """
        usage: vecnode embed [--model DIR] [--file FILE] [--] [TEXT…]

        Prints one JSON array of 384 floats per text, one per line, in input order: the all-MiniLM-L6-v2
        sentence embedding (unit length), the same vector the server stores and searches with.

          --model DIR    model files (default $VECNODE_MODEL_DIR or ./models/all-MiniLM-L6-v2;
                         scripts/fetch-model.sh downloads them)
          --file FILE    one text per line (UTF-8; '-' reads standard input) instead of TEXT arguments

        Texts longer than 256 tokens are truncated (a note goes to standard error).
        exit status: 0 ok, 1 model missing or a text rejected (empty, invalid UTF-8), 2 bad flags

        """
}
