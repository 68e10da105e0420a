// vecnode — one process of a vecnode cluster, or all of it (`--role standalone`), plus tools (`embed`).
// See `vecnode --help` and docs/runtime.md. Exit status: see `ExitStatus`.
//
// Top-level code runs on the main actor (a plain thread, not the cooperative pool): the CPU-bound `embed`
// subcommand runs right here. Everything else is in `Vecnode.run`.
import Foundation

exit(Vecnode.run(arguments: Array(CommandLine.arguments.dropFirst()),
                 environment: ProcessInfo.processInfo.environment).rawValue)
