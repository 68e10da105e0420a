/// How one load run drives the server.
public struct LoadConfiguration: Sendable {
    /// How requests are issued.
    public enum Mode: Sendable, Equatable {
        /// `concurrency` clients, each sending its next request as soon as the previous reply arrives.
        /// Measures capacity; latency is from send to reply.
        case closedLoop
        /// Requests due at a fixed rate (per second) over a pool of `concurrency` connections; latency is from
        /// the *scheduled* send time (see `OpenLoopSchedule`), so queueing behind a slow server is counted.
        case openLoop(rate: Double)
    }

    public var mode: Mode = .closedLoop
    /// Client connections (each on its own thread). 1…4096.
    public var concurrency: Int = 1
    /// Run length in seconds; the run also stops after `requests` when that is set. At least one is required.
    public var duration: Double? = 10
    /// Number of searches to send (across all clients).
    public var requests: Int? = nil
    /// Seconds allowed per request, from first byte sent to last byte received.
    public var requestTimeout: Double = 10
    /// Seconds allowed for a TCP connect.
    public var connectTimeout: Double = 5
    /// Concurrent insert stream in rows per second (nil: none).
    public var insertRate: Double? = nil
    /// Rows per insert request (default: enough for ten requests per second, at most 1 000).
    public var insertBatch: Int? = nil
    /// Seconds between progress lines (0: none).
    public var progressInterval: Double = 5
    /// Receives progress lines (the CLI writes them to stderr).
    public var progress: (@Sendable (String) -> Void)? = nil

    public init() {}

    /// Rows per insert request actually used.
    public var effectiveInsertBatch: Int {
        if let b = insertBatch { return b }
        guard let r = insertRate else { return 1 }
        return max(1, min(1_000, Int((r / 10).rounded(.up))))
    }

    /// Checks ranges and combinations.
    /// - Throws: `LoadError.invalidConfiguration` saying which option is wrong and what is allowed.
    public func validate() throws(LoadError) {
        guard (1...4_096).contains(concurrency) else {
            throw .invalidConfiguration("concurrency must be in 1…4096, got \(concurrency)")
        }
        guard duration != nil || requests != nil else {
            throw .invalidConfiguration("give --duration or --requests")
        }
        if let d = duration, !(d.isFinite && d > 0 && d <= 86_400) {
            throw .invalidConfiguration("--duration must be in (0, 24h], got \(d) s")
        }
        if let n = requests, !(1...1_000_000_000).contains(n) {
            throw .invalidConfiguration("--requests must be in 1…1e9, got \(n)")
        }
        if case .openLoop(let rate) = mode, !(rate.isFinite && rate > 0 && rate <= 10_000_000) {
            throw .invalidConfiguration("--open-loop rate must be in (0, 1e7] requests/s, got \(rate)")
        }
        guard requestTimeout.isFinite, requestTimeout > 0, requestTimeout <= 3_600 else {
            throw .invalidConfiguration("--timeout must be in (0, 3600] s, got \(requestTimeout)")
        }
        guard connectTimeout.isFinite, connectTimeout > 0, connectTimeout <= 600 else {
            throw .invalidConfiguration("connect timeout must be in (0, 600] s, got \(connectTimeout)")
        }
        if let r = insertRate, !(r.isFinite && r > 0 && r <= 10_000_000) {
            throw .invalidConfiguration("--insert-rate must be in (0, 1e7] rows/s, got \(r)")
        }
        if let b = insertBatch, !(1...100_000).contains(b) {
            throw .invalidConfiguration("--insert-batch must be in 1…100000, got \(b)")
        }
        guard progressInterval.isFinite, progressInterval >= 0 else {
            throw .invalidConfiguration("progress interval must be ≥ 0, got \(progressInterval)")
        }
    }
}
