import Synchronization
import VecCore

/// Lloyd's k-means with k-means++ seeding, over prepared vectors (`stride` floats each, zero-padded), as the
/// coarse quantiser of IVF indexes.
///
/// - Assignment uses the index metric: squared L2, or the largest inner product for IP / COSINE (as FAISS
///   does for inner-product IVF); for COSINE the centroids are re-normalised after each update (spherical
///   k-means), so probing by inner product stays meaningful.
/// - Seeding is k-means++ (Arthur & Vassilvitskii 2007) on squared L2: each next centroid is a point drawn
///   with probability proportional to its squared distance to the nearest centroid so far.
/// - An empty cluster takes over half of the largest one (its centroid is a slightly perturbed copy), as
///   FAISS does, so every list stays in use.
/// - Work runs on a `WorkerPool` (assignment in parallel; per-worker partial sums merged afterwards).
public struct KMeans {
    /// The trained centroids: `count × stride` floats, row-major, zero-padded.
    public private(set) var centroids: [Float]
    /// Number of centroids (`min(k, points)`).
    public let count: Int
    public let stride: Int
    /// Iterations actually run (fewer than asked when assignments stopped changing).
    public private(set) var iterationsRun = 0

    /// Trains `k` centroids on `n` points at `points` (`stride` floats apart).
    /// - Parameters:
    ///   - metric: assignment metric (see the type's documentation).
    ///   - iterations: at most this many Lloyd iterations.
    ///   - seed: seed of the k-means++ draws.
    public init(points: UnsafePointer<Float>, n: Int, stride: Int, k: Int, metric: Metric, iterations: Int,
                seed: UInt64, pool: WorkerPool?) {
        precondition(n >= 1 && k >= 1 && stride >= 1, "k-means needs points and k ≥ 1")
        let count = min(k, n)
        self.count = count
        self.stride = stride
        centroids = [Float](repeating: 0, count: count * stride)
        var rng = SeededGenerator(seed: seed)
        let workers = pool?.threadCount ?? 1
        centroids.withUnsafeMutableBufferPointer { c in
            KMeans.seedPlusPlus(points, n, stride, count, c.baseAddress!, &rng, pool)
            if metric == .cosine { KMeans.normalise(c.baseAddress!, count, stride) }
        }
        var assignment = [Int32](repeating: -1, count: n)
        for _ in 0..<iterations {
            iterationsRun += 1
            let moved = assign(points, n, metric, &assignment, pool)
            if moved == 0 && iterationsRun > 1 { break }
            update(points, n, metric, assignment, workers, &rng, pool)
        }
    }

    /// The index of the nearest centroid to `x` (prepared, `stride` floats) under `metric`.
    public func nearest(_ x: UnsafePointer<Float>, metric: Metric) -> Int {
        centroids.withUnsafeBufferPointer { c in
            var norms = [Float](repeating: 0, count: count)
            for j in 0..<count { norms[j] = Kernels.dot(c.baseAddress! + j * stride, c.baseAddress! + j * stride, stride) }
            return norms.withUnsafeBufferPointer { KMeans.nearest(x, c.baseAddress!, $0.baseAddress!, count, stride, metric) }
        }
    }

    /// Nearest centroid: L2 minimises `‖c‖² − 2x·c`; IP/COSINE maximise `x·c`. Four centroids per pass.
    @inline(__always)
    static func nearest(_ x: UnsafePointer<Float>, _ c: UnsafePointer<Float>, _ norms: UnsafePointer<Float>, _ k: Int,
                        _ stride: Int, _ metric: Metric) -> Int {
        let l2 = metric == .l2
        var best = 0
        var bestScore = Float.infinity
        var j = 0
        while j &+ 4 <= k {
            let d = Kernels.dot4(x, c + j &* stride, c + (j &+ 1) &* stride, c + (j &+ 2) &* stride, c + (j &+ 3) &* stride, stride)
            let s = l2 ? SIMD4<Float>(norms[j], norms[j &+ 1], norms[j &+ 2], norms[j &+ 3]) - 2 * d : -d
            for t in 0..<4 where s[t] < bestScore { bestScore = s[t]; best = j &+ t }
            j &+= 4
        }
        while j < k {
            let d = Kernels.dot(x, c + j &* stride, stride)
            let s = l2 ? norms[j] - 2 * d : -d
            if s < bestScore { bestScore = s; best = j }
            j &+= 1
        }
        return best
    }

    static func normalise(_ c: UnsafeMutablePointer<Float>, _ k: Int, _ stride: Int) {
        for j in 0..<k {
            let p = c + j * stride
            let n = Kernels.dot(p, p, stride).squareRoot()
            if n > 0 { for i in 0..<stride { p[i] /= n } }
        }
    }

