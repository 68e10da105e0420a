import Net
import Synchronization

/// What happened during a whole `vecbench load` invocation, second by second, for the plot: completed
/// searches and their latency (a 2-significant-digit histogram per 1-s bucket, keyed by completion time),
/// failures, and marked events (run starts, process kills and restarts).
///
/// Thread-safe: load threads record into it concurrently (one short lock per sample). Memory is bounded:
/// at most `maxSeconds` buckets of ~5 KB; samples later than that are dropped from the timeline (the run's
/// own histogram still has them).
public final class LoadTimeline: Sendable {
    /// A labelled instant, e.g. "c=64" at a run's start or "kill querynode-1".
    public struct Mark: Sendable, Equatable {
        /// What a mark stands for; the plot draws each kind in its own style.
        public enum Kind: Sendable, Equatable {
            /// A run started (dashed grey line).
            case run
            /// A process was killed (solid red line).
            case kill
            /// A killed process was started again (solid green line).
            case restart
        }
        /// Seconds since the timeline's origin.
        public var seconds: Double
        public var label: String
        public var kind: Kind = .run
    }

    /// One second of the timeline.
    public struct Bucket: Sendable, Equatable {
        /// Start of the bucket, in whole seconds since the origin.
        public var second: Int
        /// Successful searches completed in this second.
        public var completed: UInt64
        /// Failed searches sent in this second (a timeout is charged to the second it was sent in).
        public var failed: UInt64
        /// Median latency of the completed searches, nanoseconds (0 when none).
        public var p50: UInt64
        /// 99th-percentile latency, nanoseconds (0 when none).
        public var p99: UInt64
        /// Slowest completed search, nanoseconds (0 when none).
        public var max: UInt64 = 0
    }

    /// Longest timeline kept (one day).
    public static let maxSeconds = 86_400

    /// Monotonic nanoseconds at second 0.
    public let origin: UInt64

    private struct State: ~Copyable {
        var histograms: [LatencyHistogram?] = []
        var completed: [UInt64] = []
        var failed: [UInt64] = []
        var marks: [Mark] = []
    }
    private let state = Mutex(State())
    private let template: LatencyHistogram

    /// Starts a timeline at `origin` (monotonic nanoseconds; now by default).
    public init(origin: UInt64 = monotonicNanoseconds()) {
        self.origin = origin
        template = try! LatencyHistogram(significantDigits: 2)
    }

    private func bucketIndex(_ t: UInt64) -> Int? {
        guard t >= origin else { return 0 }
        let i = Int((t - origin) / 1_000_000_000)
        return i < LoadTimeline.maxSeconds ? i : nil
    }

    /// Records a successful search that completed at `completedAt` (monotonic ns) after `latency` ns.
    public func recordSuccess(completedAt: UInt64, latency: UInt64) {
        guard let i = bucketIndex(completedAt) else { return }
        state.withLock { s in
            grow(&s, to: i)
            if s.histograms[i] == nil { s.histograms[i] = template }
            s.histograms[i]!.record(latency)
            s.completed[i] += 1
        }
    }

    /// Records a failed search sent at `at` (monotonic ns).
    public func recordFailure(at: UInt64) {
        guard let i = bucketIndex(at) else { return }
        state.withLock { s in
            grow(&s, to: i)
            s.failed[i] += 1
        }
    }

    private func grow(_ s: inout State, to i: Int) {
        if s.completed.count <= i {
            let n = i + 1 - s.completed.count
            s.histograms.append(contentsOf: repeatElement(nil, count: n))
            s.completed.append(contentsOf: repeatElement(0, count: n))
            s.failed.append(contentsOf: repeatElement(0, count: n))
        }
    }

    /// Marks an event at `at` (monotonic ns; now by default), e.g. `addMark("kill querynode-1", kind: .kill)`.
    /// Safe to call from any thread while a run is going on.
    public func addMark(_ label: String, at: UInt64 = monotonicNanoseconds(), kind: Mark.Kind = .run) {
        state.withLock { $0.marks.append(Mark(seconds: seconds(at: at), label: label, kind: kind)) }
    }

    /// `t` (monotonic ns) as seconds since the origin (0 before it).
    public func seconds(at t: UInt64) -> Double { t >= origin ? Double(t - origin) / 1e9 : 0 }

    /// The marks so far, in time order.
    public var marks: [Mark] { state.withLock { $0.marks }.sorted { $0.seconds < $1.seconds } }

    /// The buckets so far, one per second from 0 to the last second with data (empty seconds included).
    public var buckets: [Bucket] {
        state.withLock { s in
            (0..<s.completed.count).map { i in
                let h = s.histograms[i]
                return Bucket(second: i, completed: s.completed[i], failed: s.failed[i],
                              p50: h?.value(atPercentile: 50) ?? 0, p99: h?.value(atPercentile: 99) ?? 0, max: h?.maximum ?? 0)
            }
        }
    }
}
