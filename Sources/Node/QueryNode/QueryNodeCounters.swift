import Synchronization

/// What a query node has served since it started: searches and other reads (query, get, count), how many
/// failed, and a small histogram of search latency. Reported by `DescribeQueryNodeMetrics`; the proxy
/// turns it into `vecnode_querynode_*` metrics (docs/metrics.md).
///
/// One short lock per request (a few additions), negligible next to a search.
final class QueryNodeCounters: Sendable {
    /// Upper bounds of the search latency buckets, in seconds (`+Inf` is implicit).
    static let searchLatencyBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]

    private let state = Mutex(QueryNodeRequestCounts(latencyBounds: QueryNodeCounters.searchLatencyBounds))

    /// Counts one `SearchShard` answered (`failed`: with an error) after `seconds`.
    func recordSearch(seconds: Double, failed: Bool) {
        state.withLock { s in
            s.searches &+= 1
            if failed { s.searchesFailed &+= 1 }
            let bucket = s.latencyBounds.firstIndex { seconds <= $0 } ?? s.latencyBounds.count
            s.latencyBuckets[bucket] &+= 1
            s.latencySumSeconds += seconds
        }
    }

    /// Counts one `QueryShard`, `GetFromShard` or `CountShard` answered (`failed`: with an error).
    func recordRead(failed: Bool) {
        state.withLock { s in
            s.queries &+= 1
            if failed { s.queriesFailed &+= 1 }
        }
    }

    func snapshot() -> QueryNodeRequestCounts { state.withLock { $0 } }
}

extension QueryNode {
    /// Runs a search, recording its outcome and latency.
    nonisolated func countingSearch<T>(_ body: () async throws(QueryNodeError) -> T) async throws(QueryNodeError) -> T {
        let start = ContinuousClock.now
        do {
            let result = try await body()
            counters.recordSearch(seconds: Self.seconds(since: start), failed: false)
            return result
        } catch {
            counters.recordSearch(seconds: Self.seconds(since: start), failed: true)
            throw error
        }
    }

    /// Runs a query, get or count, recording its outcome.
    nonisolated func countingRead<T>(_ body: () async throws(QueryNodeError) -> T) async throws(QueryNodeError) -> T {
        do {
            let result = try await body()
            counters.recordRead(failed: false)
            return result
        } catch {
            counters.recordRead(failed: true)
            throw error
        }
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
