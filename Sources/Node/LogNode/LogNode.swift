import Foundation
import Glibc
import Runtime
import Shard
import Synchronization
import Wire

/// The log node role: hosts one durable `ChannelLog` per shard channel and serves the 0x05xx calls
/// (`LogNodeMessages.swift`) through `router()` — append with fsync before the acknowledgement, read with
/// long poll, describe, drop. docs/cluster.md describes its place in the write and read paths.
///
/// Layout: `<dataDirectory>/channels/<channel>/` per channel (`c<collection>-s<shard>`, the `ChannelLog`
/// format of docs/storage.md). Channels are created by their first append and reopened at start-up by
/// scanning that directory; a channel whose files fail recovery is logged and refused (calls on it get
/// `channelCorrupt`), never a crash, and the other channels are served.
///
/// Timestamps: a channel stores `max(timestamp, last stored)` and acknowledges the stored value, so its
/// records are timestamp-ordered in position order. The last timestamp is recovered from the channel's last
/// record after a restart.
///
/// Threads: a final class with locks rather than an actor (measured in docs/cluster.md, "Log node"): an
/// append takes one short lock to pick its timestamp and queue the record and then suspends until the log's
/// writer thread has fsynced it (group commit), so appends to one channel never wait behind each other's
/// fsyncs and never hop through a serial executor. Everything that blocks on disk — opening or dropping a
/// channel, the `pread` of a read — runs on the node's own I/O threads (a `CPUExecutor`), never on the
/// cooperative pool; a long poll's wait holds no thread at all.
public final class LogNode: Sendable {
    /// Settings of the role.
    public struct Configuration: Sendable {
        /// The node's data directory (created if missing); channels live in `channels/` under it.
        public var dataDirectory: String
        /// Most channels hosted at once (each has an open log and a writer thread). Appends that would create
        /// one more fail with `tooManyChannels` (wire: `limitExceeded`). Channels found at start-up are always
        /// opened. Default 4096, range 1…65536.
        public var maxChannels: Int = 4096
        /// Options of every channel's log (segment size, record limit, group-commit batch).
        public var channelOptions = ChannelLog.Options()
        /// Dedicated threads for blocking disk work (channel open/drop, reads). Default 2, range 1…64.
        public var ioThreads: Int = 2

        public init(dataDirectory: String) { self.dataDirectory = dataDirectory }

        func validate() throws(LogNodeError) {
            guard (1...65_536).contains(maxChannels) else {
                throw .invalidConfiguration("maxChannels must be in 1...65536, got \(maxChannels)")
            }
            guard (1...64).contains(ioThreads) else {
                throw .invalidConfiguration("ioThreads must be in 1...64, got \(ioThreads)")
            }
            do { try channelOptions.validate() } catch { throw .invalidConfiguration(error.description) }
        }
    }

