import Coordinator
import Foundation
import Runtime
import Shard
import Synchronization
import Wire

/// The data node role: owns the shard channels the data coordinator assigns it (`WatchChannel` /
/// `UnwatchChannel`), consumes each from the log node into a `Shard` whose objects are the shard's directory
/// in the shared object store (`SharedObjectStore`), and flushes segments and a manifest naming the channel
/// checkpoint there — every `flushInterval` when there is unflushed data, when the growing rows reach the
/// seal policy's threshold (the shard's own `SealPolicy`), and on `FlushShard`. Messages in
/// `DataNodeMessages.swift`, served by `router()`.
///
/// Consumption is the query node's (`ShardReplica`, storage `.shared`): the same reader, apply threads,
/// backoff, catch-up waits and reload after truncation; only where the objects live differs.
///
/// Stateless: its scratch space `<dataDirectory>/datanode-<nodeID>/` (the shards' volatile logs) is wiped at
/// start and per channel on unwatch; everything durable is in the log node's channels and the object store.
/// A restarted node rejoins empty and the data coordinator assigns it channels again.
public actor DataNode {
    /// Settings of the role.
    public struct Configuration: Sendable {
        public var nodeID: NodeID
        /// Root of the scratch space; the node uses `<dataDirectory>/datanode-<nodeID>/`.
        public var dataDirectory: String
        /// Root of the shared object store (`--object-store`).
        public var objectStore: String
        /// How often a channel with unflushed data is flushed. Default 10 s.
        public var flushInterval: Duration = .seconds(10)
        /// Longest a `FlushShard` waits for its channel to catch up. Default 10 min (a bulk insert may be
        /// being applied).
        public var flushCatchUpTimeout: Duration = .seconds(600)
        /// Consumer settings (apply threads, long-poll wait, backoff, read batches) and the `Shard` options,
        /// shared with the query node's replicas; `nodeID` and `dataDirectory` there are ignored.
        public var consumer: QueryNode.Configuration

        public init(nodeID: NodeID, dataDirectory: String, objectStore: String) {
            self.nodeID = nodeID
            self.dataDirectory = dataDirectory
            self.objectStore = objectStore
            consumer = QueryNode.Configuration(nodeID: nodeID, dataDirectory: dataDirectory)
        }

        func validate() throws(DataNodeError) {
            guard !objectStore.isEmpty else { throw .startup("the object store directory is empty") }
            guard flushInterval >= .milliseconds(10), flushInterval <= .seconds(86_400) else {
                throw .startup("flushInterval must be 10 ms ... 1 day, got \(flushInterval)")
            }
            guard flushCatchUpTimeout > .zero else { throw .startup("flushCatchUpTimeout must be positive") }
            do { try consumer.validate() } catch { throw .startup(error.description) }
        }
    }

    /// The options of every channel's `Shard`: the one place the data node's shard behaviour is decided.
    /// Index builds are deferred: sealed segments are flushed without a vector index and index nodes build
    /// them (docs/cluster.md, "Index coordinator and index nodes"); a query node loading a segment before its
    /// index object exists builds the index in memory.
    static func shardOptions(_ base: ShardOptions) -> ShardOptions {
        var options = base
        options.deferIndexBuilds = true
        return options
    }

    public nonisolated let configuration: Configuration
    /// `<dataDirectory>/datanode-<nodeID>`.
    public nonisolated let directory: String
    private let transport: any WireTransport
    private let applyExecutor: CPUExecutor
    nonisolated let logger: Logger
    private var channels: [ShardRef: ShardReplica] = [:]
    private var unwatching: [ShardRef: Task<Void, Never>] = [:]
    private var closed = false
    private let flushCount = Atomic<UInt64>(0)
    private var policyLoop: Task<Void, Never>?

    /// Wipes and creates the scratch directory, starts the apply threads and the flush policy.
    /// - Throws: `DataNodeError.startup`.
    public init(configuration: Configuration, transport: any WireTransport, logger: Logger? = nil) throws(DataNodeError) {
        try configuration.validate()
        self.configuration = configuration
        directory = configuration.dataDirectory + "/datanode-\(configuration.nodeID.rawValue)"
        self.transport = transport
        self.logger = logger ?? Logger(role: "datanode", nodeID: "\(configuration.nodeID.rawValue)")
        do {
            let fm = FileManager.default
            if fm.fileExists(atPath: directory) { try fm.removeItem(atPath: directory) }
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try fm.createDirectory(atPath: configuration.objectStore, withIntermediateDirectories: true)
        } catch {
            throw .startup("preparing \(directory) and the object store \(configuration.objectStore): \(error)")
        }
        do {
            applyExecutor = try CPUExecutor(name: "dn-apply", threads: configuration.consumer.applyThreads,
                                            niceness: configuration.consumer.applyNiceness)
        } catch {
            throw .startup("starting the apply threads: \(error)")
        }
    }

    /// Starts the flush policy (every `flushInterval`). Called by `watch` too, so it runs once channels exist.
    public func start() {
        guard policyLoop == nil, !closed else { return }
        let interval = configuration.flushInterval
        policyLoop = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                await self.flushDue()
            }
        }
    }

    // MARK: Channels

    /// Starts consuming `request`'s channel into the shared shard directory (no-op if watched); returns once
    /// the shard is open (seeded from the shared manifest, if any).
    /// - Throws: `invalidRequest`, `channelUnavailable` (the shard could not be opened: dropped again), `closed`.
    public func watch(_ request: WatchChannel) async throws(DataNodeError) {
        let ref = request.ref
        let address: WireAddress
        do { address = try WireAddress(parsing: request.logNode) } catch {
            throw .invalidRequest("log node address: \(error.message)")
        }
        while let pending = unwatching[ref] { await pending.value }
        guard !closed else { throw .closed }
        start()
        let replica: ShardReplica
        if let held = channels[ref] {
            replica = held
        } else {
            var consumer = configuration.consumer
            consumer.shard = Self.shardOptions(consumer.shard)
            let shared = SharedObjectStore.shardDirectory(root: configuration.objectStore, collection: ref.collection, shard: ref.shard)
            replica = ShardReplica(
                request: LoadShardReplica(collection: request.collection, shard: request.shard, replica: 0, logNode: request.logNode),
                logNodeAddress: address, directory: directory + "/\(ref.collection)-\(ref.shard)", storage: .shared(shared),
                configuration: consumer, transport: transport, applyExecutor: applyExecutor, logger: logger)
            channels[ref] = replica
            replica.start()
            logger.info("watching channel", ["collection": ref.collection, "shard": ref.shard, "lognode": request.logNode, "store": shared])
        }
        do {
            try await replica.wait(for: .position(.start), timeout: nil)
        } catch {
            if channels[ref] === replica, replica.state.withLock({ $0.failure != nil }) { await unwatch(ref) }
            throw .channelUnavailable(ref, "\(error)")
        }
    }

    /// Stops consuming `ref`'s channel and deletes its scratch log. Idempotent.
    public func unwatch(_ ref: ShardRef) async {
        if let pending = unwatching[ref] {
            await pending.value
            return
        }
        guard let replica = channels.removeValue(forKey: ref) else { return }
        let task = Task { await replica.stop() }
        unwatching[ref] = task
        await task.value
        unwatching[ref] = nil
        logger.info("channel unwatched", ["collection": ref.collection, "shard": ref.shard])
    }

    /// Stops every channel (logged with `reason`): the node's session was replaced, so the data coordinator
    /// may have given its channels to other nodes; it watches again what it still assigns here.
    public func unwatchAll(reason: String) async {
        guard !channels.isEmpty else { return }
        logger.warn("unwatching every channel", ["reason": reason, "channels": channels.count])
        for ref in Array(channels.keys) { await unwatch(ref) }
    }

    /// Catches `ref` up to its channel's end as of now and flushes it.
    /// - Throws: `notWatched`, `flushFailed`, `closed`.
    public func flush(_ ref: ShardRef) async throws(DataNodeError) -> ShardFlushed {
        guard !closed else { throw .closed }
        guard let replica = channels[ref] else { throw .notWatched(ref) }
        let shard: Shard
        do { shard = try await replica.prepareRead(.strong, catchUpTimeout: configuration.flushCatchUpTimeout) } catch {
            throw .flushFailed(ref, "catching up: \(error)")
        }
        return try await flush(shard, of: replica, reason: "request")
    }

    private func flush(_ shard: Shard, of replica: ShardReplica, reason: String) async throws(DataNodeError) -> ShardFlushed {
        let ref = replica.ref
        let started = ContinuousClock.now
        let stats = try await applyExecutor.run { () throws(DataNodeError) -> Shard.Statistics in
            do throws(ShardError) { try shard.flush() } catch { throw DataNodeError.flushFailed(ref, "\(error)") }
            replica.refreshStatistics(shard)
            return shard.statistics
        }
        flushCount.add(1, ordering: .relaxed)
        let checkpoint = stats.channelCheckpoint ?? .start
        logger.info("shard flushed", ["collection": ref.collection, "shard": ref.shard, "reason": reason,
                                      "channel_checkpoint": checkpoint.rawValue, "segments": stats.sealedSegments,
                                      "rows": stats.liveRows, "ms": (ContinuousClock.now - started).milliseconds])
        return ShardFlushed(ref: ref, channelCheckpoint: checkpoint, liveRows: stats.liveRows, sealedSegments: stats.sealedSegments)
    }

    /// The policy: flush every channel that has unflushed data. A channel whose consumer failed is dropped
    /// (logged), so the data coordinator sees it missing and watches it again (reopening from the manifest).
    private func flushDue() async {
        for (ref, replica) in channels.sorted(by: { ($0.key.collection, $0.key.shard) < ($1.key.collection, $1.key.shard) }) {
            guard !closed, channels[ref] === replica else { continue }
            if let failure = replica.state.withLock({ $0.failure }) {
                logger.error("dropping a failed channel", ["collection": ref.collection, "shard": ref.shard, "error": failure])
                await unwatch(ref)
                continue
            }
            guard let shard = replica.state.withLock({ $0.failure == nil && !$0.stopped ? $0.shard : nil }) else { continue }
            let due = await applyExecutor.run { shard.statistics.hasUnflushedChanges }
            guard due else { continue }
            do { _ = try await flush(shard, of: replica, reason: "interval") } catch {
                logger.warn("policy flush failed", ["collection": ref.collection, "shard": ref.shard, "error": "\(error)"])
            }
        }
    }

    /// Unwatches every channel and stops the apply threads; later calls fail with `closed`.
    public func close() async {
        guard !closed else { return }
        closed = true
        policyLoop?.cancel()
        policyLoop = nil
        for ref in Array(channels.keys) { await unwatch(ref) }
        for task in Array(unwatching.values) { await task.value }
        applyExecutor.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Every watched channel's progress and last flushed checkpoint.
    public func describe() -> DataNodeStatus {
        let statuses = channels.values.map { $0.status() }.sorted {
            ($0.ref.collection, $0.ref.shard) < ($1.ref.collection, $1.ref.shard)
        }
        return DataNodeStatus(channels: statuses, flushes: flushCount.load(ordering: .relaxed))
    }
}

extension Duration {
    /// Whole milliseconds (for logs).
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
