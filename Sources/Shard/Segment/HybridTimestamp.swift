/// Milvus's TSO timestamp layout: `physical milliseconds << 18 | logical counter`. Every write carries one;
/// reads at timestamp `T` see exactly the writes at or before `T` (see docs/storage.md, "MVCC").
public enum HybridTimestamp {
    /// Bits of the logical counter.
    public static let logicalBits = 18
    /// Largest logical counter.
    public static let maxLogical: UInt64 = (1 << 18) - 1

    /// Composes a timestamp; `logical` must be at most `maxLogical`.
    public static func make(physicalMilliseconds: UInt64, logical: UInt64 = 0) -> UInt64 {
        precondition(logical <= maxLogical, "logical counter \(logical) over \(maxLogical)")
        return physicalMilliseconds << UInt64(logicalBits) | logical
    }

    /// The physical part of `ts`, in milliseconds since the Unix epoch.
    public static func physicalMilliseconds(of ts: UInt64) -> UInt64 { ts >> UInt64(logicalBits) }

    /// The logical part of `ts`.
    public static func logical(of ts: UInt64) -> UInt64 { ts & maxLogical }

    /// A read at this timestamp sees every write.
    public static let latest = UInt64.max
}
