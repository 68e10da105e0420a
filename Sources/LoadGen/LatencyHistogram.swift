/// An HDR-style latency histogram: log-linear buckets with a fixed relative precision, constant memory,
/// O(1) recording and lossless merging — so a long run keeps every sample's contribution without storing
/// the samples (a sorted array of 10 million latencies is 80 MB and a sort per report).
///
/// Layout (HdrHistogram's): values are integers (nanoseconds here). Each power-of-two range above
/// `2^unitMagnitude` is one *bucket* split linearly into `subBucketHalfCount` slots, the first bucket into
/// `subBucketCount`; `subBucketCount = 2^⌈log₂(2·10^digits)⌉`, so any value is stored in a slot no wider than
/// `value / 10^digits`. With 3 significant digits a recorded 12.345 ms reads back as 12.34–12.35 ms.
///
/// Exact extras: the minimum, maximum, count and sum are kept exactly, so `max` and `mean` carry no bucket
/// error. Values above `highestTrackable` are counted in the top slot (and still raise the exact `max`);
/// `saturatedCount` says how many.
///
/// A value type: one per thread (or behind a lock), merged with `merge(_:)`. Not thread-safe by itself.
public struct LatencyHistogram: Sendable, Equatable {
    /// Relative precision: 1…5 significant decimal digits.
    public let significantDigits: Int
    /// Smallest value distinguishable from 0 (values below it share the first slots).
    public let lowestDiscernible: UInt64
    /// Largest value recorded without saturating.
    public let highestTrackable: UInt64

    let unitMagnitude: Int
    let subBucketHalfCountMagnitude: Int
    let subBucketCount: Int
    let subBucketHalfCount: Int
    let subBucketMask: UInt64
    let bucketCount: Int
    private var counts: [UInt64]

    /// Samples recorded.
    public private(set) var count: UInt64 = 0
    /// Samples above `highestTrackable` (stored in the top slot).
    public private(set) var saturatedCount: UInt64 = 0
    /// Exact smallest sample (`UInt64.max` when empty).
    public private(set) var minimum: UInt64 = .max
    /// Exact largest sample (0 when empty).
    public private(set) var maximum: UInt64 = 0
    /// Exact sum of samples (wrapping is not a concern: 2^64 ns is 584 years).
    public private(set) var sum: UInt64 = 0

    /// Creates an empty histogram.
    /// - Parameters:
    ///   - significantDigits: 1…5; 3 keeps every percentile within 0.1 % of the true sample value.
    ///   - lowestDiscernible: ≥ 1; e.g. 1 000 for 1 µs when recording nanoseconds.
    ///   - highestTrackable: ≥ 2 × lowestDiscernible; e.g. 60 s in nanoseconds.
    /// - Throws: `LoadError.invalidConfiguration` for out-of-range arguments.
    public init(significantDigits: Int = 3, lowestDiscernible: UInt64 = 1_000,
                highestTrackable: UInt64 = 120_000_000_000) throws(LoadError) {
        guard (1...5).contains(significantDigits) else {
            throw .invalidConfiguration("histogram significant digits must be 1…5, got \(significantDigits)")
        }
        guard lowestDiscernible >= 1, highestTrackable / 2 >= lowestDiscernible, highestTrackable < UInt64(1) << 62 else {
            throw .invalidConfiguration("histogram range must satisfy 1 ≤ lowest ≤ highest / 2 < 2^61, got \(lowestDiscernible)…\(highestTrackable)")
        }
        self.significantDigits = significantDigits
        self.lowestDiscernible = lowestDiscernible
        self.highestTrackable = highestTrackable
        var largestSingleUnit: UInt64 = 2
        for _ in 0..<significantDigits { largestSingleUnit *= 10 }
        let subBucketCountMagnitude = 64 - (largestSingleUnit - 1).leadingZeroBitCount  // ⌈log₂(2·10^d)⌉
        subBucketHalfCountMagnitude = subBucketCountMagnitude - 1
        unitMagnitude = 63 - lowestDiscernible.leadingZeroBitCount                        // ⌊log₂(lowest)⌋
        subBucketCount = 1 << subBucketCountMagnitude
        subBucketHalfCount = subBucketCount / 2
        subBucketMask = UInt64(subBucketCount - 1) << UInt64(unitMagnitude)
        // Buckets needed so the last one covers highestTrackable.
        var smallestUntrackable = UInt64(subBucketCount) << UInt64(unitMagnitude)
        var buckets = 1
        while smallestUntrackable <= highestTrackable {
            if smallestUntrackable > UInt64.max / 2 { buckets += 1; break }
            smallestUntrackable <<= 1
            buckets += 1
        }
        bucketCount = buckets
        counts = [UInt64](repeating: 0, count: (buckets + 1) * subBucketHalfCount)
    }

    /// Number of slots (memory is 8 bytes per slot).
    public var slotCount: Int { counts.count }

    /// True when nothing was recorded.
    public var isEmpty: Bool { count == 0 }

