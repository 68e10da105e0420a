import Testing
import TestSupport
import VecCore

@Suite struct CRC32CTests {
    @Test func knownCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func incrementalEqualsWhole() {
        var rng = SplitMix64(seed: 7)
        let bytes = (0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let whole = CRC32C.checksum(bytes)
        for cut in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let a = bytes[..<cut].withUnsafeBytes { CRC32C.update(0, $0) }
            let ab = bytes[cut...].withUnsafeBytes { CRC32C.update(a, $0) }
            #expect(ab == whole, "split at \(cut)")
        }
    }

    @Test func detectsSingleBitFlip() {
        var bytes = [UInt8](repeating: 0x5A, count: 64)
        let before = CRC32C.checksum(bytes)
        bytes[33] ^= 0x10
        #expect(CRC32C.checksum(bytes) != before)
    }
}

