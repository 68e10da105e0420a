import Testing
import VecCore

@Suite struct Float16CodecTests {
    @Test func decodeMatchesScalarConversionForEveryLength() {
        for n in [0, 1, 7, 8, 9, 17, 384] {
            let values: [Float16] = (0..<n).map { Float16(Float($0) * 0.37 - 3) }
            let bits = values.map(\.bitPattern)
            var out = [Float](repeating: .nan, count: n)
            bits.withUnsafeBytes { src in
                out.withUnsafeMutableBufferPointer { Float16Codec.decode(src.baseAddress!, count: n, into: $0.baseAddress!) }
            }
            #expect(out == values.map { Float($0) }, "n=\(n)")
        }
    }

    @Test func encodeRoundTripsRepresentableValues() {
        let src: [Float] = [0, 1, -2.5, 65504, 0.099975586]
        var bytes = [UInt8](repeating: 0, count: src.count * 2)
        src.withUnsafeBufferPointer { s in bytes.withUnsafeMutableBytes { Float16Codec.encode(s.baseAddress!, count: src.count, into: $0.baseAddress!) } }
        var back = [Float](repeating: 0, count: src.count)
        bytes.withUnsafeBytes { b in back.withUnsafeMutableBufferPointer { Float16Codec.decode(b.baseAddress!, count: src.count, into: $0.baseAddress!) } }
        #expect(back == src)
    }
}
