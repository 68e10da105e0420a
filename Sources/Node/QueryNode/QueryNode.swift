import Coordinator
import Foundation
import Runtime
import Shard
import Synchronization
import Wire

/// The query node role: hosts shard replicas (`ShardReplica`), keeps each current from its channel on a log
/// node, and serves searches, queries, gets and counts on them (messages in `QueryNodeMessages.swift`,
/// served by `router()`).
///
/// Stateless: everything lives under `<dataDirectory>/querynode-<nodeID>/`, which is wiped at start and per
/// replica on release; a restarted node rejoins empty and the query coordinator loads replicas again.
///
/// The actor sequences the lifecycle (load, release, close) only. Reads look their replica up here, then
/// run outside the actor: catch-up waits hold no thread, and every `Shard` call runs on the `cpu` executor
/// (searches) or the node's own apply executor (consumers), never on the cooperative pool.
public actor QueryNode {
    /// Settings of the role.
    public struct Configuration: Sendable {
        /// The node's id (from rootcoord `AllocateIDs`); names the scratch directory.
        public var nodeID: NodeID
        /// Root of the scratch space; the node uses `<dataDirectory>/querynode-<nodeID>/`.
        public var dataDirectory: String
        /// Threads applying channel records, shared by all replicas (a replica's consumer holds one only while
        /// applying a batch; an automatic seal builds its index there). Default: one per core, at most 8.
        public var applyThreads = min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))
        /// Their niceness (0…19). Default 5: below request handling, above searches at the usual 10.
        public var applyNiceness: Int32 = 5
        /// Options of every replica's `Shard` (seal policy, worker threads…). Its log's `syncOnCommit` is
        /// forced to false: a replica's own log is a volatile copy of the channel.
        public var shard = ShardOptions()
        /// How long a caught-up consumer's `ReadChannel` waits for new records (long poll, ≤ 10 s). Default 1 s.
        public var pollWait: Duration = .seconds(1)
        /// Longest a read waits for its replica to catch up before failing with `catchUpFailed`. Default 10 s.
        public var catchUpTimeout: Duration = .seconds(10)
        /// Longest a seal or compaction (flush, compact) waits for its replica to catch up: the replica may be
        /// minutes behind right after a bulk insert while it indexes growing data. Default 10 min.
        public var maintenanceCatchUpTimeout: Duration = .seconds(600)
        /// Timeout of calls to the log node (added to the long-poll wait). Default 5 s.
        public var callTimeout: Duration = .seconds(5)
        /// Retry backoff of a consumer whose log node fails: doubles from `initialBackoff` to `maxBackoff`.
        public var initialBackoff: Duration = .milliseconds(50)
        public var maxBackoff: Duration = .seconds(2)
        /// Most records and bytes one `ReadChannel` asks for.
        public var readBatchRecords = 1024
        public var readBatchBytes = 8 << 20
        /// Root of the cluster's shared object store (`SharedObjectStore`): a replica seeds its scratch shard
        /// from the shard's flushed state there and consumes the channel from its channel checkpoint. Nil: no
        /// shared store; replicas replay their channel from the start.
        public var objectStore: String?

        public init(nodeID: NodeID, dataDirectory: String) {
            self.nodeID = nodeID
            self.dataDirectory = dataDirectory
        }

        func validate() throws(QueryNodeError) {
            guard (1...64).contains(applyThreads) else { throw .startup("applyThreads must be 1...64, got \(applyThreads)") }
            guard pollWait >= .zero, pollWait <= .seconds(10) else { throw .startup("pollWait must be 0...10 s, got \(pollWait)") }
            guard catchUpTimeout > .zero, maintenanceCatchUpTimeout > .zero, callTimeout > .zero else {
                throw .startup("catchUpTimeout, maintenanceCatchUpTimeout and callTimeout must be positive")
            }
            guard initialBackoff > .zero, maxBackoff >= initialBackoff else {
                throw .startup("backoff must satisfy 0 < initialBackoff <= maxBackoff")
            }
            guard (1...maxChannelReadRecords).contains(readBatchRecords), (1...(64 << 20)).contains(readBatchBytes) else {
                throw .startup("readBatchRecords must be 1...\(maxChannelReadRecords) and readBatchBytes 1...\(64 << 20)")
            }
        }
    }

    public nonisolated let configuration: Configuration
    /// `<dataDirectory>/querynode-<nodeID>`.
    public nonisolated let directory: String
    private let transport: any WireTransport
    nonisolated let cpu: CPUExecutor
    private let applyExecutor: CPUExecutor
    nonisolated let logger: Logger

    private var replicas: [ShardRef: ShardReplica] = [:]
    /// Releases in progress; a load of the same shard waits for its directory to be gone.
    private var releasing: [ShardRef: Task<Void, Never>] = [:]
    private var closed = false
    private let searchCount = Atomic<UInt64>(0)
    /// Requests served and their outcomes, for `DescribeQueryNodeMetrics`.
    nonisolated let counters = QueryNodeCounters()

    /// Wipes and creates the node's scratch directory and starts the apply threads.
    /// - Parameters:
    ///   - transport: reaches the log nodes.
    ///   - cpu: runs searches and seals; owned by the caller, who shuts it down after `close()`.
    /// - Throws: `QueryNodeError.startup`.
    public init(configuration: Configuration, transport: any WireTransport, cpu: CPUExecutor, logger: Logger? = nil)
        throws(QueryNodeError)
    {
        try configuration.validate()
        self.configuration = configuration
        directory = configuration.dataDirectory + "/querynode-\(configuration.nodeID.rawValue)"
        self.transport = transport
        self.cpu = cpu
        self.logger = logger ?? Logger(role: "querynode", nodeID: "\(configuration.nodeID.rawValue)")
        do {
            let fm = FileManager.default
            if fm.fileExists(atPath: directory) { try fm.removeItem(atPath: directory) }
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .startup("preparing the scratch directory \(directory): \(error)")
        }
        do {
            applyExecutor = try CPUExecutor(name: "qn-apply", threads: configuration.applyThreads, niceness: configuration.applyNiceness)
        } catch {
            throw .startup("starting the apply threads: \(error)")
        }
    }

    // MARK: Lifecycle

    /// Loads a replica (no-op if held) and returns its status once it has applied the channel up to the end
    /// seen at its first read. While the log node is unreachable the replica keeps retrying and this waits
    /// (the caller's deadline bounds it; the replica stays and keeps loading).
    /// - Throws: `invalidRequest` (bad log node address), `replicaUnavailable` (the shard could not be
    ///   opened: the replica is dropped), `closed`.
    public func load(_ request: LoadShardReplica) async throws(QueryNodeError) -> ShardReplicaStatus {
        let ref = request.ref
        let address: WireAddress
        do { address = try WireAddress(parsing: request.logNode) } catch {
            throw .invalidRequest("log node address: \(error.message)")
        }
        while let pending = releasing[ref] { await pending.value }
        guard !closed else { throw .closed }
        let replica: ShardReplica
        if let held = replicas[ref] {
            replica = held
        } else {
            let seed = configuration.objectStore.map {
                SharedObjectStore.shardDirectory(root: $0, collection: ref.collection, shard: ref.shard)
            }
            replica = ShardReplica(
                request: request, logNodeAddress: address, directory: directory + "/\(ref.collection)-\(ref.shard)",
                storage: .scratch(seedFrom: seed), configuration: configuration, transport: transport, applyExecutor: applyExecutor,
                logger: logger)
            replicas[ref] = replica
            replica.start()
            logger.info("loading replica", ["collection": ref.collection, "shard": ref.shard, "replica": request.replica, "lognode": request.logNode])
        }
        do {
            try await replica.wait(for: .loaded, timeout: nil)
        } catch {
            if case .replicaUnavailable = error, replicas[ref] === replica, replica.state.withLock({ $0.failure != nil }) {
                await release(ref)
            }
            throw error
        }
        let status = replica.status()
        logger.info("replica loaded", ["collection": ref.collection, "shard": ref.shard, "rows": status.liveRows, "applied": status.applied.rawValue])
        return status
    }

    /// Drops a replica: stops its consumer, closes its shard and deletes its scratch directory. Idempotent.
    public func release(_ ref: ShardRef) async {
        if let pending = releasing[ref] {
            await pending.value
            return
        }
        guard let replica = replicas.removeValue(forKey: ref) else { return }
        let task = Task { await replica.stop() }
        releasing[ref] = task
        await task.value
        releasing[ref] = nil
        logger.info("replica released", ["collection": ref.collection, "shard": ref.shard])
    }

    /// Releases every replica and stops the apply threads; later calls fail with `closed`. The `cpu` executor
    /// is the caller's to shut down (after this returns and the listener is stopped).
    public func close() async {
        guard !closed else { return }
        closed = true
        for ref in Array(replicas.keys) { await release(ref) }
        for task in Array(releasing.values) { await task.value }
        applyExecutor.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The hosted replica of `ref`.
    func replica(_ ref: ShardRef) throws(QueryNodeError) -> ShardReplica {
        guard !closed else { throw .closed }
        guard let r = replicas[ref] else { throw .replicaNotFound(ref) }
        return r
    }

    /// Status of every replica and the search counter.
    public func describe() -> QueryNodeStatus {
        let statuses = replicas.values.map { $0.status() }.sorted {
            ($0.ref.collection, $0.ref.shard) < ($1.ref.collection, $1.ref.shard)
        }
        return QueryNodeStatus(replicas: statuses, searches: searchCount.load(ordering: .relaxed))
    }

    /// Request counters, every hosted replica's size and log lag, and the process's resident memory
    /// (`DescribeQueryNodeMetrics`).
    public func metrics() -> QueryNodeMetrics {
        let hosted = replicas.values.map { $0.metrics() }.sorted {
            ($0.status.ref.collection, $0.status.ref.shard) < ($1.status.ref.collection, $1.status.ref.shard)
        }
        return QueryNodeMetrics(requests: counters.snapshot(), replicas: hosted, residentMemoryBytes: ProcessMemory.residentBytes())
    }

    nonisolated func countSearch() { searchCount.add(1, ordering: .relaxed) }
}