    /// k-means++ seeding on squared L2 distances.
    static func seedPlusPlus(_ x: UnsafePointer<Float>, _ n: Int, _ stride: Int, _ k: Int, _ c: UnsafeMutablePointer<Float>,
                             _ rng: inout SeededGenerator, _ pool: WorkerPool?) {
        let minDist = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { minDist.deallocate() }
        minDist.initialize(repeating: .infinity, count: n)
        var chosen = Int(rng.next() % UInt64(n))
        for j in 0..<k {
            (c + j * stride).update(from: x + chosen * stride, count: stride)
            if j == k - 1 { break }
            let cj = UnsafePointer(c + j * stride)
            let chunk = 2048
            let body: (Range<Int>, Int) -> Void = { range, _ in
                for i in range {
                    let d = Kernels.squaredL2(x + i * stride, cj, stride)
                    if d < minDist[i] { minDist[i] = d }
                }
            }
            if let pool, n >= 2 * chunk {
                pool.parallelFor((n + chunk - 1) / chunk) { blocks, w in
                    for b in blocks { body((b * chunk)..<min(n, (b + 1) * chunk), w) }
                }
            } else {
                body(0..<n, 0)
            }
            var total: Double = 0
            for i in 0..<n { total += Double(minDist[i]) }
            if total <= 0 {
                // Fewer distinct points than k: any point will do.
                chosen = Int(rng.next() % UInt64(n))
                continue
            }
            var target = Double(rng.next() >> 11) / Double(1 << 53) * total
            chosen = n - 1
            for i in 0..<n {
                target -= Double(minDist[i])
                if target < 0 { chosen = i; break }
            }
        }
    }

    /// Assigns every point to its nearest centroid; returns how many points changed cluster.
    func assign(_ x: UnsafePointer<Float>, _ n: Int, _ metric: Metric, _ assignment: inout [Int32], _ pool: WorkerPool?) -> Int {
        let k = count, stride = self.stride
        var norms = [Float](repeating: 0, count: k)
        centroids.withUnsafeBufferPointer { c in
            for j in 0..<k { norms[j] = Kernels.dot(c.baseAddress! + j * stride, c.baseAddress! + j * stride, stride) }
        }
        let moved = AtomicTotal()
        centroids.withUnsafeBufferPointer { c in
            norms.withUnsafeBufferPointer { nr in
                assignment.withUnsafeMutableBufferPointer { a in
                    let cp = c.baseAddress!, np = nr.baseAddress!
                    let ap = a.baseAddress!
                    let body: (Range<Int>) -> Void = { range in
                        var m = 0
                        for i in range {
                            let b = Int32(KMeans.nearest(x + i * stride, cp, np, k, stride, metric))
                            if ap[i] != b { ap[i] = b; m += 1 }
                        }
                        moved.add(m)
                    }
                    if let pool { pool.parallelFor(n, chunk: 256) { r, _ in body(r) } } else { body(0..<n) }
                }
            }
        }
        return moved.value
    }

    /// Moves every centroid to the mean of its points; splits the largest cluster into each empty one.
    mutating func update(_ x: UnsafePointer<Float>, _ n: Int, _ metric: Metric, _ assignment: [Int32], _ workers: Int,
                         _ rng: inout SeededGenerator, _ pool: WorkerPool?) {
        let k = count, stride = self.stride
        // Per-worker partial sums (Double for accuracy over many points), merged afterwards.
        let sums = UnsafeMutablePointer<Double>.allocate(capacity: workers * k * stride)
        defer { sums.deallocate() }
        sums.initialize(repeating: 0, count: workers * k * stride)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: workers * k)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0, count: workers * k)
        assignment.withUnsafeBufferPointer { a in
            let body: (Range<Int>, Int) -> Void = { range, w in
                let s = sums + w * k * stride
                let cnt = counts + w * k
                for i in range {
                    let j = Int(a[i])
                    cnt[j] += 1
                    let dst = s + j * stride, src = x + i * stride
                    for t in 0..<stride { dst[t] += Double(src[t]) }
                }
            }
            if let pool, workers > 1 { pool.parallelFor(n, chunk: 1024, body) } else { body(0..<n, 0) }
        }
        var total = [Int](repeating: 0, count: k)
        centroids.withUnsafeMutableBufferPointer { cb in
            let c = cb.baseAddress!
            for j in 0..<k {
                var m = 0
                for w in 0..<workers { m += counts[w * k + j] }
                total[j] = m
                guard m > 0 else { continue }
                let dst = c + j * stride
                for t in 0..<stride {
                    var s: Double = 0
                    for w in 0..<workers { s += sums[(w * k + j) * stride + t] }
                    dst[t] = Float(s / Double(m))
                }
            }
            // Empty clusters: take a perturbed copy of the largest cluster's centroid and half its points.
            for j in 0..<k where total[j] == 0 {
                var big = 0
                for t in 0..<k where total[t] > total[big] { big = t }
                guard total[big] > 1 else { continue }
                let src = c + big * stride, dst = c + j * stride
                let eps: Float = 1.0 / 1024
                for t in 0..<stride {
                    let sign: Float = rng.next() & 1 == 0 ? 1 : -1
                    dst[t] = src[t] * (1 + sign * eps)
                    src[t] = src[t] * (1 - sign * eps)
                }
                total[j] = total[big] / 2
                total[big] -= total[j]
            }
            if metric == .cosine { KMeans.normalise(c, k, stride) }
        }
    }
}

/// A thread-safe running total (workers add their counts).
final class AtomicTotal: Sendable {
    private let total = Atomic<Int>(0)
    func add(_ n: Int) { total.wrappingAdd(n, ordering: .relaxed) }
    var value: Int { total.load(ordering: .acquiring) }
}

/// SplitMix64: small, fast and seedable, so training is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
