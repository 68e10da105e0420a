import Testing
import TestSupport
import VecCore

/// Every SIMD kernel against a plain scalar loop, for lengths that exercise each code path
/// (SIMD16 ×4 blocks, single SIMD16 blocks, the SIMD8 block and the scalar tail).
@Suite struct KernelsTests {
    static let lengths = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 100, 127, 128, 129, 383, 384, 385, 1000, 1536]

    func reference(_ a: [Float], _ b: [Float]) -> (dot: Double, l2: Double) {
        var dot = 0.0, l2 = 0.0
        for i in a.indices {
            dot += Double(a[i]) * Double(b[i])
            l2 += Double(a[i] - b[i]) * Double(a[i] - b[i])
        }
        return (dot, l2)
    }

    @Test(arguments: lengths)
    func singleKernelsMatchScalar(n: Int) {
        var rng = SplitMix64(seed: UInt64(n))
        let a = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        let b = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        let ref = reference(a, b)
        let tol = 1e-4 * Double(n).squareRoot() + 1e-6
        let dot = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in Kernels.dot(pa.baseAddress!, pb.baseAddress!, n) } }
        let l2 = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in Kernels.squaredL2(pa.baseAddress!, pb.baseAddress!, n) } }
        #expect(abs(Double(dot) - ref.dot) < tol, "dot n=\(n)")
        #expect(abs(Double(l2) - ref.l2) < tol * 4, "l2 n=\(n)")
    }

    @Test(arguments: lengths)
    func fourWayKernelsMatchSingle(n: Int) {
        var rng = SplitMix64(seed: 1000 + UInt64(n))
        let q = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        let bs = (0..<4).map { _ in (0..<n).map { _ in Float.random(in: -1...1, using: &rng) } }
        let tol: Float = 1e-4 * Float(n).squareRoot() + 1e-6
        q.withUnsafeBufferPointer { qp in
            let p = bs.map { b in b.withUnsafeBufferPointer { UnsafeMutablePointer(mutating: $0.baseAddress!) } }
            // `bs` outlives the pointers' use: it is not mutated in this scope.
            let d4 = Kernels.dot4(qp.baseAddress!, p[0], p[1], p[2], p[3], n)
            let l4 = Kernels.squaredL2x4(qp.baseAddress!, p[0], p[1], p[2], p[3], n)
            for j in 0..<4 {
                let ref = reference(q, bs[j])
                #expect(abs(Double(d4[j]) - ref.dot) < Double(tol), "dot4 lane \(j) n=\(n)")
                #expect(abs(Double(l4[j]) - ref.l2) < Double(tol) * 4, "l2x4 lane \(j) n=\(n)")
            }
        }
    }

    @Test func distanceKernelsFollowMetricConventions() {
        let a: [Float] = [1, 0, 0], b: [Float] = [0, 1, 0]
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                #expect(SquaredL2.distance(pa.baseAddress!, pb.baseAddress!, 3) == 2)
                #expect(InnerProductDistance.distance(pa.baseAddress!, pb.baseAddress!, 3) == 1)
                #expect(InnerProductDistance.distance(pa.baseAddress!, pa.baseAddress!, 3) == 0)
            }
        }
        #expect(Metric.ip.score(fromDistance: 0.25) == 0.75)
        #expect(Metric.l2.score(fromDistance: 0.25) == 0.25)
    }

    @Test func metricParsing() throws {
        #expect(try Metric(parsing: "ip") == .ip)
        #expect(try Metric(parsing: "Cosine") == .cosine)
        #expect(try Metric(parsing: "L2") == .l2)
        #expect(throws: VecError.unknownMetric("hamming")) { try Metric(parsing: "hamming") }
    }
}
