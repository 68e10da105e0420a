import Coordinator
import Runtime
import Wire

/// Keeps one node registered with the root coordinator for as long as it runs: the one implementation of
/// the registration and lease loop every role uses (docs/cluster.md, "Discovery").
///
/// ```swift
/// let keeper = NodeSessionKeeper(
///     rootCoordinator: transport.client(for: rootcoordAddress),
///     configuration: .init(role: .logNode, address: "10.0.0.7:19531"), logger: log)
/// let nodeID = try await keeper.start(timeout: .seconds(10))   // allocates the id, registers
/// …
/// await keeper.stop()                                          // deregisters
/// ```
///
/// - `start` takes the node id from the configuration or allocates one (`AllocateIDs`), then registers
///   (`RegisterSession`), retrying while rootcoord is unreachable until `timeout`; it returns once the node is
///   registered, so a role serves only after it is discoverable.
/// - Afterwards a background task renews the lease (`RenewSession`) every quarter of the TTL rootcoord granted
///   (under the required third), sooner after a failed renewal.
/// - A renewal refused with `unknownSession` means rootcoord restarted (sessions are not persisted) or the lease
///   was missed and the node declared dead: the keeper registers again with the same node id and a new session.
///   While rootcoord is unreachable it keeps retrying; coordinators see the node dead after the TTL and see it
///   join again when rootcoord is back.
/// - `stop` ends the loop and deregisters (best effort: a dead rootcoord expires the session anyway).
///
/// Each transition is logged once (registered, unreachable, reachable again, lost, re-registered, deregistered),
/// not every retry.
public actor NodeSessionKeeper {
    /// What to register.
    public struct Configuration: Sendable {
        /// The role announced to the cluster.
        public var role: Coordinator.NodeRole
        /// The address peers dial to reach this node (`HOST:PORT`).
        public var address: String
        /// The node id, if the node has one (e.g. persisted in its data directory); nil allocates a new one.
        public var nodeID: NodeID?
        /// Deadline of each call to rootcoord.
        public var callTimeout: Duration = .seconds(1)
        /// First pause between failed attempts; doubles up to `maxRetryDelay`.
        public var retryDelay: Duration = .milliseconds(50)
        /// Longest pause between failed attempts.
        public var maxRetryDelay: Duration = .milliseconds(500)

        public init(role: Coordinator.NodeRole, address: String, nodeID: NodeID? = nil) {
            self.role = role
            self.address = address
            self.nodeID = nodeID
        }
    }

    /// Where the keeper is.
    public enum State: Sendable, Equatable {
        /// Not started.
        case idle
        /// Registered; renewing this session.
        case registered(SessionID)
        /// The session was lost or rootcoord is unreachable; registering again.
        case rejoining
        /// Stopped (deregistered).
        case stopped
    }

    private let client: any WireClient
    private let configuration: Configuration
    private var log: Logger
    private let rootCoordinatorAddress: String

    /// The current state.
    public private(set) var state: State = .idle
    /// The node's id, once allocated (or as configured).
    public private(set) var nodeID: NodeID?
    /// How many times the node registered (1 after `start`; more after re-registrations).
    public private(set) var registrationCount = 0
    private var ttl: Duration = .seconds(2)
    private var loop: Task<Void, Never>?

    /// - Parameters:
    ///   - rootCoordinator: a client for rootcoord's address.
    ///   - rootCoordinatorAddress: rootcoord's address, for messages only.
    ///   - logger: transitions are logged here (with the node id once known).
    public init(rootCoordinator: any WireClient, rootCoordinatorAddress: String = "rootcoord",
                configuration: Configuration, logger: Logger) {
        client = rootCoordinator
        self.rootCoordinatorAddress = rootCoordinatorAddress
        self.configuration = configuration
        nodeID = configuration.nodeID
        log = configuration.nodeID.map { logger.with(nodeID: String($0.rawValue)) } ?? logger
    }

    /// The current session, if registered.
    public var sessionID: SessionID? {
        if case .registered(let id) = state { return id }
        return nil
    }

    /// Allocates the node id (unless configured) and registers, retrying while rootcoord is unreachable; then
    /// starts renewing in the background.
    /// - Returns: the node id.
    /// - Throws: `NodeSessionError.rootCoordinatorUnreachable` after `timeout`, `.registrationRefused` if
    ///   rootcoord rejects the registration, `.notIdle` if already started.
    public func start(timeout: Duration = .seconds(10)) async throws(NodeSessionError) -> NodeID {
        guard state == .idle else { throw .notIdle }
        let deadline = ContinuousClock.now + timeout
        let id = try await allocateNodeID(timeout: timeout)
        try await attempt(until: deadline) { () async throws(WireError) in try await register() }
        loop = Task { [weak self] in await self?.renewLoop() }
        return id
    }

    /// The node id: the configured one, or one allocated from rootcoord (`AllocateIDs`, retried while rootcoord
    /// is unreachable, until `timeout`) and kept for `start`. For roles that need their id before they can
    /// serve (a query node names its scratch directory after it); `start` calls it otherwise.
    public func allocateNodeID(timeout: Duration = .seconds(10)) async throws(NodeSessionError) -> NodeID {
        if let nodeID { return nodeID }
        guard state == .idle else { throw .notIdle }
        let id = try await attempt(until: .now + timeout) { () async throws(WireError) -> NodeID in
            let ids = try await client.call(AllocateIDs(count: 1), options: CallOptions(timeout: configuration.callTimeout))
            return NodeID(ids.ids.lowerBound)
        }
        nodeID = id
        log = log.with(nodeID: String(id.rawValue))
        return id
    }

    /// `withRetries` with its failures turned into `NodeSessionError`s.
    private func attempt<T>(until deadline: ContinuousClock.Instant,
                            _ body: () async throws(WireError) -> T) async throws(NodeSessionError) -> T {
        let started = ContinuousClock.now
        do {
            return try await withRetries(until: deadline, body)
        } catch {
            switch error {
            case .refused(let e):
                throw .registrationRefused(e)
            case .gaveUp(let e):
                let waited = ContinuousClock.now - started
                throw .rootCoordinatorUnreachable(address: rootCoordinatorAddress,
                                                  waitedMilliseconds: Self.milliseconds(waited), lastError: e)
            case .stopped:
                throw .notIdle
            }
        }
    }

    /// Stops renewing and deregisters (errors are logged, not thrown: rootcoord expires the session anyway).
    public func stop() async {
        guard state != .stopped else { return }
        let session = sessionID
        state = .stopped
        loop?.cancel()
        loop = nil
        guard let session else { return }
        do {
            _ = try await client.call(DeregisterSession(sessionID: session), options: CallOptions(timeout: configuration.callTimeout))
            log.info("deregistered", ["session": session.rawValue])
        } catch {
            log.warn("could not deregister; rootcoord will expire the session", ["session": session.rawValue, "error": error])
        }
    }

    // MARK: internals

    private enum AttemptFailure: Error {
        /// Not retriable.
        case refused(WireError)
        /// The deadline passed; the last error.
        case gaveUp(WireError)
        /// `stop()` was called meanwhile.
        case stopped
    }

    /// Runs `body` until it succeeds, retrying transport failures with backoff until `deadline`.
    private func withRetries<T>(until deadline: ContinuousClock.Instant,
                                _ body: () async throws(WireError) -> T) async throws(AttemptFailure) -> T {
        var delay = configuration.retryDelay
        var loggedUnreachable = false
        while true {
            do {
                let value = try await body()
                if loggedUnreachable { log.info("rootcoord reachable", ["rootcoord": rootCoordinatorAddress]) }
                return value
            } catch {
                if state == .stopped || Task.isCancelled { throw .stopped }
                if Self.isRefusal(error) { throw .refused(error) }
                if ContinuousClock.now + delay > deadline { throw .gaveUp(error) }
                if !loggedUnreachable {
                    log.warn("rootcoord unreachable; retrying", ["rootcoord": rootCoordinatorAddress, "error": error])
                    loggedUnreachable = true
                }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, configuration.maxRetryDelay)
            }
        }
    }

    /// A failure that retrying cannot fix: rootcoord rejected the registration's content.
    private static func isRefusal(_ error: WireError) -> Bool {
        error.code == .invalidRegistration || error.code == .invalidArgument || error.code == .invalidConfiguration
    }

    /// One `RegisterSession` call; on success records the session and the TTL.
    private func register() async throws(WireError) {
        guard let nodeID else { return }
        let grant = try await client.call(
            RegisterSession(nodeID: nodeID, role: configuration.role, address: configuration.address),
            options: CallOptions(timeout: configuration.callTimeout))
        guard state != .stopped else {
            // stop() ran while this call was in flight: undo the registration.
            _ = try? await client.call(DeregisterSession(sessionID: grant.sessionID),
                                       options: CallOptions(timeout: configuration.callTimeout))
            return
        }
        ttl = .milliseconds(Int64(clamping: max(grant.ttlMilliseconds, 40)))
        state = .registered(grant.sessionID)
        registrationCount += 1
        log.info(registrationCount == 1 ? "registered" : "registered again",
                 ["session": grant.sessionID.rawValue, "role": configuration.role, "address": configuration.address,
                  "ttl_ms": grant.ttlMilliseconds])
    }

    /// Renews every quarter TTL until cancelled; re-registers when the session is lost.
    private func renewLoop() async {
        var unreachableSince: ContinuousClock.Instant?
        var delay = configuration.retryDelay
        var pause = ttl / 4
        while !Task.isCancelled && state != .stopped {
            if pause > .zero { try? await Task.sleep(for: pause) }
            if Task.isCancelled || state == .stopped { return }
            do {
                switch state {
                case .registered(let session):
                    _ = try await client.call(RenewSession(sessionID: session),
                                              options: CallOptions(timeout: min(configuration.callTimeout, ttl / 2)))
                case .rejoining:
                    try await register()
                case .idle, .stopped:
                    return
                }
                if let since = unreachableSince {
                    log.info("rootcoord reachable again", ["down_ms": Self.milliseconds(ContinuousClock.now - since)])
                    unreachableSince = nil
                }
                delay = configuration.retryDelay
                pause = ttl / 4
            } catch {
                if Task.isCancelled || state == .stopped { return }
                if error.code == .unknownSession {
                    log.warn("session lost (rootcoord restarted or the lease was missed); registering again",
                             ["session": sessionID?.rawValue ?? -1])
                    state = .rejoining
                    unreachableSince = nil
                    delay = configuration.retryDelay
                    pause = .zero
                    continue
                }
                if unreachableSince == nil {
                    log.warn("cannot reach rootcoord; retrying", ["rootcoord": rootCoordinatorAddress, "error": error])
                    unreachableSince = .now
                }
                pause = min(delay, ttl / 4)
                delay = min(delay * 2, configuration.maxRetryDelay)
            }
        }
    }

    private static func milliseconds(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
    }
}
