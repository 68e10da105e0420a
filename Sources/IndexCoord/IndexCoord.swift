import Coordinator
import Foundation
import Node
import Runtime
import Wire

/// The index coordinator role: finds flushed segments in the shared object storage that lack their vector
/// index objects, has index nodes build them, retries builds whose node died or failed, keeps every
/// segment's build state durable, and answers `DescribeIndexBuilds` (`router()`; messages in
/// Sources/Coordinator/IndexCoord/IndexCoordMessages.swift).
///
/// - Discovery (`IndexCoord+Scan.swift`): every `scanInterval` it lists
///   `<object-store>/collections/*/shard-*/manifest` (`SharedObjectStore`), reads each manifest
///   (`ShardManifestView`) and records every segment it has not seen: `finished` if its index objects exist
///   (`SegmentIndexBuilder.missingIndexes`), else `pending`. Segments no longer in their manifest (compacted
///   away) and collections whose directory is gone (dropped) are forgotten.
/// - Dispatch (`IndexCoord+Dispatch.swift`): pending segments go to the live index node with the fewest
///   builds in flight from this coordinator (ties: lowest node id), at most `maxBuildsPerNode` each. A
///   refusal because the node is busy, or a node that cannot be reached, is not an attempt (the node rests
///   `nodeBackoff`); a failed build or the node's death during it is, and after `maxAttempts` the segment is
///   `failed` (logged at error level, reported by `DescribeIndexBuilds`).
/// - Membership (`IndexCoord+Membership.swift`): polls the root coordinator's `ListLiveNodes(.indexNode)`
///   every `pollInterval`; a node that is gone, or registered again with a new session (it restarted
///   empty), has its builds re-queued at once.
/// - Durable state: its own `MetaStore` in `<dataDirectory>/indexcoord/`, one `SegmentBuildRecord` per
///   segment. After a restart, segments that were `building` are pending again (the reply was lost with
///   the old process; a rebuild overwrites the objects with equivalent ones).
///
/// The actor runs on its own thread (`DedicatedThreadExecutor`): meta-store writes block for an fsync and
/// the scan reads small files.
public actor IndexCoord {
    /// Settings of the role.
    public struct Configuration: Sendable {
        /// The node's data directory; the meta store lives in `<dataDirectory>/indexcoord/`.
        public var dataDirectory: String
        /// Root of the shared object storage (`--object-store`).
        public var objectStore: String
        /// The root coordinator's protocol address.
        public var rootCoord: WireAddress
        /// How often object storage is scanned for unindexed segments and pending builds dispatched. Default 1 s.
        public var scanInterval: Duration = .seconds(1)
        /// How often the live index nodes are polled. Default 200 ms.
        public var pollInterval: Duration = .milliseconds(200)
        /// Attempts per segment before it is marked failed. Default 3.
        public var maxAttempts = 3
        /// Builds in flight per index node (the node runs some and queues the rest). Default 2.
        public var maxBuildsPerNode = 2
        /// How long a node that refused a build as busy, or could not be reached, gets no new build. Default 1 s.
        public var nodeBackoff: Duration = .seconds(1)
        /// Deadline of one `BuildSegmentIndex` (queueing included). Default 30 min.
        public var buildTimeout: Duration = .seconds(1_800)
        /// Deadline of calls to the root coordinator. Default 5 s.
        public var callTimeout: Duration = .seconds(5)
        public var metaStore = MetaStore.Options()

        public init(dataDirectory: String, objectStore: String, rootCoord: WireAddress) {
            self.dataDirectory = dataDirectory
            self.objectStore = objectStore
            self.rootCoord = rootCoord
        }

        /// Checks directories, intervals and limits.
        public func validate() throws(IndexCoordError) {
            guard !dataDirectory.isEmpty else { throw .invalidConfiguration("the data directory is empty") }
            guard !objectStore.isEmpty else { throw .invalidConfiguration("the object store directory is empty") }
            for (name, value) in [("scanInterval", scanInterval), ("pollInterval", pollInterval),
                                  ("buildTimeout", buildTimeout), ("callTimeout", callTimeout),
                                  ("nodeBackoff", nodeBackoff)] where value <= .zero {
                throw .invalidConfiguration("\(name) must be positive, got \(value)")
            }
            guard (1...100).contains(maxAttempts) else { throw .invalidConfiguration("maxAttempts must be 1...100, got \(maxAttempts)") }
            guard (1...1_024).contains(maxBuildsPerNode) else {
                throw .invalidConfiguration("maxBuildsPerNode must be 1...1024, got \(maxBuildsPerNode)")
            }
        }
    }

    /// A build sent to a node and not answered yet.
    struct InFlightBuild {
        var node: NodeID
        var generation: UInt64
        var task: Task<Void, Never>
    }

    private let executor: DedicatedThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    let configuration: Configuration
    let transport: any WireTransport
    let logger: Logger
    let store: MetaStore
    let rootClient: any WireClient

    /// Every segment seen, by key.
    var records: [SegmentBuildRecord.Key: SegmentBuildRecord]
    /// Live index nodes as the last poll saw them.
    var indexNodes: [NodeID: NodeSession] = [:]
    var membershipKnown = false
    var inFlight: [SegmentBuildRecord.Key: InFlightBuild] = [:]
    var nextGeneration: UInt64 = 0
    /// Nodes that get no new build until the instant (busy, or unreachable).
    var resting: [NodeID: ContinuousClock.Instant] = [:]
    /// Shards whose manifest failed to read, with the error last logged (logged again only when it changes).
    var scanErrors: [String: String] = [:]
    private var loops: [Task<Void, Never>] = []

    /// Opens (recovering) the meta store in `<dataDirectory>/indexcoord/` and reads the build records.
    /// Call `start()` to begin scanning and dispatching.
    /// - Throws: `IndexCoordError`, `MetaStoreError` (e.g. the directory is locked by another index coordinator).
    public init(configuration: Configuration, transport: any WireTransport, logger: Logger = Logger(role: "indexcoord")) throws {
        try configuration.validate()
        executor = DedicatedThreadExecutor(name: "indexcoord")
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        let directory = (configuration.dataDirectory as NSString).appendingPathComponent("indexcoord")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try MetaStore(directory: directory, options: configuration.metaStore)
        var records: [SegmentBuildRecord.Key: SegmentBuildRecord] = [:]
        var requeued = 0
        for (key, entry) in store.list(prefix: SegmentBuildRecord.keyPrefix) {
            var record: SegmentBuildRecord
            do { record = try SegmentBuildRecord(decoding: entry.value) } catch {
                store.close()
                throw IndexCoordError.corruptState(key: key, reason: "\(error)")
            }
            guard record.key.metaKey == key else {
                store.close()
                throw IndexCoordError.corruptState(key: key, reason: "holds the record of \(record.key.metaKey)")
            }
            if record.state == .building {
                // The reply died with the previous process: build again (the objects are overwritten alike).
                record.state = .pending
                requeued += 1
            }
            records[record.key] = record
        }
        self.records = records
        rootClient = transport.client(for: configuration.rootCoord)
        logger.info("opened", ["dir": directory, "segments": records.count, "requeued": requeued,
                               "object_store": configuration.objectStore])
    }

    /// Starts polling membership and scanning object storage.
    public func start() {
        guard loops.isEmpty else { return }
        loops.append(PeriodicLoop.start(on: self, every: configuration.pollInterval) { await $0.pollMembership() })
        loops.append(PeriodicLoop.start(on: self, every: configuration.scanInterval) { c in
            await c.scan()
            await c.dispatch()
        })
    }

    /// Stops the loops and the builds in flight (their nodes finish them; the records stay `building` on disk
    /// and are re-dispatched after a restart), and closes the meta store.
    public func close() {
        for task in loops { task.cancel() }
        loops.removeAll()
        for build in inFlight.values { build.task.cancel() }
        inFlight.removeAll()
        store.close()
    }

    /// The build state of every known segment of collection `id`, by shard then segment.
    public func describeBuilds(_ id: CollectionID) -> IndexBuildsReply {
        IndexBuildsReply(segments: records.values.filter { $0.key.collection == id }.sorted { $0.key < $1.key }.map(\.status))
    }

    /// Writes a record (blocks for an fsync on this actor's thread); a failed write is logged and the record
    /// kept in memory: the stored one is older but valid, and the next change rewrites it.
    func save(_ record: SegmentBuildRecord) {
        records[record.key] = record
        do { _ = try store.put(record.key.metaKey, record.encoded()) } catch {
            logger.error("cannot persist build record", ["key": record.key.metaKey, "error": "\(error)"])
        }
    }

    /// Forgets a record (segment compacted away or collection dropped).
    func forget(_ key: SegmentBuildRecord.Key) {
        records[key] = nil
        if let build = inFlight.removeValue(forKey: key) { build.task.cancel() }
        do { _ = try store.delete(key.metaKey) } catch {
            logger.error("cannot delete build record", ["key": key.metaKey, "error": "\(error)"])
        }
    }
}
