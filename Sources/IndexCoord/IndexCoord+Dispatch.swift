import Coordinator
import Node
import Shard
import Wire

// Sending pending builds to index nodes and settling their outcomes.
extension IndexCoord {
    /// Sends every pending segment it can to the least busy live index node (fewest builds in flight from
    /// here, then lowest id), at most `maxBuildsPerNode` per node. Oldest segments first (by key).
    func dispatch() {
        guard membershipKnown, !indexNodes.isEmpty else { return }
        let now = ContinuousClock.now
        var load: [NodeID: Int] = Dictionary(uniqueKeysWithValues: indexNodes.keys.filter { (resting[$0] ?? now) <= now }.map { ($0, 0) })
        for build in inFlight.values where load[build.node] != nil { load[build.node]! += 1 }
        for key in records.keys.sorted() {
            guard var record = records[key], record.state == .pending, inFlight[key] == nil else { continue }
            guard let (node, n) = load.filter({ $0.value < configuration.maxBuildsPerNode })
                .min(by: { ($0.value, $0.key) < ($1.value, $1.key) }), let session = indexNodes[node]
            else { return }
            load[node] = n + 1
            nextGeneration += 1
            let generation = nextGeneration
            let request = BuildSegmentIndex(collectionID: key.collection, shard: key.shard, segmentID: key.segment)
            let client: any WireClient
            do { client = transport.client(for: try WireAddress(parsing: session.address)) } catch {
                // A node announcing an address that does not parse cannot build anything: skip it.
                logger.warn("index node address unusable", ["node": node.rawValue, "addr": session.address, "error": "\(error)"])
                load[node] = configuration.maxBuildsPerNode
                continue
            }
            record.state = .building
            record.node = node
            save(record)
            let timeout = configuration.buildTimeout
            let task = Task { [weak self] in
                let outcome: Result<SegmentIndexBuildReply, WireError>
                do throws(WireError) {
                    outcome = .success(try await client.call(request, options: CallOptions(timeout: timeout)))
                } catch {
                    outcome = .failure(error)
                }
                await self?.settle(key, generation: generation, outcome)
            }
            inFlight[key] = InFlightBuild(node: node, generation: generation, task: task)
            logger.info("index build dispatched", ["collection": key.collection.rawValue, "shard": key.shard,
                                                   "segment": SegmentID(key.segment).description, "node": node.rawValue,
                                                   "attempt": record.attempts + 1])
        }
    }

    /// Applies a build's outcome, unless the build was superseded meanwhile (its node died and the segment
    /// was re-queued, or the segment was forgotten).
    func settle(_ key: SegmentBuildRecord.Key, generation: UInt64, _ outcome: Result<SegmentIndexBuildReply, WireError>) {
        guard let build = inFlight[key], build.generation == generation else { return }
        inFlight[key] = nil
        guard var record = records[key] else { return }
        switch outcome {
        case .success(let reply):
            record.state = .finished
            record.buildMilliseconds = reply.buildMilliseconds
            record.attempts += 1
            record.lastError = ""
            save(record)
            logger.info("segment indexed", ["collection": key.collection.rawValue, "shard": key.shard,
                                            "segment": SegmentID(key.segment).description, "node": build.node.rawValue,
                                            "build_ms": reply.buildMilliseconds, "bytes": reply.bytes])
        case .failure(let error) where error.code == .indexNodeBusy || Self.isUnreachable(error):
            // Not the segment's fault: back in the queue without spending an attempt, and the node rests a
            // while (an unreachable one is probably dying: membership will tell).
            record.state = .pending
            record.node = nil
            save(record)
            resting[build.node] = .now + configuration.nodeBackoff
            if error.code != .indexNodeBusy {
                logger.warn("index node unreachable; build re-queued", ["node": build.node.rawValue,
                                                                       "segment": SegmentID(key.segment).description,
                                                                       "error": error.message])
            }
        case .failure(let error):
            failed(&record, reason: "\(build.node): \(error.message)")
        }
        dispatch()
    }

    /// Errors saying the call never reached a working node (no listener, connection lost, node shutting
    /// down), as opposed to a build that ran and failed or took longer than its deadline.
    static func isUnreachable(_ error: WireError) -> Bool {
        switch error.code {
        case .unavailable, .connectionClosed, .shuttingDown, .cancelled, .indexNodeClosed: true
        default: false
        }
    }

    /// Counts a failed attempt: pending again, or `failed` once the attempts are used up.
    func failed(_ record: inout SegmentBuildRecord, reason: String) {
        record.attempts += 1
        record.lastError = SegmentBuildRecord.truncated(reason)
        record.node = nil
        let key = record.key
        let segment = SegmentID(key.segment).description
        if record.attempts >= configuration.maxAttempts {
            record.state = .failed
            logger.error("index build gave up", ["collection": key.collection.rawValue, "shard": key.shard, "segment": segment,
                                                 "attempts": record.attempts, "error": reason])
        } else {
            record.state = .pending
            logger.warn("index build failed; retrying", ["collection": key.collection.rawValue, "shard": key.shard,
                                                         "segment": segment, "attempts": record.attempts, "error": reason])
        }
        save(record)
    }
}
