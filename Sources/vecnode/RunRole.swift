import Runtime

/// Runs the role `config.role` until it shuts down, and returns the process's exit status. `config` is
/// validated.
///
/// This is the one place where roles are wired into the executable. No role is implemented in this build
/// yet, so every role is refused with `ExitStatus.notImplemented` rather than pretending to serve. When a role
/// lands, add its case here: start it (its actors, a `CPUExecutor` of `config.cpuThreads` threads at
/// `config.cpuNiceness` for search and index builds, the listener on `config.listen`), then wait for
/// `SignalHandler().stream` and shut it down cleanly (flush, close) before returning `.ok`. The caller runs on
/// the main thread: block it on the role's completion (e.g. a semaphore signalled from a task), never call
/// `dispatchMain()` from async code (it crashes libdispatch; see /work/shared/design/swift-on-linux.md).
func runRole(config: NodeConfig) -> ExitStatus {
    let role = config.role!  // validate() guarantees a role
    let log = Logger(role: role.rawValue)
    log.debug("configuration", ["listen": config.listen, "data_dir": config.dataDirectory,
                                "rootcoord": config.rootCoordinator?.description ?? "-"])
    switch role {
    case .standalone, .rootcoord, .datacoord, .querycoord, .indexcoord, .proxy, .querynode, .datanode,
         .indexnode, .lognode, .gateway:
        StandardStreams.error("vecnode: role \(role) is not implemented in this build")
        return .notImplemented
    }
}
