import VecCore

/// Where a row lives.
struct RowLocation: Hashable {
    var segment: SegmentID
    var row: Int
}

/// A shard's mutable in-memory state: segments, the primary-key map of latest versions and the write
/// clock. Accessed only with the shard's lock held (writes exclusively).
final class ShardState: @unchecked Sendable {
    /// Sealed segments in increasing id order.
    var sealed: [SealedSegment] = []
    var sealedByID: [SegmentID: SealedSegment] = [:]
    var growing: GrowingSegment
    /// The location of the latest (not superseded) version of every live primary key.
    var latest: [PrimaryKey: RowLocation] = [:]
    var lastTimestamp: UInt64 = 0
    /// Segment id the next growing segment gets.
    var nextSegmentID: SegmentID
    /// Log position from which recovery replays (everything below is in segments).
    var checkpoint: LogPosition
    /// Position after the last log record applied in memory: the next flush's checkpoint. With group commit,
    /// records past it may already be durable (they are applied next, or replayed after a crash).
    var appliedEnd: LogPosition
    /// Channel position after the last channel record applied (`Shard.apply(_:timestamp:channelPosition:)`):
    /// the next flush's channel checkpoint. Nil while the shard was never fed from a channel.
    var channelEnd: LogPosition?
    /// The channel checkpoint of the last committed manifest.
    var flushedChannelCheckpoint: LogPosition?
    var closed = false
    /// Set when memory and log may disagree (an apply failed after the log accepted the record).
    var failure: String?
    /// The last automatic seal failure (retried on the next write).
    var sealError: ShardError?
    /// How `open` resolved the sealed segments' vector indexes.
    var indexLoad = IndexLoadReport()

    init(growing: GrowingSegment, nextSegmentID: SegmentID, checkpoint: LogPosition) {
        self.growing = growing
        self.nextSegmentID = nextSegmentID
        self.checkpoint = checkpoint
        self.appliedEnd = checkpoint
    }

    /// Sealed segments then the growing one: the order of query results.
    var allSegments: [any Segment] { sealed.map { $0 as any Segment } + [growing] }

    func segment(_ id: SegmentID) -> (any Segment)? {
        id == growing.id ? growing : sealedByID[id]
    }

    func add(sealed segment: SealedSegment) {
        sealed.append(segment)
        sealed.sort { $0.id < $1.id }
        sealedByID[segment.id] = segment
    }

    func remove(sealed ids: Set<SegmentID>) {
        sealed.removeAll { ids.contains($0.id) }
        for id in ids { sealedByID[id] = nil }
    }

    /// Marks the row at `location` superseded at `timestamp`.
    func supersede(_ location: RowLocation, at timestamp: UInt64) {
        if location.segment == growing.id {
            growing.supersede(row: location.row, at: timestamp)
        } else {
            sealedByID[location.segment]?.supersede(row: location.row, at: timestamp)
        }
    }

    /// Appends an insert (or upsert) to the growing segment; each row supersedes the previous latest version
    /// of its key at `timestamp` (so an insert and an upsert of an existing key behave alike).
    func applyInsert(_ batch: RowBatch, timestamp: UInt64, encodedBytes: Int, now: UInt64, pool: WorkerPool?) throws(ShardError) {
        let first = growing.rowCount
        try growing.append(batch, timestamp: timestamp, encodedBytes: encodedBytes, nowMilliseconds: now, pool: pool)
        guard let pkName = batch.schema.primaryKey?.name, let column = batch.column(named: pkName),
            let keys = PrimaryKey.keys(of: column)
        else { preconditionFailure("validated batches have an Int64 or VarChar primary key") }
        for (i, key) in keys.enumerated() {
            if let old = latest[key] { supersede(old, at: timestamp) }
            latest[key] = RowLocation(segment: growing.id, row: first + i)
        }
    }

    /// Supersedes the latest version of each key at `timestamp`. Returns how many keys had one.
    func applyDelete(_ keys: [PrimaryKey], timestamp: UInt64) -> Int {
        var n = 0
        for key in keys {
            if let old = latest.removeValue(forKey: key) {
                supersede(old, at: timestamp)
                n += 1
            }
        }
        return n
    }

    /// Registers the live rows of a loaded sealed segment in `latest`.
    func indexLiveRows(of segment: SealedSegment) throws(ShardError) {
        let pk = segment.primaryKeyColumn
        for row in 0..<segment.rowCount where segment.supersededAt[row] == .max {
            let key = PrimaryKey.key(of: pk, at: row)
            if let other = latest[key] {
                throw .corrupt(what: "shard manifest", reason: "key \(key) is live in segments \(other.segment) and \(segment.id)")
            }
            latest[key] = RowLocation(segment: segment.id, row: row)
        }
    }

    func manifest(checkpoint: LogPosition, nextSegmentID: SegmentID, segments: [SealedSegment],
                  schema: CollectionSchema, specs: [IndexSpec]) -> ShardManifest {
        ShardManifest(
            checkpoint: checkpoint, lastTimestamp: lastTimestamp, nextSegmentID: nextSegmentID,
            channelCheckpoint: channelEnd, schema: schema, specs: specs,
            segments: segments.map { s in
                var superseded: [(row: Int, timestamp: UInt64)] = []
                for (row, ts) in s.supersededAt.enumerated() where ts != .max { superseded.append((row, ts)) }
                return ShardManifest.SegmentEntry(id: s.id, rowCount: s.rowCount, superseded: superseded)
            })
    }
}
