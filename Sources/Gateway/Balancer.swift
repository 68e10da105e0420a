import Synchronization

/// Chooses the upstream for a request: among healthy upstreams not already tried for this request, the one
/// with the fewest requests in flight; ties go round robin so equal backends share load evenly. When every
/// upstream is marked down it still tries them (least loaded first) rather than failing outright — a
/// health check may lag a recovery.
public final class Balancer: Sendable {
    public let upstreams: [Upstream]
    private let cursor = Atomic<Int>(0)

    public init(upstreams: [Upstream]) {
        precondition(!upstreams.isEmpty, "a balancer needs at least one upstream")
        self.upstreams = upstreams
    }

    /// The next upstream to try, skipping those in `excluded` (indexes into `upstreams`); nil when every
    /// upstream has been tried.
    public func pick(excluding excluded: Set<Int> = []) -> Int? {
        let n = upstreams.count
        let start = cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        var best: Int?
        var bestKey = (Int.max, Int.max)
        for step in 0..<n {
            let i = Int(UInt(bitPattern: start &+ step) % UInt(n))
            if excluded.contains(i) { continue }
            let u = upstreams[i]
            // Healthy first (0), then by load.
            let key = (u.isHealthy ? 0 : 1, u.inFlight)
            if key < bestKey {
                bestKey = key
                best = i
            }
        }
        return best
    }
}
