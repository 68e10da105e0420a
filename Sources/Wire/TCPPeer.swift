import Foundation

/// The connection pool for one peer address: one connection per `WireLane`, opened on first use, reopened
/// after it drops, with exponential backoff between failed attempts.
///
/// - A call on a lane with a live connection goes straight to it (one lock, no actor hop).
/// - With no connection, the first caller starts a connect on a dedicated thread (connect and handshake
///   block); concurrent callers wait for that same attempt.
/// - After a failed attempt, calls fail fast with the attempt's error (`unavailable`, retriable) until the
///   backoff delay has passed: `reconnectBackoffInitial` doubling per consecutive failure up to
///   `reconnectBackoffMax`, with ±20 % jitter so a cluster's nodes do not reconnect in lock-step.
///   A successful connect resets it.
final class TCPPeer: WireClient, @unchecked Sendable {
    private struct Lane {
        var connection: TCPConnection?
        var waiters: [CheckedContinuation<TCPConnection, any Error>]?
        var failures = 0
        var retryAt: ContinuousClock.Instant?
        var lastError: WireError?
    }

    let address: WireAddress
    private let configuration: WireConfiguration
    private let lock = NSLock()
    private var lanes = [Lane](repeating: Lane(), count: WireLane.allCases.count)
    private var shutDown = false

    init(address: WireAddress, configuration: WireConfiguration) {
        self.address = address
        self.configuration = configuration
    }

    func call(kind: MessageKind, body: consuming WireWriter, options: CallOptions) async throws(WireError) -> WireReader {
        guard body.count <= configuration.maxFrameSize else {
            throw WireError(
                .frameTooLarge,
                "request body of \(body.count) bytes exceeds the frame size limit of \(configuration.maxFrameSize)")
        }
        let deadline = ContinuousClock.now + (options.timeout ?? configuration.defaultTimeout)
        let lane: WireLane = options.lane == .bulk || body.count >= configuration.bulkThreshold ? .bulk : .interactive
        let connection = try await connection(for: lane)
        return try await connection.call(kind: kind, body: consume body, deadline: deadline)
    }

    private func connection(for lane: WireLane) async throws(WireError) -> TCPConnection {
        if let c = liveConnection(lane) { return c }
        do {
            return try await withCheckedThrowingContinuation { continuation in
                self.acquire(lane, continuation)
            }
        } catch let error as WireError {
            throw error
        } catch {
            throw WireError(.unavailable, retriable: true, "\(address): \(error)")
        }
    }

    private func liveConnection(_ lane: WireLane) -> TCPConnection? {
        lock.lock()
        defer { lock.unlock() }
        if let c = lanes[lane.rawValue].connection, !c.isClosed { return c }
        return nil
    }

    private func acquire(_ lane: WireLane, _ continuation: CheckedContinuation<TCPConnection, any Error>) {
        lock.lock()
        if shutDown {
            lock.unlock()
            continuation.resume(throwing: WireError(.shuttingDown, "the transport is shut down"))
            return
        }
        var state = lanes[lane.rawValue]
        if let c = state.connection, !c.isClosed {
            lock.unlock()
            continuation.resume(returning: c)
            return
        }
        state.connection = nil
        if state.waiters != nil {
            state.waiters!.append(continuation)
            lanes[lane.rawValue] = state
            lock.unlock()
            return
        }
        if let retryAt = state.retryAt, ContinuousClock.now < retryAt, let last = state.lastError {
            lanes[lane.rawValue] = state
            lock.unlock()
            var error = last
            let wait = ContinuousClock.now.duration(to: retryAt)
            error.message += " (next attempt in \(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000) ms)"
            continuation.resume(throwing: error)
            return
        }
        state.waiters = [continuation]
        lanes[lane.rawValue] = state
        lock.unlock()
        let address = self.address
        let configuration = self.configuration
        spawnThread(name: "wire-connect-\(address)") { [weak self] in
            let result = Result { () throws(WireError) -> TCPConnection in
                try TCPConnection.open(address, configuration: configuration, onClose: { [weak self] in
                    self?.dropClosed(lane)
                })
            }
            self?.connectFinished(lane, result)
        }
    }

    private func connectFinished(_ lane: WireLane, _ result: Result<TCPConnection, WireError>) {
        lock.lock()
        var state = lanes[lane.rawValue]
        let waiters = state.waiters ?? []
        state.waiters = nil
        let stale = shutDown
        switch result {
        case .success(let connection):
            state.connection = stale ? nil : connection
            state.failures = 0
            state.retryAt = nil
            state.lastError = nil
        case .failure(let error):
            state.failures += 1
            state.lastError = error
            state.retryAt = ContinuousClock.now + backoff(afterFailures: state.failures)
        }
        lanes[lane.rawValue] = state
        lock.unlock()
        if stale, case .success(let connection) = result { connection.close() }
        for waiter in waiters {
            switch result {
            case .success(let connection) where !stale: waiter.resume(returning: connection)
            case .success: waiter.resume(throwing: WireError(.shuttingDown, "the transport is shut down"))
            case .failure(let error): waiter.resume(throwing: error)
            }
        }
    }

    /// The delay before attempt `failures + 1`.
    func backoff(afterFailures failures: Int) -> Duration {
        let base = configuration.reconnectBackoffInitial * (1 << min(failures - 1, 20))
        let capped = min(base, configuration.reconnectBackoffMax)
        return capped * Double.random(in: 0.8...1.2)
    }

    private func dropClosed(_ lane: WireLane) {
        lock.lock()
        if let c = lanes[lane.rawValue].connection, c.isClosed { lanes[lane.rawValue].connection = nil }
        lock.unlock()
    }

    /// Closes the pooled connections; later calls fail with `shuttingDown`.
    func shutdown() {
        lock.lock()
        shutDown = true
        let open = lanes.compactMap(\.connection)
        for i in lanes.indices { lanes[i].connection = nil }
        lock.unlock()
        for c in open { c.close() }
    }
}
