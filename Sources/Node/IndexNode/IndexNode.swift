import Coordinator
import Foundation
import Runtime
import Shard
import Synchronization
import VecCore

/// The index node role: builds the vector indexes of flushed segments in the shared object storage
/// (`SegmentIndexBuilder`) when the index coordinator asks (`BuildSegmentIndex`), and reports its load
/// (`DescribeIndexNode`). Messages in `IndexNodeMessages.swift`, served by `router()`.
///
/// Stateless: it keeps nothing on disk (the index objects it writes belong to the object storage), so a
/// restarted node rejoins empty and the coordinator re-dispatches what it lost.
///
/// Threads: builds run on the node's own build threads (a `CPUExecutor` of `maxConcurrentBuilds` threads at
/// `niceness`), never on Swift's cooperative pool; each running build spreads HNSW inserts and IVF training
/// over a `WorkerPool` of `threadsPerBuild` threads of its own. At most `maxConcurrentBuilds` run at once and
/// `maxQueuedBuilds` more wait for a thread; beyond that a request is refused with `busy` (retriable). A
/// request for a segment already running or queued here waits for that build instead of starting another.
public actor IndexNode {
    /// Settings of the role.
    public struct Configuration: Sendable {
        /// Root of the shared object storage (`--object-store`).
        public var objectStore: String
        /// Builds that run at once (each on its own build thread). Default 1.
        public var maxConcurrentBuilds = 1
        /// Builds that may wait for a build thread before requests are refused. Default 4.
        public var maxQueuedBuilds = 4
        /// Threads one build uses (HNSW inserts, IVF training), its build thread included. Default: one per core.
        public var threadsPerBuild = max(1, ProcessInfo.processInfo.activeProcessorCount)
        /// Niceness of the build threads (0…19). Default 10: below request handling.
        public var niceness: Int32 = 10

        public init(objectStore: String) { self.objectStore = objectStore }

        func validate() throws(IndexNodeError) {
            guard !objectStore.isEmpty else { throw .startup("the object store directory is empty") }
            guard (1...64).contains(maxConcurrentBuilds) else { throw .startup("maxConcurrentBuilds must be 1...64, got \(maxConcurrentBuilds)") }
            guard (0...4_096).contains(maxQueuedBuilds) else { throw .startup("maxQueuedBuilds must be 0...4096, got \(maxQueuedBuilds)") }
            guard (1...256).contains(threadsPerBuild) else { throw .startup("threadsPerBuild must be 1...256, got \(threadsPerBuild)") }
            guard (0...19).contains(niceness) else { throw .startup("niceness must be 0...19, got \(niceness)") }
        }
    }

    public nonisolated let configuration: Configuration
    nonisolated let logger: Logger
    private nonisolated let executor: CPUExecutor
    /// One worker pool per build thread; a running build checks one out.
    private nonisolated let pools: Mutex<[WorkerPool]>
    /// Builds started on a build thread and not finished (shared with the build threads).
    private nonisolated let runningCount = Atomic<Int>(0)
    private var builds: [BuildSegmentIndex: Task<SegmentIndexBuildReply, any Error>] = [:]
    private var done = 0
    private var failed = 0
    private var closed = false

    /// Starts the build threads and their worker pools.
    /// - Throws: `IndexNodeError.startup`.
    public init(configuration: Configuration, logger: Logger? = nil) throws(IndexNodeError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger ?? Logger(role: "indexnode")
        do {
            executor = try CPUExecutor(name: "index-build", threads: configuration.maxConcurrentBuilds,
                                       niceness: configuration.niceness)
        } catch {
            throw .startup("starting the build threads: \(error)")
        }
        pools = Mutex((0..<configuration.maxConcurrentBuilds).map { _ in
            WorkerPool(threads: configuration.threadsPerBuild, niceness: configuration.niceness)
        })
    }

    /// Builds the missing index objects of the segment and replies with what it wrote and how long it took.
    /// - Throws: `busy` (retriable), `segmentNotFound`, `buildFailed`, `closed`.
    public func build(_ request: BuildSegmentIndex) async throws(IndexNodeError) -> SegmentIndexBuildReply {
        if closed { throw .closed }
        let task: Task<SegmentIndexBuildReply, any Error>
        if let existing = builds[request] {
            task = existing
        } else {
            let limit = configuration.maxConcurrentBuilds + configuration.maxQueuedBuilds
            guard builds.count < limit else {
                let running = runningCount.load(ordering: .relaxed)
                throw .busy(running: running, queued: builds.count - running)
            }
            task = Task { try await self.execute(request) }
            builds[request] = task
        }
        do {
            return try await task.value
        } catch let e as IndexNodeError {
            throw e
        } catch {
            throw .buildFailed("\(error)")
        }
    }

    /// Runs one build on a build thread and settles its bookkeeping.
    private func execute(_ request: BuildSegmentIndex) async throws -> SegmentIndexBuildReply {
        let directory = SharedObjectStore.shardDirectory(root: configuration.objectStore, collection: request.collectionID.rawValue, shard: request.shard)
        let outcome = await onBuildThread(request, directory: directory)
        builds[request] = nil
        switch outcome {
        case .success(let reply):
            done += 1
            logger.info("segment indexed", ["collection": request.collectionID.rawValue, "shard": request.shard,
                                            "segment": SegmentID(request.segmentID).description, "rows": reply.rows,
                                            "objects": reply.objects.count, "bytes": reply.bytes, "build_ms": reply.buildMilliseconds])
            return reply
        case .failure(let error):
            failed += 1
            logger.warn("index build failed", ["collection": request.collectionID.rawValue, "shard": request.shard,
                                               "segment": SegmentID(request.segmentID).description, "error": error.description])
            throw error
        }
    }

    /// Waits (suspended, holding no thread) for a build thread to run the build.
    private nonisolated func onBuildThread(_ request: BuildSegmentIndex, directory: String) async
        -> Result<SegmentIndexBuildReply, IndexNodeError>
    {
        await executor.run { () -> Result<SegmentIndexBuildReply, IndexNodeError> in
            self.runningCount.add(1, ordering: .relaxed)
            defer { self.runningCount.subtract(1, ordering: .relaxed) }
            return self.buildNow(request, directory: directory)
        }
    }

    /// The build itself, on a build thread.
    private nonisolated func buildNow(_ request: BuildSegmentIndex, directory: String) -> Result<SegmentIndexBuildReply, IndexNodeError> {
        let segment = SegmentID(request.segmentID)
        guard FileManager.default.fileExists(atPath: directory) else {
            return .failure(.segmentNotFound("no shard directory \(directory) in object storage"))
        }
        let store: LocalObjectStore
        do { store = try LocalObjectStore(root: directory) } catch {
            return .failure(.buildFailed("opening \(directory): \(error)"))
        }
        let pool = pools.withLock { $0.popLast() }
        defer { if let pool { pools.withLock { $0.append(pool) } } }
        let start = ContinuousClock.now
        do {
            let result = try SegmentIndexBuilder.build(segment: segment, store: store, pool: pool)
            let elapsed = ContinuousClock.now - start
            let ms = Int(elapsed.components.seconds) * 1000 + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
            return .success(SegmentIndexBuildReply(rows: result.rows, objects: result.objects, bytes: result.bytes,
                                                   buildMilliseconds: ms))
        } catch {
            return .failure(.from(error))
        }
    }

    /// Builds running, queued and finished.
    public func describe() -> IndexNodeStatus {
        let running = runningCount.load(ordering: .relaxed)
        return IndexNodeStatus(running: running, queued: max(0, builds.count - running), done: done, failed: failed,
                               maxConcurrentBuilds: configuration.maxConcurrentBuilds,
                               maxQueuedBuilds: configuration.maxQueuedBuilds)
    }

    /// Refuses new builds, waits for the accepted ones, and stops the build threads. Idempotent.
    public func close() async {
        guard !closed else { return }
        closed = true
        for task in builds.values { _ = try? await task.value }
        executor.shutdown()
        for pool in pools.withLock({ $0 }) { pool.shutdown() }
    }
}
