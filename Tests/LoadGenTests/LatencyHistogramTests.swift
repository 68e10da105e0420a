import Testing
import TestSupport
@testable import LoadGen

@Suite struct LatencyHistogramTests {
    /// Log-uniform latencies from 1 µs to 10 s (nanoseconds), the shape real latency data has.
    static func samples(_ n: Int, seed: UInt64) -> [UInt64] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in
            let exponent = Double.random(in: 3...10, using: &rng)
            var v = 1.0
            var e = exponent
            while e >= 1 { v *= 10; e -= 1 }
            // Uniform inside the decade: enough spread for every slot size to be exercised.
            return UInt64(v * (1 + 9 * e))
        }
    }

    /// The exact p-th percentile of sorted data, by the same definition the histogram uses.
    static func exact(_ sorted: [UInt64], _ p: Double) -> UInt64 {
        let rank = max(1, Int((p / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }

    @Test(arguments: [1, 2, 3, 4])
    func percentilesMatchExactValuesWithinPrecision(digits: Int) throws {
        let seed: UInt64 = 0x5EED_0001 + UInt64(digits)
        let data = Self.samples(100_000, seed: seed)
        var h = try LatencyHistogram(significantDigits: digits)
        for v in data { h.record(v) }
        let sorted = data.sorted()
        var bound = 1.0
        for _ in 0..<digits { bound /= 10 }
        for p in [0.0, 1, 10, 50, 90, 95, 99, 99.9, 99.99, 100] {
            let want = Self.exact(sorted, p)
            let got = h.value(atPercentile: p)
            // Never below the true sample, and above it by at most one slot (relative 10^-digits); below
            // `lowestDiscernible` the slot is absolute (1 µs wide at most).
            #expect(got >= want, "seed \(seed) p\(p): \(got) < exact \(want)")
            let slack = max(Double(want) * bound, 1_000)
            #expect(Double(got) - Double(want) <= slack, "seed \(seed) p\(p): \(got) vs exact \(want)")
        }
        #expect(h.count == UInt64(data.count))
        #expect(h.maximum == sorted.last!)
        #expect(h.minimum == sorted.first!)
        #expect(h.summary.max == sorted.last!)
        let mean = Double(data.reduce(0, +)) / Double(data.count)
        #expect(abs(h.mean - mean) <= 1e-9 * mean)
    }

    @Test func smallDataPercentilesAreExactSamples() throws {
        var h = try LatencyHistogram()
        for ms in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as [UInt64] { h.record(ms * 1_000_000) }
        // 3 significant digits: 5 ms is stored in a slot at most 5 µs wide.
        #expect(h.value(atPercentile: 50) >= 5_000_000 && h.value(atPercentile: 50) < 5_005_000)
        #expect(h.value(atPercentile: 90) >= 9_000_000 && h.value(atPercentile: 90) < 9_010_000)
        #expect(h.value(atPercentile: 91) == 10_000_000)     // clamped to the exact max
        #expect(h.summary.p999 == 10_000_000)
        #expect(h.mean == 5_500_000)
    }

    @Test func mergeEqualsRecordingEverythingInOne() throws {
        let data = Self.samples(20_000, seed: 42)
        var all = try LatencyHistogram()
        var a = try LatencyHistogram()
        var b = try LatencyHistogram()
        for (i, v) in data.enumerated() {
            all.record(v)
            if i % 3 == 0 { a.record(v) } else { b.record(v) }
        }
        var merged = a
        merged.merge(b)
        #expect(merged == all)
        #expect(merged.summary == all.summary)
        var empty = try LatencyHistogram()
        empty.merge(all)
        #expect(empty == all)
        all.merge(try LatencyHistogram())
        #expect(empty == all)
    }

    @Test func saturatedAndTinyValues() throws {
        var h = try LatencyHistogram(significantDigits: 2, lowestDiscernible: 1_000, highestTrackable: 1_000_000_000)
        h.record(0)
        h.record(5_000_000_000)       // 5 s above a 1 s ceiling
        #expect(h.saturatedCount == 1)
        #expect(h.maximum == 5_000_000_000)
        #expect(h.value(atPercentile: 100) == 5_000_000_000)
        #expect(h.value(atPercentile: 10) < 1_000)
        #expect(h.count == 2)
        h.reset()
        #expect(h.isEmpty && h.value(atPercentile: 99) == 0 && h.mean == 0)
    }

    @Test func recordTimesCountsEachSample() throws {
        var h = try LatencyHistogram()
        h.record(2_000_000, times: 99)
        h.record(50_000_000, times: 1)
        #expect(h.count == 100)
        #expect(h.value(atPercentile: 99) < 2_010_000)
        #expect(h.value(atPercentile: 99.5) == 50_000_000)
    }

    @Test func layoutIsBoundedAndInvalidLayoutsThrow() throws {
        let h = try LatencyHistogram()
        #expect(h.slotCount < 40_000)     // 3 digits over 1 µs…120 s: ~300 KB
        #expect(throws: LoadError.self) { try LatencyHistogram(significantDigits: 0) }
        #expect(throws: LoadError.self) { try LatencyHistogram(significantDigits: 6) }
        #expect(throws: LoadError.self) { try LatencyHistogram(lowestDiscernible: 0) }
        #expect(throws: LoadError.self) { try LatencyHistogram(lowestDiscernible: 1_000, highestTrackable: 1_500) }
        #expect(!h.sameLayout(try LatencyHistogram(significantDigits: 2)))
    }
}
