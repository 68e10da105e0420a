import Glibc
import HTTP
import Net
import Synchronization

/// Active health checks: one thread sends `GET /health` to every upstream each interval (its own
/// connections, so checks never queue behind client requests) and marks upstreams up or down.
final class HealthProber: Sendable {
    private let upstreams: [Upstream]
    private let configuration: GatewayConfiguration
    private let running = Atomic<Bool>(false)
    private let thread = Mutex<OSThread?>(nil)
    /// Health changes, for logs and tests: (upstream name, healthy).
    let onChange: (@Sendable (String, Bool) -> Void)?

    init(upstreams: [Upstream], configuration: GatewayConfiguration, onChange: (@Sendable (String, Bool) -> Void)? = nil) {
        self.upstreams = upstreams
        self.configuration = configuration
        self.onChange = onChange
    }

    func start() {
        guard !running.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let t = try? OSThread(name: "gw-health") { [self] in self.loop() }
        thread.withLock { $0 = t }
    }

    func stop() {
        running.store(false, ordering: .releasing)
        let t = thread.withLock { t -> OSThread? in
            let c = t
            t = nil
            return c
        }
        t?.join()
    }

    private func loop() {
        let probeTimeout = max(0.05, min(configuration.healthInterval, 1.0))
        let connections = upstreams.map {
            HTTPClientConnection(address: $0.address, connectTimeout: probeTimeout, requestTimeout: probeTimeout)
        }
        defer { for c in connections { c.close() } }
        let request = Array("GET /health HTTP/1.1\r\nHost: gateway\r\nContent-Length: 0\r\n\r\n".utf8)
        while running.load(ordering: .acquiring) {
            let started = monotonicNanoseconds()
            for (u, c) in zip(upstreams, connections) {
                let ok: Bool
                switch c.exchange(request, idempotent: true) {
                case .success(let reply): ok = reply.status == 200
                case .failure: ok = false
                }
                if let changed = u.recordProbe(ok: ok, downAfter: configuration.failuresToMarkDown) {
                    onChange?(u.name, changed)
                }
            }
            // Sleep the rest of the interval in short steps so stop() returns promptly.
            let deadline = started &+ UInt64(configuration.healthInterval * 1e9)
            while running.load(ordering: .acquiring) {
                let now = monotonicNanoseconds()
                if now >= deadline { break }
                let ms = min(50, (deadline - now) / 1_000_000 + 1)
                usleepMilliseconds(ms)
            }
        }
    }
}

private func usleepMilliseconds(_ ms: UInt64) {
    var ts = timespec(tv_sec: Int(ms / 1000), tv_nsec: Int((ms % 1000) * 1_000_000))
    _ = nanosleep(&ts, nil)
}
