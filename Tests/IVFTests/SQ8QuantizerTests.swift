import Testing
import TestSupport
import VecCore

@Suite struct SQ8QuantizerTests {
    /// Every component inside the trained range decodes within half a step of its value.
    @Test func roundTripErrorIsAtMostHalfAStep() throws {
        let d = 37, n = 500
        let data = TestData.uniform(count: n, dimension: d, seed: 77).enumerated().map { $0.element * Float(1 + $0.offset % d) }
        let q = try data.withUnsafeBufferPointer { try SQ8Quantizer.train(rows: $0.baseAddress!, count: n, rowStride: d, dimension: d) }
        #expect(q.codeStride == 48)
        var code = [UInt8](repeating: 0xFF, count: q.codeStride)
        var out = [Float](repeating: 0, count: d)
        for r in 0..<n {
            data.withUnsafeBufferPointer { q.encode($0.baseAddress! + r * d, into: &code) }
            q.decode(code, into: &out)
            for i in 0..<d {
                let err = abs(out[i] - data[r * d + i])
                #expect(err <= q.maximumError(dimension: i) * 1.0001 + 1e-6, "row \(r) dim \(i): error \(err)")
            }
            #expect(code[d...].allSatisfy { $0 == 0 }, "padding must be zero")
        }
        // Outside the range: clamped to the range's end.
        let outside = [Float](repeating: 1000, count: d)
        outside.withUnsafeBufferPointer { q.encode($0.baseAddress!, into: &code) }
        #expect(code[0..<d].allSatisfy { $0 == 255 })
    }

    @Test func constantDimensionAndBadRanges() throws {
        let data: [Float] = [1, 2, 1, 5, 1, -3]
        let q = try data.withUnsafeBufferPointer { try SQ8Quantizer.train(rows: $0.baseAddress!, count: 3, rowStride: 2, dimension: 2) }
        #expect(q.scale[0] == 0)
        var code = [UInt8](repeating: 0, count: 16)
        var out: [Float] = [0, 0]
        q.encode([1, 5], into: &code)
        q.decode(code, into: &out)
        #expect(out[0] == 1 && abs(out[1] - 5) <= q.maximumError(dimension: 1) * 1.0001)
        #expect(throws: VecError.self) { try SQ8Quantizer(dimension: 2, minimum: [0], scale: [1, 1]) }
        #expect(throws: VecError.self) { try SQ8Quantizer(dimension: 1, minimum: [.nan], scale: [1]) }
        #expect(throws: VecError.self) { try SQ8Quantizer(dimension: 1, minimum: [0], scale: [-1]) }
    }

    /// `SQ8Query` distances equal float distances between the query and the decoded vector.
    @Test(arguments: Metric.allCases)
    func queryDistancesMatchDecodedVectors(metric: Metric) throws {
        let d = 40, n = 64
        let raw = TestData.uniform(count: n, dimension: d, seed: 5)
        let stride = 48
        let data = try (0..<n).flatMap { try VectorPreparation.prepared(TestData.row(raw, $0, dimension: d), dimension: d, stride: stride, metric: metric) }
        let q = try data.withUnsafeBufferPointer { try SQ8Quantizer.train(rows: $0.baseAddress!, count: n, rowStride: stride, dimension: d) }
        let query = try VectorPreparation.prepared(TestData.uniform(count: 1, dimension: d, seed: 9), dimension: d, stride: stride, metric: metric)
        let sq = SQ8Query(quantizer: q, metric: metric)
        query.withUnsafeBufferPointer { sq.prepare($0.baseAddress!, quantizer: q) }
        var codes = [UInt8](repeating: 0, count: n * q.codeStride)
        var decoded = [Float](repeating: 0, count: stride)
        for r in 0..<n {
            codes.withUnsafeMutableBufferPointer { c in data.withUnsafeBufferPointer { q.encode($0.baseAddress! + r * stride, into: c.baseAddress! + r * q.codeStride) } }
            codes.withUnsafeBufferPointer { c in q.decode(c.baseAddress! + r * q.codeStride, into: &decoded) }
            let want = metric == .l2 ? Kernels.squaredL2(query, decoded, d) : 1 - Kernels.dot(query, decoded, d)
            let norm = codes.withUnsafeBufferPointer { q.decodedSquaredNorm($0.baseAddress! + r * q.codeStride) }
            let got = codes.withUnsafeBufferPointer { sq.distance($0.baseAddress! + r * q.codeStride, codeNorm: norm) }
            #expect(abs(got - want) <= 1e-4 * max(1, abs(want)), "row \(r): \(got) vs \(want)")
        }
        codes.withUnsafeBufferPointer { c in
            let p = c.baseAddress!, s = q.codeStride
            let four = sq.distance4(p, p + s, p + 2 * s, p + 3 * s, norms: SIMD4((0..<4).map { q.decodedSquaredNorm(p + $0 * s) }))
            for t in 0..<4 {
                #expect(abs(four[t] - sq.distance(p + t * s, codeNorm: q.decodedSquaredNorm(p + t * s))) <= 1e-4)
            }
        }
    }
}
