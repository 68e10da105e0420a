import Net
import Synchronization

/// One backend (a proxy's HTTP address) behind the gateway: its address, whether active health checks
/// currently pass, and how many requests it has in flight (for least-connections balancing).
public final class Upstream: Sendable {
    /// The backend's address, as configured (`HOST:PORT`); also the `X-Upstream-Server` value when the
    /// backend's reply does not name itself.
    public let name: String
    public let address: SocketAddress
    private let state = Mutex(State())

    struct State {
        var inFlight = 0
        var healthy = true
        var consecutiveFailures = 0
        var served: UInt64 = 0
        var failed: UInt64 = 0
    }

    public init(name: String, address: SocketAddress) {
        self.name = name
        self.address = address
    }

    /// Requests forwarded and not yet answered.
    public var inFlight: Int { state.withLock { $0.inFlight } }
    /// Whether the upstream takes new requests (health checks pass and requests are not failing).
    public var isHealthy: Bool { state.withLock { $0.healthy } }
    /// Replies relayed and forwarding failures since start.
    public var counters: (served: UInt64, failed: UInt64) { state.withLock { ($0.served, $0.failed) } }

    func begin() { state.withLock { $0.inFlight += 1 } }

    /// Ends a forwarded request; a transport failure counts toward marking the upstream down. Returns
    /// `false` when this failure marked it down (so the change is reported once, whoever noticed it first),
    /// else nil.
    @discardableResult
    func end(succeeded: Bool, downAfter failures: Int) -> Bool? {
        state.withLock {
            $0.inFlight -= 1
            if succeeded {
                $0.served += 1
                return nil
            }
            $0.failed += 1
            $0.consecutiveFailures += 1
            guard $0.healthy, $0.consecutiveFailures >= failures else { return nil }
            $0.healthy = false
            return false
        }
    }

    /// Records a health-check outcome. Returns the new health when it changed.
    func recordProbe(ok: Bool, downAfter failures: Int) -> Bool? {
        state.withLock {
            let before = $0.healthy
            if ok {
                $0.consecutiveFailures = 0
                $0.healthy = true
            } else {
                $0.consecutiveFailures += 1
                if $0.consecutiveFailures >= failures { $0.healthy = false }
            }
            return $0.healthy == before ? nil : $0.healthy
        }
    }
}