    @inline(__always)
    func slotIndex(_ value: UInt64) -> Int {
        let bucketIndex = (64 - unitMagnitude - subBucketHalfCountMagnitude - 1) - (value | subBucketMask).leadingZeroBitCount
        let subBucketIndex = Int(truncatingIfNeeded: value >> UInt64(bucketIndex + unitMagnitude))
        return ((bucketIndex + 1) << subBucketHalfCountMagnitude) + (subBucketIndex - subBucketHalfCount)
    }

    /// The lowest value stored in slot `index`.
    func lowestValue(atSlot index: Int) -> UInt64 {
        var bucketIndex = (index >> subBucketHalfCountMagnitude) - 1
        var subBucketIndex = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucketIndex < 0 {
            subBucketIndex -= subBucketHalfCount
            bucketIndex = 0
        }
        return UInt64(subBucketIndex) << UInt64(bucketIndex + unitMagnitude)
    }

    /// Width of the slot holding `value` (values in it are reported as one).
    func slotWidth(_ value: UInt64) -> UInt64 {
        let bucketIndex = (64 - unitMagnitude - subBucketHalfCountMagnitude - 1) - (value | subBucketMask).leadingZeroBitCount
        let subBucketIndex = value >> UInt64(bucketIndex + unitMagnitude)
        let adjusted = subBucketIndex >= UInt64(subBucketCount) ? bucketIndex + 1 : bucketIndex
        return UInt64(1) << UInt64(unitMagnitude + adjusted)
    }

    /// Records one sample. O(1), no allocation.
    @inline(__always)
    public mutating func record(_ value: UInt64) {
        record(value, times: 1)
    }

    /// Records `times` samples of `value`.
    public mutating func record(_ value: UInt64, times: UInt64) {
        guard times > 0 else { return }
        var stored = value
        if value > highestTrackable {
            stored = highestTrackable
            saturatedCount &+= times
        }
        counts[slotIndex(stored)] &+= times
        count &+= times
        sum &+= value &* times
        if value < minimum { minimum = value }
        if value > maximum { maximum = value }
    }

    /// Adds every sample of `other` into this histogram.
    /// - Precondition: both have the same layout (significant digits and range) — merging different
    ///   precisions would silently misplace counts, so it is API misuse.
    public mutating func merge(_ other: LatencyHistogram) {
        precondition(sameLayout(other), "merging histograms with different precision or range")
        guard other.count > 0 else { return }
        counts.withUnsafeMutableBufferPointer { dst in
            other.counts.withUnsafeBufferPointer { src in
                for i in 0..<dst.count where src[i] != 0 { dst[i] &+= src[i] }
            }
        }
        count &+= other.count
        saturatedCount &+= other.saturatedCount
        sum &+= other.sum
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }

    /// True when `merge(_:)` accepts `other`.
    public func sameLayout(_ other: LatencyHistogram) -> Bool {
        significantDigits == other.significantDigits && lowestDiscernible == other.lowestDiscernible
            && highestTrackable == other.highestTrackable
    }

    /// Clears every count, keeping the layout (no reallocation).
    public mutating func reset() {
        counts.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] = 0 } }
        count = 0; saturatedCount = 0; sum = 0; minimum = .max; maximum = 0
    }

    /// The value at percentile `p` (0…100): the smallest recorded value v such that at least p % of the
    /// samples are ≤ v, reported as the top of v's slot and clamped to the exact `maximum` (so it is within
    /// one slot width — `10^-digits` relative — above the true sample). 0 when empty.
    public func value(atPercentile p: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let clamped = Swift.min(Swift.max(p, 0), 100)
        if clamped >= 100 { return maximum }
        var target = UInt64((clamped / 100 * Double(count)).rounded(.up))
        if target == 0 { target = 1 }
        if target >= count { return maximum }
        var seen: UInt64 = 0
        return counts.withUnsafeBufferPointer { c -> UInt64 in
            for i in 0..<c.count where c[i] != 0 {
                seen &+= c[i]
                if seen >= target {
                    let low = lowestValue(atSlot: i)
                    let top = low &+ slotWidth(low) &- 1
                    return Swift.max(Swift.min(top, maximum), minimum)
                }
            }
            return maximum
        }
    }

    /// Exact arithmetic mean (0 when empty).
    public var mean: Double { count == 0 ? 0 : Double(sum) / Double(count) }

    /// The standard summary (p50, p95, p99, p99.9, max, mean), in the histogram's unit.
    public var summary: LatencySummary {
        LatencySummary(count: count, p50: value(atPercentile: 50), p95: value(atPercentile: 95), p99: value(atPercentile: 99),
                       p999: value(atPercentile: 99.9), max: maximum, mean: mean)
    }
}

/// The percentiles a load report prints, in the unit the histogram recorded (nanoseconds for latency).
public struct LatencySummary: Sendable, Equatable {
    public var count: UInt64
    public var p50: UInt64
    public var p95: UInt64
    public var p99: UInt64
    public var p999: UInt64
    public var max: UInt64
    public var mean: Double
}
