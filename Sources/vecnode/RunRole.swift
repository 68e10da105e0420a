import Cluster
import Dispatch
import Runtime
import Synchronization
import Wire

/// Runs the role `config.role` until SIGTERM or SIGINT, and returns the process's exit status. `config` is
/// validated.
///
/// This is the one place where roles are wired into the executable: `standalone` runs a `LocalCluster` (every
/// role in this process over an in-memory network), any other role a `RoleHost` over TCP authenticated with
/// the cluster secret. Roles this build lacks exit with `ExitStatus.notImplemented` and a one-line reason.
///
/// Shutdown: the first SIGTERM/SIGINT stops the role cleanly (deregister, finish in-flight requests, close
/// files) and the process exits 0; the handler is then cancelled, so a second signal kills a stuck shutdown.
/// The caller runs on the main thread, which blocks on a semaphore while the role runs in a task (never
/// `dispatchMain()` from async code: see /work/shared/design/swift-on-linux.md).
func runRole(config: NodeConfig) -> ExitStatus {
    let role = config.role!  // validate() guarantees a role
    let log = Logger(role: role.rawValue)
    if let reason = RoleHost.unavailability(of: role) {
        StandardStreams.error("vecnode: role \(role) is not available in this build: \(reason)")
        return .notImplemented
    }
    let signals: SignalHandler
    do {
        signals = try SignalHandler()
    } catch {
        StandardStreams.error("vecnode: cannot handle signals: \(error)")
        return .failure
    }
    log.info("starting", ["version": BuildInfo.version, "listen": config.listen, "data_dir": config.dataDirectory,
                          "rootcoord": config.rootCoordinator?.description ?? "-"])
    let status = Mutex<ExitStatus>(.ok)
    let done = DispatchSemaphore(value: 0)
    Task {
        defer { done.signal() }
        do throws(RoleHostError) {
            let running = try await RunningRole.start(config: config, log: log)
            let signal = await signals.stream.first { _ in true }
            signals.cancel()
            log.info("shutting down", ["signal": signal.map { SignalHandler.name(of: $0) } ?? "none"])
            let start = ContinuousClock.now
            await running.stop()
            log.info("stopped", ["took_ms": (ContinuousClock.now - start).components.seconds * 1000
                                    + (ContinuousClock.now - start).components.attoseconds / 1_000_000_000_000_000])
        } catch {
            signals.cancel()
            StandardStreams.error("vecnode: \(error.description)")
            status.withLock { $0 = error.isUnavailableRole ? .notImplemented : .failure }
        }
    }
    done.wait()
    return status.withLock { $0 }
}

/// A started role (or a whole standalone cluster) and how to stop it.
private struct RunningRole {
    let stop: @Sendable () async -> Void

    static func start(config: NodeConfig, log: Logger) async throws(RoleHostError) -> RunningRole {
        if config.role == .standalone {
            let cluster = try await LocalCluster.start(LocalCluster.Configuration(standalone: config))
            log.info("standalone serving", ["http": cluster.httpAddress.description, "data_dir": config.dataDirectory])
            return RunningRole { await cluster.stop() }
        }
        if config.role == .gateway {
            let host = try RoleHost.startGateway(config: config, logger: log)
            return RunningRole { await host.stop() }
        }
        guard let secretText = config.clusterSecret else {
            throw .configuration("missing cluster secret: set cluster-secret or VECNODE_CLUSTER_SECRET")
        }
        let transport: TCPTransport
        do {
            var wire = WireConfiguration(clusterSecret: try ClusterSecret(secretText))
            wire.nodeName = "vecnode-\(config.role!.rawValue)"
            transport = try TCPTransport(configuration: wire)
        } catch {
            throw .configuration("cluster transport: \(error.message)")
        }
        let host: RoleHost
        do {
            host = try await RoleHost.start(config: config, transport: transport, logger: log)
        } catch {
            transport.shutdown()
            throw error
        }
        return RunningRole {
            await host.stop()
            transport.shutdown()
        }
    }
}

extension RoleHostError {
    var isUnavailableRole: Bool {
        if case .unavailableRole = self { return true }
        return false
    }
}
