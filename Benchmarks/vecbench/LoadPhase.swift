import LoadGen
import Net

/// The load part shared by `vecbench load` and `vecbench compare`: one closed- or open-loop run per concurrency
/// level with the same runner (so one timeline), the progress line, and the `--kill` faults scheduled from the
/// start of the first run.
struct LoadPhase {
    /// The runs in order, the timeline second the load started at, and the kills as they happened.
    struct Outcome {
        var runs: [LoadRunResult] = []
        var loadStart: Double = 0
        var killEvents: [KillScheduler.Event] = []
    }

    var runner: LoadRunner
    var config: LoadConfiguration
    var concurrencies: [Int]
    var progress: ProgressLine
    /// Put before each progress line, e.g. `standalone ` (may be empty).
    var prefix = ""
    var kills: KillScheduler?

    func run() throws -> Outcome {
        var outcome = Outcome()
        var config = self.config
        let progress = self.progress, prefix = self.prefix
        config.progress = { line in progress.update(prefix + line) }
        let start = monotonicNanoseconds()
        outcome.loadStart = runner.timeline.seconds(at: start)
        try kills?.start(loadStart: start)
        do {
            for c in concurrencies {
                config.concurrency = c
                outcome.runs.append(try runner.run(config))
                progress.finish()
            }
        } catch {
            progress.finish()
            _ = kills?.finish()
            throw error
        }
        outcome.killEvents = kills?.finish() ?? []
        return outcome
    }
}
