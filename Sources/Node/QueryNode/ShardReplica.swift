import Coordinator
import Foundation
import Runtime
import Shard
import Synchronization
import Wire

/// One hosted replica of a shard: a `Shard` opened in a scratch directory, kept current by a consumer that
/// applies the shard's channel (read from the log node) in channel order, and read under a `ReadGuarantee`.
///
/// Threads: the consumer task prefers the node's apply executor (dedicated threads), so decoding and
/// `Shard.apply` never run on the cooperative pool; its log-node calls suspend without holding a thread.
/// Reads run their `Shard` calls on the caller-supplied CPU executor. Waiting for catch-up holds no thread.
///
/// Lifecycle: `start()` launches the consumer (which wipes the scratch directory and opens the shard);
/// `wait(for: .loaded)` returns once the channel end seen at the first read is applied; `stop()` ends the
/// consumer, closes the shard and deletes the directory. A replica is never restarted: load a new one.
///
/// Storage (`Storage`): a query node's replica keeps everything in the scratch directory, seeded from the
/// shared object store's flushed state when there is one; a data node's channel (`DataNode`) is the same
/// consumer whose objects *are* the shared shard directory. Either way consumption starts at the manifest's
/// channel checkpoint, and a read position truncated away reloads from the newest manifest.
final class ShardReplica: Sendable {
    /// Where the shard's objects live.
    enum Storage: Sendable {
        /// In the scratch directory, seeded (hard links) from this shared shard directory if it has a manifest
        /// (nil: no shared store; the channel is replayed from its start).
        case scratch(seedFrom: String?)
        /// In this shared shard directory, which the replica writes (the data node owning the channel); only
        /// the log is scratch.
        case shared(String)
    }

    let ref: ShardRef
    let replica: Int
    let collection: CollectionInfo
    /// The scratch directory `<node dir>/<collection>-<shard>`.
    let directory: String
    /// `HOST:PORT` of the log node, for status and logs.
    let logNode: String

    let configuration: QueryNode.Configuration
    let log: any WireClient
    let probe: ChannelEndProbe
    let logger: Logger
    let applyExecutor: CPUExecutor
    let storage: Storage
    let state = Mutex(ReplicaProgress())
    private let consumer = Mutex<Task<Void, Never>?>(nil)

    init(request: LoadShardReplica, logNodeAddress: WireAddress, directory: String, storage: Storage,
         configuration: QueryNode.Configuration, transport: any WireTransport, applyExecutor: CPUExecutor, logger: Logger) {
        self.storage = storage
        ref = request.ref
        replica = request.replica
        collection = request.collection
        logNode = request.logNode
        self.directory = directory
        self.configuration = configuration
        log = transport.client(for: logNodeAddress)
        probe = ChannelEndProbe(client: log, channel: request.ref.channel, timeout: configuration.callTimeout)
        self.logger = logger
        self.applyExecutor = applyExecutor
    }

    /// Starts the consumer. Call once.
    func start() {
        let task = Task(executorPreference: applyExecutor) { await self.consume() }
        consumer.withLock { $0 = task }
    }

    /// Ends the consumer (waiting for a batch being applied), fails every waiter, closes the shard and deletes
    /// the scratch directory. Idempotent.
    func stop() async {
        let decided = state.withLock { s -> [(CatchUpWaiter, Result<Void, QueryNodeError>)] in
            s.stopped = true
            return s.takeDecided(ref: ref)
        }
        decided.resumeAll()
        let task = consumer.withLock { t -> Task<Void, Never>? in
            defer { t = nil }
            return t
        }
        task?.cancel()
        await task?.value
        let shard = state.withLock { s -> Shard? in
            defer { s.shard = nil }
            return s.shard
        }
        let directory = self.directory
        await applyExecutor.run {
            shard?.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    // MARK: Waiting

    /// Waits until the replica reaches `goal`; `timeout` nil waits until the goal, a failure, `stop()` or
    /// cancellation.
    /// - Throws: `replicaUnavailable` (failed or released), `catchUpFailed` (timed out, cancelled).
    func wait(for goal: CatchUpGoal, timeout: Duration?) async throws(QueryNodeError) {
        let id = state.withLock { s -> UInt64 in
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        let ref = self.ref
        let started = ContinuousClock.now
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<Void, QueryNodeError>, Never>) in
                let immediate = state.withLock { s -> Result<Void, QueryNodeError>? in
                    if let r = s.outcome(for: goal, ref: ref) { return r }
                    if Task.isCancelled { return .failure(.catchUpFailed(ref, "the read was cancelled")) }
                    s.waiters[id] = CatchUpWaiter(goal: goal, continuation: c, timer: nil)
                    return nil
                }
                if let immediate {
                    c.resume(returning: immediate)
                    return
                }
                guard let timeout else { return }
                let timer = Task {
                    try? await Task.sleep(for: timeout)
                    if Task.isCancelled { return }
                    let why = self.state.withLock { s in
                        "timed out after \(ContinuousClock.now - started) waiting for \(goal) (applied up to \(s.applied)"
                            + (s.statusError.isEmpty ? ")" : "; \(s.statusError))")
                    }
                    self.resumeWaiter(id, .failure(.catchUpFailed(ref, why)))
                }
                let waiting = state.withLock { s -> Bool in
                    guard s.waiters[id] != nil else { return false }
                    s.waiters[id]!.timer = timer
                    return true
                }
                if !waiting { timer.cancel() }
            }
        } onCancel: {
            self.resumeWaiter(id, .failure(.catchUpFailed(ref, "the read was cancelled")))
        }
        try result.get()
    }

