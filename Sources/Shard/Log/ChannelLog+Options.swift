extension ChannelLog {
    /// Tuning of a `ChannelLog`. Defaults suit a shard channel on a local SSD.
    public struct Options: Sendable, Equatable {
        /// A segment file rolls over once the next record would take it past this size (default 64 MiB; a
        /// record larger than this gets a segment to itself). Truncation deletes whole segments, so this is also
        /// the granularity of reclaiming space. Range 4 KiB ... 1 GiB.
        public var segmentBytes: Int = 64 << 20
        /// Largest payload `append` accepts (default 16 MiB; at most 256 MiB, the format limit).
        public var maxRecordBytes: Int = 16 << 20
        /// Most bytes one group commit writes before syncing (default 16 MiB; a single larger record still goes
        /// alone). Bounds the writer's buffer and the latency of the first append in a burst.
        public var maxBatchBytes: Int = 16 << 20
        /// How long opening waits for the directory lock before failing with `LogError.locked` (default 2 s).
        /// The wait absorbs transient holders: a process that is just exiting, or a child process forked by
        /// this one that has not yet reached `exec` (it briefly shares the lock's open file description).
        public var lockWait: Duration = .seconds(2)
        /// Whether each group commit is made durable with `fdatasync` before its appends are acknowledged
        /// (default `true`). `false` skips that sync: an acknowledged record is then only in the page cache and a
        /// machine crash or power loss may lose it (a process crash does not: the kernel still writes it back).
        /// Only for logs that are a volatile copy of data durable elsewhere, such as a query node's shard replica,
        /// whose log mirrors a log-node channel and is wiped on restart anyway; it makes applying cost no fsync.
        /// Segment creation (rollover) still syncs, so the file layout stays valid.
        public var syncOnCommit: Bool = true

        public init() {}

        public init(
            segmentBytes: Int = 64 << 20, maxRecordBytes: Int = 16 << 20, maxBatchBytes: Int = 16 << 20,
            lockWait: Duration = .seconds(2), syncOnCommit: Bool = true
        ) {
            self.segmentBytes = segmentBytes
            self.maxRecordBytes = maxRecordBytes
            self.maxBatchBytes = maxBatchBytes
            self.lockWait = lockWait
            self.syncOnCommit = syncOnCommit
        }

        /// Checks the ranges documented on each field.
        ///
        /// - Throws: `LogError.invalidOptions` naming the field.
        public func validate() throws(LogError) {
            guard (4096...(1 << 30)).contains(segmentBytes) else {
                throw .invalidOptions("segmentBytes must be in 4096...\(1 << 30), got \(segmentBytes)")
            }
            guard (1...LogFrame.maxPayloadBytes).contains(maxRecordBytes) else {
                throw .invalidOptions("maxRecordBytes must be in 1...\(LogFrame.maxPayloadBytes), got \(maxRecordBytes)")
            }
            guard maxBatchBytes >= 1 else { throw .invalidOptions("maxBatchBytes must be positive, got \(maxBatchBytes)") }
            guard lockWait >= .zero else { throw .invalidOptions("lockWait must not be negative, got \(lockWait)") }
        }
    }

    /// Counters since the log was opened.
    public struct Statistics: Sendable, Equatable {
        /// Records made durable.
        public var appendedRecords = 0
        /// Bytes written for them (frames: header + payload).
        public var appendedBytes = 0
        /// Group commits that acknowledged appends (one per batch, plus one per segment boundary crossed inside
        /// a batch), each one `fdatasync` unless `Options.syncOnCommit` is false. `appendedRecords /
        /// groupCommits` is the mean group size.
        public var groupCommits = 0
        /// Segment files created by rollover.
        public var segmentsCreated = 0
    }

    /// What recovery did when the log was opened.
    public struct RecoveryReport: Sendable, Equatable {
        /// Segment files found (after removing temporary files).
        public var segments = 0
        /// Oldest retained position and the position the next append gets.
        public var firstPosition = LogPosition.start
        public var endPosition = LogPosition.start
        /// Bytes cut off the end of the last segment (a torn write from a crash), 0 if it was clean.
        public var truncatedBytes = 0
        /// Where and why the cut was made (file, offset, reason), `nil` if nothing was cut.
        public var truncationReason: String?
        /// Temporary files from interrupted segment creations that were removed.
        public var removedTemporaryFiles = 0
    }
}
