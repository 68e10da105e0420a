import Foundation
import Runtime
import Shard
import Wire

/// The consumer: open the shard, then read the channel from the log node and apply it, forever.
extension ShardReplica {
    /// What applying one `ReadChannel` reply came to.
    enum BatchOutcome {
        case applied
        /// The log node's reply was inconsistent; re-read after a backoff.
        case retry(String)
        /// The replica cannot go on.
        case fatal(String)
        /// `stop()` closed the shard under the batch.
        case stopped
    }

    /// The consumer task's body (runs with the apply executor as its preference).
    func consume() async {
        var shard: Shard
        do { shard = try openScratchShard() } catch {
            fail("opening the shard in \(directory): \(error)")
            return
        }
        let opened = shard.statistics
        let start = opened.channelCheckpoint ?? .start
        let stopped = state.withLock { s -> Bool in
            if !s.stopped {
                s.shard = shard
                s.applied = start
                s.loadedFrom = start
                s.lastTimestamp = max(s.lastTimestamp, opened.lastTimestamp)
            }
            return s.stopped
        }
        if stopped {
            shard.close()
            return
        }
        refreshStatistics(shard)
        resumeDecidedWaiters()
        logger.info("replica opened", ["collection": ref.collection, "shard": ref.shard, "dir": directory, "lognode": logNode,
                                       "from": start.rawValue])

        let pollWaitMs = Int(configuration.pollWait.components.seconds * 1000 + configuration.pollWait.components.attoseconds / 1_000_000_000_000_000)
        var backoff = configuration.initialBackoff
        while !Task.isCancelled {
            let (from, caughtUp) = state.withLock { s in (s.applied, s.knownEnd.map { s.applied >= $0 } ?? false) }
            // Long-poll only when caught up: a replica behind (loading, or woken for a Strong read) reads at once.
            let wait = caughtUp ? pollWaitMs : 0
            let sentAt = ContinuousClock.now
            let reply: ChannelRecords
            do {
                reply = try await log.call(
                    ReadChannel(channel: ref.channel, from: from, maxRecords: configuration.readBatchRecords,
                                maxBytes: configuration.readBatchBytes, waitMilliseconds: wait),
                    options: CallOptions(timeout: .milliseconds(wait) + configuration.callTimeout))
            } catch {
                if Task.isCancelled { break }
                if error.code == .channelTruncated {
                    guard let reopened = reload(replacing: shard, truncatedAt: from, why: error.message) else { return }
                    shard = reopened
                    continue
                }
                if error.code == .invalidArgument {
                    fail("log node \(logNode) refused to read \(ref.channel) from \(from) (\(error.message)); release and load the replica again")
                    return
                }
                noteReadError("reading \(ref.channel) from log node \(logNode): \(error)", retryIn: backoff)
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, configuration.maxBackoff)
                continue
            }
            let freshAsOf = reply.records.isEmpty ? ContinuousClock.now : sentAt
            switch apply(reply, from: from, shard: shard, freshAsOf: freshAsOf) {
            case .applied:
                backoff = configuration.initialBackoff
                if reply.records.isEmpty { sealIfDue(shard) }
            case .retry(let why):
                noteReadError(why, retryIn: backoff)
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, configuration.maxBackoff)
            case .fatal(let why):
                fail(why)
                return
            case .stopped:
                return
            }
        }
    }

    /// Wipes the scratch directory and opens the shard there with a scratch log that skips fsyncs (a volatile
    /// copy of the channel): seeded from the shared store's flushed state (query nodes), or over the shared
    /// shard directory itself (data nodes); empty when nothing was flushed.
    private func openScratchShard() throws -> Shard {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory) { try fm.removeItem(atPath: directory) }
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var options = configuration.shard
        options.log.syncOnCommit = false
        let objects: String
        switch storage {
        case .scratch(let seed):
            objects = directory + "/objects"
            if let seed, let report = try ShardSeed.seed(from: seed, to: objects) {
                logger.info("replica seeded from the object store", [
                    "collection": ref.collection, "shard": ref.shard, "segments": report.segments, "files": report.files,
                    "copied": report.copied, "channel_checkpoint": report.channelCheckpoint.map { "\($0.rawValue)" } ?? "-"])
            }
        case .shared(let shared):
            objects = shared
        }
        let location = ShardLocation(logDirectory: directory + "/log", objectDirectory: objects, scratchLog: true)
        return try Shard.open(location: location, schema: collection.schema, indexes: collection.indexes, options: options)
    }

    /// The channel no longer holds `from`: close the shard and reopen it from the newest flushed manifest,
    /// provided that manifest's channel checkpoint is past `from` (otherwise records would be skipped: the
    /// replica fails instead). Returns the reopened shard, nil when the replica failed or was stopped.
    private func reload(replacing old: Shard, truncatedAt from: LogPosition, why: String) -> Shard? {
        logger.warn("replica read position truncated; reloading from the newest manifest",
                    ["collection": ref.collection, "shard": ref.shard, "position": from.rawValue, "error": why])
        state.withLock { $0.shard = nil }
        old.close()
        let shard: Shard
        do { shard = try openScratchShard() } catch {
            fail("reloading after channel truncation at \(from): opening the shard in \(directory): \(error)")
            return nil
        }
        let start = shard.statistics.channelCheckpoint ?? .start
        guard start > from else {
            shard.close()
            fail("the log node truncated \(ref.channel) below \(from) (\(why)) and the newest flushed manifest resumes at "
                + "\(start), no further: continuing would skip records; release and load the replica again once a flush covers them")
            return nil
        }
        let stopped = state.withLock { s -> Bool in
            if !s.stopped {
                s.shard = shard
                s.applied = start
                s.loadedFrom = start
                s.reloads += 1
            }
            return s.stopped
        }
        if stopped {
            shard.close()
            return nil
        }
        refreshStatistics(shard)
        resumeDecidedWaiters()
        logger.info("replica reloaded", ["collection": ref.collection, "shard": ref.shard, "from": start.rawValue])
        return shard
    }

    /// Applies `reply`'s records (which must start at `from`) in order, records the progress, then wakes the
    /// readers it satisfies (once per batch).
    private func apply(_ reply: ChannelRecords, from: LogPosition, shard: Shard, freshAsOf: ContinuousClock.Instant) -> BatchOutcome {
        var next = from
        var outcome = BatchOutcome.applied
        for record in reply.records {
            guard record.position == next else {
                outcome = .retry("log node \(logNode) returned record \(record.position) of \(ref.channel) where \(next) was due")
                break
            }
            switch applyRecord(record, shard: shard) {
            case .applied: break
            case let other:
                outcome = other
            }
            if case .applied = outcome {} else { break }
            next = record.position.next
            state.withLock { s in
                s.applied = next
                s.lastTimestamp = max(s.lastTimestamp, record.timestamp)
            }
        }
        if case .applied = outcome, reply.end < next {
            outcome = .retry("log node \(logNode) reported the end of \(ref.channel) at \(reply.end), below the records it returned")
        }
        // Statistics first, so a reader woken below (a load) reports the rows it waited for.
        if !reply.records.isEmpty { refreshStatistics(shard) }
        let decided = state.withLock { s in
            if case .applied = outcome {
                s.readError = nil
                s.knownEnd = reply.end
                if s.loadTarget == nil { s.loadTarget = reply.end }
                if s.applied >= reply.end, s.lastCatchUp.map({ $0 < freshAsOf }) ?? true { s.lastCatchUp = freshAsOf }
            }
            return s.takeDecided(ref: ref)
        }
        decided.resumeAll()
        return outcome
    }

    /// Decodes and applies one record. A record every replica would reject alike (undecodable, not fitting
    /// the schema) is skipped and logged, so replicas stay identical; a failing shard stops the replica.
    private func applyRecord(_ record: ChannelRecord, shard: Shard) -> BatchOutcome {
        if record.recordKind == .timeTick { return .applied }
        let operation: ShardOperation
        do { operation = try ShardOperation(kind: record.recordKind, payload: record.payload, schema: collection.schema) } catch {
            skip(record, "\(error)")
            return .applied
        }
        do {
            try shard.apply(operation, timestamp: record.timestamp, channelPosition: record.position)
            return .applied
        } catch {
            switch error {
            case .invalidArgument, .rowBatch, .schema, .filter, .vector, .timestampRegression, .corrupt:
                skip(record, "\(error)")
                return .applied
            case .closed where state.withLock({ $0.stopped }):
                return .stopped
            case .closed, .log, .objectStore:
                return .fatal("applying record \(record.position) of \(ref.channel): \(error)")
            }
        }
    }

    /// On an idle channel no write triggers the seal policy; enforce its age limit between long polls.
    private func sealIfDue(_ shard: Shard) {
        do {
            if try shard.sealIfDue() { refreshStatistics(shard) }
        } catch {
            logger.warn("sealing by age failed", ["collection": ref.collection, "shard": ref.shard, "error": "\(error)"])
        }
    }

    private func skip(_ record: ChannelRecord, _ why: String) {
        let message = "record \(record.position) of \(ref.channel) (\(record.recordKind)) skipped: \(why)"
        state.withLock { $0.lastSkip = message }
        logger.error("channel record skipped", ["collection": ref.collection, "shard": ref.shard, "position": record.position.rawValue, "error": why])
    }

    private func noteReadError(_ message: String, retryIn: Duration) {
        let first = state.withLock { s -> Bool in
            defer { s.readError = message }
            return s.readError == nil
        }
        // Log the first failure of a run and then at most once per backoff ceiling, not every retry.
        if first || retryIn >= configuration.maxBackoff {
            logger.warn("channel read failed; retrying", ["collection": ref.collection, "shard": ref.shard, "error": message, "retry_in": "\(retryIn)"])
        }
    }

    /// Marks the replica failed: it serves nothing more, waiters are told why.
    func fail(_ reason: String) {
        let decided = state.withLock { s in
            s.failure = reason
            return s.takeDecided(ref: ref)
        }
        decided.resumeAll()
        logger.error("replica failed", ["collection": ref.collection, "shard": ref.shard, "error": reason])
    }
}