    /// What the node holds, guarded by `registry`.
    private struct Registry {
        var channels: [ChannelName: LogNodeChannel] = [:]
        /// Channels that failed to open at start-up (or were found corrupt when created), with the error every
        /// call on them gets; refused until dropped or the node restarts.
        var refused: [ChannelName: LogNodeError] = [:]
        /// Calls currently running work on `io` (so `stop` can wait for them before stopping its threads).
        var ioInFlight = 0
        var stopped = false
        /// Long polls on channels that do not exist yet, woken when the channel is created (or the node stops).
        var creationWaiters: [UInt64: (channel: ChannelName, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextWaiterID: UInt64 = 0
    }

    public let configuration: Configuration
    private let logger: Logger
    private let io: CPUExecutor
    private let registry = Mutex(Registry())
    /// Serialises channel creation and drop (held only on `io` threads, never on the cooperative pool).
    private let lifecycle = NSLock()
    /// `<dataDirectory>/channels`.
    private let channelsDirectory: String
    /// The `flock`ed `<dataDirectory>/LOCK`: one log node per data directory. Closed (released) by `stop`
    /// or deinit, whichever comes first (`lockReleased`).
    private let lockFD: Int32
    private let lockReleased = Atomic<Bool>(false)

    /// Opens the node on `configuration.dataDirectory`: creates it if missing, removes the leftovers of
    /// interrupted drops, and reopens every channel found (recovering each). Blocks on disk I/O: call it at
    /// start-up, not from a request handler.
    ///
    /// - Throws: `LogNodeError.invalidConfiguration`, `.dataDirectory` (cannot create or list it). A corrupt
    ///   channel does not fail the start; it is logged at error level and refused (`refusedChannels`).
    public init(configuration: Configuration, logger: Logger = Logger(role: "lognode")) throws(LogNodeError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        let root = configuration.dataDirectory.hasSuffix("/") && configuration.dataDirectory.count > 1
            ? String(configuration.dataDirectory.dropLast()) : configuration.dataDirectory
        channelsDirectory = root + "/channels"
        let entries: [String]
        do {
            try FileManager.default.createDirectory(atPath: channelsDirectory, withIntermediateDirectories: true)
        } catch {
            throw .dataDirectory(path: root, "\(error)")
        }
        lockFD = try Self.lockDataDirectory(root)
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: channelsDirectory).sorted()
            io = try CPUExecutor(name: "lognode-io", threads: configuration.ioThreads)
        } catch {
            close(lockFD)
            throw .dataDirectory(path: channelsDirectory, "\(error)")
        }
        var registry = Registry()
        for entry in entries {
            let path = channelsDirectory + "/" + entry
            if entry.contains(Self.droppedMarker) {
                removeTree(path)  // a drop that was interrupted after its rename
                continue
            }
            guard let name = ChannelName(directoryName: entry) else {
                logger.warn("ignoring an entry that is not a channel", ["path": path])
                continue
            }
            do {
                let channel = try LogNodeChannel(name: name, directory: path, options: configuration.channelOptions)
                registry.channels[name] = channel
                let report = channel.log.recoveryReport
                if let reason = report.truncationReason {
                    logger.warn("channel recovered with a torn tail cut off",
                                   ["channel": name, "bytes": report.truncatedBytes, "reason": reason])
                }
            } catch {
                registry.refused[name] = error
                logger.error("channel refused: it failed to open", ["channel": name, "error": error.description])
            }
        }
        logger.info("log node opened", ["dir": channelsDirectory, "channels": registry.channels.count,
                                        "refused": registry.refused.count])
        self.registry.withLock { $0 = registry }
    }

