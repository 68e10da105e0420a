import Foundation
import Testing

@testable import Shard

@Suite struct ChecksummedFileTests {
    @Test func roundTripsThroughDisk() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("envelope")
        defer { StorageTestSupport.remove(dir) }
        for size in [0, 1, 23, 4096, 100_003] {
            let payload = StorageTestSupport.bytes(count: size, seed: UInt64(size))
            let path = dir + "/snap-\(size)"
            try ChecksummedFile.write(path: path, payload: payload)
            #expect(try ChecksummedFile.read(path: path) == payload)
            #expect(StorageTestSupport.readFile(path).count == ChecksummedFile.headerSize + size)
        }
        #expect(throws: StorageError.notFound(path: dir + "/absent")) { try ChecksummedFile.read(path: dir + "/absent") }
        #expect(throws: StorageError.tooLarge(path: dir + "/snap-4096", size: 4120, limit: 124)) {
            try ChecksummedFile.read(path: dir + "/snap-4096", maxPayloadBytes: 100)
        }
    }

    /// Every single-byte flip and every truncation or extension is reported as corruption (CRC-32C detects all
    /// bursts up to 32 bits, and the length is checked exactly).
    @Test func everyFlipAndTruncationIsDetected() throws {
        let payload = StorageTestSupport.bytes(count: 300, seed: 42)
        let good = [UInt8](ChecksummedFile.encode(payload))
        #expect(try ChecksummedFile.decode(Data(good), source: "x") == payload)
        for offset in 0..<good.count {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var bad = good
                bad[offset] ^= mask
                #expect(throws: StorageError.self, "flip at \(offset)") { try ChecksummedFile.decode(Data(bad), source: "x") }
            }
        }
        for length in 0..<good.count {
            #expect(throws: StorageError.self, "truncated to \(length)") {
                try ChecksummedFile.decode(Data(good.prefix(length)), source: "x")
            }
        }
        #expect(throws: StorageError.self) { try ChecksummedFile.decode(Data(good + [0]), source: "x") }
        do {
            _ = try ChecksummedFile.decode(Data(good.prefix(10)), source: "snapshot.bin")
        } catch {
            #expect("\(error)".contains("snapshot.bin") && "\(error)".contains("shorter than the 24-byte header"))
        }
    }

    /// The same through files: `read(path:)` validates the header before reading the payload.
    @Test func damagedFilesAreReportedAsCorrupt() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("envelope-rot", memoryBacked: true)
        defer { StorageTestSupport.remove(dir) }
        let path = dir + "/meta"
        let payload = StorageTestSupport.bytes(count: 100, seed: 9)
        try ChecksummedFile.write(path: path, payload: payload)
        let good = StorageTestSupport.readFile(path)
        var undetected: [String] = []
        for offset in 0..<good.count {
            var bad = good
            bad[offset] ^= 0x08
            StorageTestSupport.writeFile(path, bad)
            do { _ = try ChecksummedFile.read(path: path); undetected.append("flip at \(offset)") } catch let error as StorageError {
                if case .corrupt(path, _) = error {} else { undetected.append("flip at \(offset): \(error)") }
            }
        }
        for length in 0..<good.count {
            StorageTestSupport.writeFile(path, Array(good.prefix(length)))
            do { _ = try ChecksummedFile.read(path: path); undetected.append("cut to \(length)") } catch let error as StorageError {
                if case .corrupt(path, _) = error {} else { undetected.append("cut to \(length): \(error)") }
            }
        }
        #expect(undetected.isEmpty, "\(undetected.prefix(5))")
        StorageTestSupport.writeFile(path, good)
        #expect(try ChecksummedFile.read(path: path) == payload)
    }

    @Test func atomicWriteReplacesWholeFileAndLeavesNoTemporaries() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("atomic")
        defer { StorageTestSupport.remove(dir) }
        let path = dir + "/meta"
        try AtomicFile.write(path: path, data: Data(repeating: 1, count: 5000))
        try AtomicFile.write(path: path, data: Data([2, 3]))
        #expect(StorageTestSupport.readFile(path) == [2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["meta"])
        #expect(throws: StorageError.self) { try AtomicFile.write(path: dir + "/missing-dir/x", data: Data()) }
    }
}
