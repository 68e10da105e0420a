/// When a growing segment is sealed (made immutable and written to the object store): as soon as any limit
/// is reached. Checked after every write and by `Shard.sealIfDue()`; the age uses the shard's injected clock,
/// so tests advance time without sleeping.
public struct SealPolicy: Sendable, Equatable {
    /// Seal at this many rows.
    public var maxRows: Int
    /// Seal when the rows' encoded size reaches this many bytes.
    public var maxBytes: Int
    /// Seal when the oldest row of the growing segment is this many milliseconds old (by the shard clock).
    public var maxAgeMilliseconds: UInt64

    /// Defaults: 100,000 rows, 256 MiB, 10 minutes.
    public init(maxRows: Int = 100_000, maxBytes: Int = 256 << 20, maxAgeMilliseconds: UInt64 = 600_000) {
        self.maxRows = maxRows
        self.maxBytes = maxBytes
        self.maxAgeMilliseconds = maxAgeMilliseconds
    }

    /// Whether a growing segment with these statistics must be sealed. An empty segment never is.
    public func shouldSeal(rows: Int, bytes: Int, ageMilliseconds: UInt64) -> Bool {
        rows > 0 && (rows >= maxRows || bytes >= maxBytes || ageMilliseconds >= maxAgeMilliseconds)
    }

    func validate() throws(ShardError) {
        guard maxRows >= 1, maxBytes >= 1 else {
            throw .invalidArgument("seal policy limits must be positive (maxRows \(maxRows), maxBytes \(maxBytes))")
        }
    }
}