    private func resumeWaiter(_ id: UInt64, _ result: Result<Void, QueryNodeError>) {
        guard let w = state.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
        w.timer?.cancel()
        w.continuation.resume(returning: result)
    }

    /// Resumes the waiters whose goal is now decided.
    func resumeDecidedWaiters() {
        state.withLock { $0.takeDecided(ref: ref) }.resumeAll()
    }

    // MARK: Reads

    /// Brings the replica as far as `guarantee` demands (docs/cluster.md, "Read path") and returns its shard.
    /// - Throws: `replicaUnavailable` (loading, failed, released), `catchUpFailed`.
    func prepareRead(_ guarantee: ReadGuarantee, catchUpTimeout: Duration? = nil) async throws(QueryNodeError) -> Shard {
        let (shard, lastTimestamp, lastCatchUp, problem) = state.withLock { s in
            (s.shard, s.lastTimestamp, s.lastCatchUp, s.stopped ? "the replica was released" : s.failure)
        }
        if let problem { throw .replicaUnavailable(ref, problem) }
        guard let shard else { throw .replicaUnavailable(ref, "the replica is still opening") }
        switch guarantee {
        case .eventually:
            return shard
        case .session(let ts) where lastTimestamp >= ts:
            return shard
        case .bounded(let ms):
            if let t = lastCatchUp, ContinuousClock.now - t <= .milliseconds(Int64(ms)) { return shard }
        case .strong, .session:
            break
        }
        try await catchUpToChannelEnd(timeout: catchUpTimeout ?? configuration.catchUpTimeout)
        return shard
    }

    /// Applies the channel up to its end as of this call (one shared `DescribeChannel`, then waits).
    func catchUpToChannelEnd(timeout: Duration) async throws(QueryNodeError) {
        let arrival = ContinuousClock.now
        let end: LogPosition
        do { end = try await probe.fetch().end } catch {
            throw .catchUpFailed(ref, "asking log node \(logNode) for the end of channel \(ref.channel): \(error)")
        }
        try await wait(for: .position(end), timeout: timeout)
        state.withLock { s in
            if s.lastCatchUp.map({ $0 < arrival }) ?? true { s.lastCatchUp = arrival }
        }
    }

    /// Status from cached statistics (never blocks on the shard).
    func status() -> ShardReplicaStatus {
        state.withLock { s in
            let stats = s.statistics
            return ShardReplicaStatus(
                ref: ref, replica: replica, liveRows: stats?.liveRows ?? 0, sealedSegments: stats?.sealedSegments ?? 0,
                growingRows: stats?.growingRows ?? 0, applied: s.applied, lastTimestamp: s.lastTimestamp,
                lastError: String(decoding: s.statusError.utf8.prefix(1000), as: UTF8.self), loadedFrom: s.loadedFrom,
                flushedCheckpoint: stats?.channelCheckpoint, reloads: s.reloads)
        }
    }

    /// Status plus the channel end seen by the latest read, for `DescribeQueryNodeMetrics`.
    func metrics() -> ReplicaMetrics {
        let end = state.withLock { $0.knownEnd }
        let status = status()
        return ReplicaMetrics(status: status, channelEnd: max(end ?? status.applied, status.applied))
    }

    /// Re-reads the shard's statistics into the cache (on a dedicated thread: it takes the shard's lock).
    func refreshStatistics(_ shard: Shard) {
        let stats = shard.statistics
        state.withLock { $0.statistics = stats }
    }
}
