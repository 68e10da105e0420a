/// The measured outcome of one load run (one concurrency level), in the units a report prints.
public struct LoadRunResult: Sendable {
    /// Closed or open loop, and the open-loop rate.
    public var mode: LoadConfiguration.Mode
    /// Client connections.
    public var concurrency: Int
    /// Seconds from the first scheduled request to the last reply.
    public var elapsedSeconds: Double
    /// Searches answered successfully.
    public var succeeded: UInt64
    /// Failed searches by kind.
    public var failures: [RequestFailure: UInt64]
    /// Latency of successful searches (nanoseconds): send → reply in closed loop, *scheduled* send → reply in
    /// open loop.
    public var latency: LatencyHistogram
    /// Open loop only: actual send → reply (what a closed-loop client would have reported). Comparing it with
    /// `latency` shows how much of the tail is queueing.
    public var serviceTime: LatencyHistogram?
    /// Mean recall@k over successful searches with integer ids (nil without ground truth).
    public var recall: Double?
    /// TCP connections opened (more than `concurrency` means the server closed or reset some).
    public var connections: Int
    /// Seconds since the timeline's origin when the run started and ended (for plots).
    public var timelineStart: Double
    public var timelineEnd: Double
    /// The concurrent insert stream, when there was one.
    public var insert: InsertStreamResult?

    /// Searches that failed, all kinds together.
    public var failed: UInt64 { failures.values.reduce(0, +) }

    /// Successful searches per second.
    public var throughput: Double { elapsedSeconds > 0 ? Double(succeeded) / elapsedSeconds : 0 }

    /// A short name: `closed c=64` or `open 200/s c=64`.
    public var label: String { LoadRunResult.labelFor(mode: mode, concurrency: concurrency) }

    static func labelFor(mode: LoadConfiguration.Mode, concurrency: Int) -> String {
        switch mode {
        case .closedLoop: return "closed c=\(concurrency)"
        case .openLoop(let r): return "open \(LoadReport.number(r))/s c=\(concurrency)"
        }
    }
}

/// The outcome of the concurrent insert stream of a run.
public struct InsertStreamResult: Sendable {
    /// Rows per second asked for.
    public var targetRate: Double
    /// Rows acknowledged by the server.
    public var rowsInserted: UInt64
    /// Insert requests that failed, by kind.
    public var failures: [RequestFailure: UInt64]
    /// Latency of successful insert requests from their scheduled time (nanoseconds).
    public var latency: LatencyHistogram
    /// Seconds the stream ran.
    public var elapsedSeconds: Double

    /// Rows acknowledged per second.
    public var rowsPerSecond: Double { elapsedSeconds > 0 ? Double(rowsInserted) / elapsedSeconds : 0 }
}
