// vecbench — vecnode's benchmark harness. Each subcommand lives in its own file as a `BenchCommand`.
// Build with `swift build -c release` and run `.build/release/vecbench <subcommand> --help`.
import Foundation

/// Every subcommand, in the order `vecbench --help` lists them. Add new ones here.
let commands: [BenchCommand] = [
    annCommand,
    filteredCommand,
    kernelsCommand,
    logCommand,
    httpCommand,
    rpcCommand,
    filterBench,
    embedCommand,
    executorCommand,
    ingestCommand,
    apiCommand,
    proxyCommand,
    e2eCommand,
    queryNodeCommand,
    loadCommand,
    indexesCommand,
    compareCommand,
]

@MainActor func usage() -> String {
    var s = "usage: vecbench <subcommand> [options]\n\nsubcommands:\n"
    for c in commands { s += "  \(c.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(c.summary)\n" }
    return s
}

let argv = Array(CommandLine.arguments.dropFirst())
guard let sub = argv.first, sub != "--help", sub != "-h" else {
    print(usage(), terminator: "")
    exit(argv.isEmpty ? 2 : 0)
}
guard let command = commands.first(where: { $0.name == sub }) else {
    FileHandle.standardError.write(Data("vecbench: unknown subcommand '\(sub)'\n\(usage())".utf8))
    exit(2)
}
do {
    try command.run(Array(argv.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("vecbench \(sub): \(error)\n".utf8))
    exit(1)
}