    /// Takes the exclusive `flock` on `<root>/LOCK`, waiting up to 2 s for a holder that is just exiting.
    private static func lockDataDirectory(_ root: String) throws(LogNodeError) -> Int32 {
        let path = root + "/LOCK"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .dataDirectory(path: root, "cannot open \(path): \(String(cString: strerror(errno)))") }
        let deadline = ContinuousClock.now + .seconds(2)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK, ContinuousClock.now < deadline else {
                close(fd)
                throw .dataDirectory(path: root, code == EWOULDBLOCK
                    ? "another log node has it open (\(path) is locked); give each log node its own --data-dir"
                    : "flock \(path): \(String(cString: strerror(code)))")
            }
            usleep(5_000)
        }
        return fd
    }

    deinit { releaseLock() }

    private func releaseLock() {
        if !lockReleased.exchange(true, ordering: .acquiringAndReleasing) { close(lockFD) }
    }

    /// Directory names containing this are drops in progress (renamed away before deletion).
    static let droppedMarker = ".dropped-"

    // MARK: Calls

    /// Appends `request`'s record to its channel (creating the channel on first use) and returns its position
    /// and stored timestamp once it is durable.
    ///
    /// - Throws: `LogNodeError`: `invalidRequest`, `tooManyChannels`, `channelCorrupt`, `recordTooLarge`,
    ///   `channelDropped`, `storage`, `shuttingDown`.
    public func append(_ request: AppendToChannel) async throws(LogNodeError) -> AppendAck {
        try Self.validate(request.channel)
        let channel = try await channelCreatingIfNeeded(request.channel)
        return try await channel.append(kind: request.recordKind, timestamp: request.timestamp, payload: Data(request.payload))
    }

    /// Reads records at and after `request.from`, waiting up to `request.waitMilliseconds` for the first one.
    /// A channel that does not exist reads as empty with end 0 (a reader of a channel not yet created waits
    /// for its creation within the same wait, and is woken by it).
    ///
    /// - Throws: `LogNodeError`: `invalidRequest`, `positionTruncated`, `positionBeyondEnd` (all three wire
    ///   `invalidArgument`), `channelCorrupt`, `channelDropped`, `storage`, `shuttingDown`.
    public func read(_ request: ReadChannel) async throws(LogNodeError) -> ChannelRecords {
        try Self.validate(request)
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(request.waitMilliseconds)
        var channel = try lookup(request.channel)
        if channel == nil {
            if request.from > .start {
                throw .positionBeyondEnd(request.channel, requested: request.from, end: .start)
            }
            if request.waitMilliseconds > 0 {
                await waitForCreation(of: request.channel, timeout: deadline - clock.now)
                channel = try lookup(request.channel)
            }
        }
        guard let channel else { return ChannelRecords(records: [], end: .start) }
        var remaining = request
        let left = deadline - clock.now
        remaining.waitMilliseconds = left <= .zero
            ? 0 : Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
        return try await onIO { () async throws(LogNodeError) -> ChannelRecords in try await channel.read(remaining) }
    }

    /// The channel's first position, end and last stored timestamp; zeros for a channel that does not exist.
    ///
    /// - Throws: `LogNodeError.invalidRequest`, the refusal of a refused channel (`channelCorrupt`, `storage`),
    ///   `.shuttingDown`.
    public func describe(_ name: ChannelName) throws(LogNodeError) -> ChannelState {
        try Self.validate(name)
        guard let channel = try lookup(name) else { return ChannelState(first: .start, end: .start, lastTimestamp: 0) }
        return channel.state
    }

    /// Deletes the channel's records below `below` — whole log segments only (`ChannelLog.truncate(below:)`),
    /// so the first retained position may stay lower — and returns the channel's state afterwards. The data
    /// coordinator calls it once a flushed manifest covers everything below `below`. Reads below the new
    /// first position then fail with `positionTruncated` (wire `channelTruncated`). A channel that does not
    /// exist is left alone (its state reads as zeros).
    ///
    /// - Throws: `LogNodeError`: `invalidRequest`, `positionBeyondEnd` (`below` past the end), the refusal of
    ///   a refused channel, `storage`, `shuttingDown`.
    public func truncate(_ name: ChannelName, below: LogPosition) async throws(LogNodeError) -> ChannelState {
        try Self.validate(name)
        guard let channel = try lookup(name) else { return ChannelState(first: .start, end: .start, lastTimestamp: 0) }
        let end = channel.log.endPosition
        guard below <= end else { throw .positionBeyondEnd(name, requested: below, end: end) }
        let deleted = try await onIO { () throws(LogNodeError) -> Int in
            do { return try channel.log.truncate(below: below) } catch { throw LogNodeError.from(error, channel: name) }
        }
        let state = channel.state
        if deleted > 0 {
            logger.info("channel truncated", ["channel": name, "below": below.rawValue, "first": state.first.rawValue,
                                              "segments_deleted": deleted])
        }
        return state
    }

    /// Deletes the channel and its files; idempotent. Appends and reads in flight on it fail with
    /// `channelDropped`; a later append creates it afresh. Also removes a refused (corrupt) channel's files.
    ///
    /// The directory is first renamed away (atomic, fsynced) and then deleted, so a crash mid-drop never
    /// leaves a half-deleted channel that would look corrupt: start-up finishes the deletion.
    ///
    /// - Throws: `LogNodeError.invalidRequest`, `.storage` (the rename failed; the channel is closed but its
    ///   files remain, and the next append or a restart reopens it), `.shuttingDown`.
    public func drop(_ name: ChannelName) async throws(LogNodeError) {
        try Self.validate(name)
        try await onIO { () throws(LogNodeError) in try self.dropOnIO(name) }
    }

    /// `drop`'s work; runs on an I/O thread.
    private func dropOnIO(_ name: ChannelName) throws(LogNodeError) {
        lifecycle.lock()
        defer { lifecycle.unlock() }
        let channel = registry.withLock { r -> LogNodeChannel? in
            r.refused[name] = nil
            return r.channels.removeValue(forKey: name)
        }
        channel?.closeForDrop()
        let path = channelsDirectory + "/" + name.directoryName
        guard FileManager.default.fileExists(atPath: path) else { return }
        let doomed = path + Self.droppedMarker + UUID().uuidString
        guard rename(path, doomed) == 0 else {
            throw .storage(name, "rename \(path) for drop failed: \(String(cString: strerror(errno)))")
        }
        fsyncDirectory(channelsDirectory)
        removeTree(doomed)
        logger.info("channel dropped", ["channel": name])
    }

    /// The channels currently hosted.
    public var channelNames: [ChannelName] { registry.withLock { Array($0.channels.keys) } }

    /// The channel log's counters (records, group commits), `nil` if the channel is not hosted. For tests and
    /// status pages.
    public func statistics(of name: ChannelName) -> ChannelLog.Statistics? {
        registry.withLock { $0.channels[name]?.log.statistics }
    }

    /// Channels refused because their files are damaged (or failed to open at start-up), with the reason.
    public var refusedChannels: [ChannelName: String] { registry.withLock { $0.refused.mapValues(\.description) } }

    /// Stops taking calls, closes every channel (appends already queued are completed; long polls return
    /// empty) and stops the I/O threads. Idempotent. Stop the listener first so no call is cut short.
    public func stop() async {
        let first = registry.withLock { r -> Bool in
            defer { r.stopped = true }
            return !r.stopped
        }
        guard first else { return }
        let creationWaiters = registry.withLock { r -> [CheckedContinuation<Void, Never>] in
            defer { r.creationWaiters.removeAll() }
            return r.creationWaiters.values.map(\.continuation)
        }
        for waiter in creationWaiters { waiter.resume() }
        // Wake long polls before waiting for the calls in flight (they hold `ioInFlight`).
        let open = registry.withLock { Array($0.channels.values) }
        await withTaskExecutorPreference(io) { for channel in open { channel.close() } }
        while registry.withLock({ $0.ioInFlight }) > 0 {
            try? await Task.sleep(for: .milliseconds(1))
        }
        // A channel opened by a call that was in flight when the node stopped.
        let late = registry.withLock { r -> [LogNodeChannel] in
            defer { r.channels.removeAll() }
            return Array(r.channels.values)
        }
        await withTaskExecutorPreference(io) { for channel in late { channel.close() } }
        io.shutdown()
        releaseLock()
        logger.info("log node stopped")
    }

    // MARK: Validation (the wire decoders check the same ranges; these guard in-process callers)

    static func validate(_ channel: ChannelName) throws(LogNodeError) {
        guard (0..<1024).contains(channel.shard) else {
            throw .invalidRequest("shard \(channel.shard) of collection \(channel.collection) is outside 0..<1024")
        }
    }

    static func validate(_ request: ReadChannel) throws(LogNodeError) {
        try validate(request.channel)
        guard (1...maxChannelReadRecords).contains(request.maxRecords) else {
            throw .invalidRequest("maxRecords \(request.maxRecords) not in 1...\(maxChannelReadRecords)")
        }
        guard (1...(64 << 20)).contains(request.maxBytes) else {
            throw .invalidRequest("maxBytes \(request.maxBytes) not in 1...\(64 << 20)")
        }
        guard (0...10_000).contains(request.waitMilliseconds) else {
            throw .invalidRequest("waitMilliseconds \(request.waitMilliseconds) not in 0...10000")
        }
    }

    // MARK: Channels

    /// The hosted channel `name`, if any.
    private func lookup(_ name: ChannelName) throws(LogNodeError) -> LogNodeChannel? {
        try registry.withLock { r throws(LogNodeError) -> LogNodeChannel? in
            if r.stopped { throw .shuttingDown }
            if let error = r.refused[name] { throw error }
            return r.channels[name]
        }
    }

    /// The hosted channel `name`, created if it does not exist.
    private func channelCreatingIfNeeded(_ name: ChannelName) async throws(LogNodeError) -> LogNodeChannel {
        if let found = try lookup(name) { return found }
        return try await onIO { () throws(LogNodeError) -> LogNodeChannel in try self.openChannel(name) }
    }

    /// Creates (or, after a race, finds) channel `name`. Runs on an I/O thread: it blocks on disk.
    private func openChannel(_ name: ChannelName) throws(LogNodeError) -> LogNodeChannel {
        lifecycle.lock()
        defer { lifecycle.unlock() }
        let limit = configuration.maxChannels
        if let found = try registry.withLock({ r throws(LogNodeError) -> LogNodeChannel? in
            if let found = r.channels[name] { return found }
            if r.channels.count >= limit { throw .tooManyChannels(limit: limit) }
            return nil
        }) {
            return found
        }
        let channel: LogNodeChannel
        do {
            channel = try LogNodeChannel(
                name: name, directory: channelsDirectory + "/" + name.directoryName, options: configuration.channelOptions)
        } catch {
            if case .channelCorrupt = error {
                registry.withLock { $0.refused[name] = error }
                logger.error("channel refused: it failed recovery", ["channel": name, "error": error.description])
            }
            throw error
        }
        let waiters = registry.withLock { r -> [CheckedContinuation<Void, Never>] in
            r.channels[name] = channel
            let ids = r.creationWaiters.filter { $0.value.channel == name }.map(\.key)
            return ids.compactMap { r.creationWaiters.removeValue(forKey: $0)?.continuation }
        }
        for waiter in waiters { waiter.resume() }
        logger.debug("channel created", ["channel": name])
        return channel
    }

    /// Returns when channel `name` exists, after `timeout`, on cancellation, or when the node stops —
    /// whichever comes first. Holds no thread while waiting.
    private func waitForCreation(of name: ChannelName, timeout: Duration) async {
        guard timeout > .zero else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.creation(of: name) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Suspends until channel `name` is created (or the node stops, or the task is cancelled).
    private func creation(of name: ChannelName) async {
        let id = registry.withLock { r -> UInt64 in
            defer { r.nextWaiterID += 1 }
            return r.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = registry.withLock { r -> Bool in
                    if r.channels[name] != nil || r.stopped || Task.isCancelled { return true }
                    r.creationWaiters[id] = (name, continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            registry.withLock { $0.creationWaiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    /// Runs `body` on the node's I/O threads, counted in `ioInFlight` so `stop` can wait for it.
    private func onIO<T>(_ body: () async throws(LogNodeError) -> T) async throws(LogNodeError) -> T {
        try registry.withLock { r throws(LogNodeError) in
            if r.stopped { throw .shuttingDown }
            r.ioInFlight += 1
        }
        defer { registry.withLock { $0.ioInFlight -= 1 } }
        return try await withTaskExecutorPreference(io) { () async throws(LogNodeError) -> T in try await body() }
    }
}

/// Removes `path` and everything under it, ignoring errors (a leftover is retried at the next start-up).
private func removeTree(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// Makes a rename or deletion in `directory` durable.
private func fsyncDirectory(_ directory: String) {
    let fd = open(directory, O_RDONLY | O_DIRECTORY)
    guard fd >= 0 else { return }
    _ = fsync(fd)
    close(fd)
}
