import Testing
import TestSupport
import VecCore
@testable import IVF

@Suite struct KMeansTests {
    /// Eight well-separated Gaussian blobs: k-means with k = 8 must find one centroid near each centre and
    /// put every point of a blob in the same cluster.
    @Test(arguments: [Metric.l2, .cosine])
    func findsSeparableClusters(metric: Metric) throws {
        let d = 16, blobs = 8, per = 200
        var rng = SplitMix64(seed: 31)
        var centres = [Float](repeating: 0, count: blobs * d)
        // Centres on distinct axes (±10 along axis b), so blobs are far apart under L2 and under cosine.
        for b in 0..<blobs { centres[b * d + b] = 10 }
        var points = [Float]()
        var label = [Int]()
        for b in 0..<blobs {
            for _ in 0..<per {
                for j in 0..<d { points.append(centres[b * d + j] + rng.gaussian() * 0.3) }
                label.append(b)
            }
        }
        let n = blobs * per
        let stride = 16
        let prepared = try (0..<n).flatMap { i in
            try VectorPreparation.prepared(TestData.row(points, i, dimension: d), dimension: d, stride: stride, metric: metric)
        }
        let km = prepared.withUnsafeBufferPointer {
            KMeans(points: $0.baseAddress!, n: n, stride: stride, k: blobs, metric: metric, iterations: 20, seed: 5, pool: nil)
        }
        #expect(km.count == blobs)
        // Each blob maps to exactly one cluster, and distinct blobs to distinct clusters.
        var clusterOfBlob = [Int](repeating: -1, count: blobs)
        try prepared.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let c = km.nearest(p.baseAddress! + i * stride, metric: metric)
                if clusterOfBlob[label[i]] == -1 { clusterOfBlob[label[i]] = c }
                #expect(clusterOfBlob[label[i]] == c, "point \(i) of blob \(label[i]) split off")
                if clusterOfBlob[label[i]] != c { throw CancellationError() }
            }
        }
        #expect(Set(clusterOfBlob).count == blobs)
        // Centroids sit at the blob means.
        for b in 0..<blobs {
            let c = clusterOfBlob[b]
            let centroid = Array(km.centroids[(c * stride)..<(c * stride + d)])
            let expected = metric == .cosine ? Float(1) : 10
            #expect(abs(centroid[b] - expected) < 0.1 * expected, "blob \(b): \(centroid[b])")
        }
    }

    @Test func fewerPointsThanClustersGivesOneCentroidPerPoint() {
        // Two 16-float points (the stride), k = 5.
        var p = [Float](repeating: 0, count: 32)
        p[0] = 1; p[17] = 1
        let km = p.withUnsafeBufferPointer {
            KMeans(points: $0.baseAddress!, n: 2, stride: 16, k: 5, metric: .l2, iterations: 5, seed: 1, pool: nil)
        }
        #expect(km.count == 2)
        #expect(Set([km.centroids[0], km.centroids[16]]) == Set([1, 0]))
    }
}
