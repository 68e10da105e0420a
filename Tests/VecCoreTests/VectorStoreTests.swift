import Testing
import VecCore

@Suite struct VectorStoreTests {
    @Test func strideIsPaddedAndZeroFilled() throws {
        let s = try VectorStore(dimension: 5)
        #expect(s.stride == 16)
        [Float](repeating: 2, count: 5).withUnsafeBufferPointer { _ = s.append($0) }
        #expect(s.vector(0) == [2, 2, 2, 2, 2])
        for i in 5..<16 { #expect(s.pointer(0)[i] == 0) }
        #expect(Int(bitPattern: s.pointer(0)) % 64 == 0)
    }

    @Test func growthKeepsContents() throws {
        let s = try VectorStore(dimension: 3)
        for i in 0..<1000 { [Float(i), 0, -Float(i)].withUnsafeBufferPointer { _ = s.append($0) } }
        #expect(s.count == 1000 && s.capacity >= 1000)
        #expect(s.vector(999) == [999, 0, -999] && s.vector(0) == [0, 0, 0])
    }

    @Test func preparationNormalisesForCosine() throws {
        let v = try VectorPreparation.prepared([3, 4], dimension: 2, stride: 16, metric: .cosine)
        #expect(abs(v[0] - 0.6) < 1e-6 && abs(v[1] - 0.8) < 1e-6 && v[2...].allSatisfy { $0 == 0 })
        #expect(try VectorPreparation.prepared([3, 4], dimension: 2, stride: 16, metric: .l2)[0] == 3)
        #expect(throws: VecError.self) { try VectorPreparation.prepared([3e30, 4e30], dimension: 2, stride: 16, metric: .l2) }
    }
}
