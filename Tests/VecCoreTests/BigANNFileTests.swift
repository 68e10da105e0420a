import Foundation
import Testing
import VecCore

@Suite struct BigANNFileTests {
    func tempPath(_ name: String) -> String {
        NSTemporaryDirectory() + "vecnode-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-" + name
    }

    @Test func vectorsAndIDsRoundTrip() throws {
        let p = tempPath("v.fbin"), q = tempPath("i.ibin")
        defer { unlink(p); unlink(q) }
        let values: [Float] = (0..<15).map { Float($0) / 3 }
        try BigANNFile.writeVectors(p, rows: 5, columns: 3, values: values)
        let m = try BigANNFile.readVectors(p)
        #expect(m.rows == 5 && m.columns == 3 && m.values == values)
        let limited = try BigANNFile.readVectors(p, limit: 2)
        #expect(limited.rows == 2 && limited.values == Array(values.prefix(6)))
        try BigANNFile.writeIDs(q, rows: 2, columns: 2, values: [1, 2, 3, -4])
        #expect(try BigANNFile.readIDs(q).values == [1, 2, 3, -4])
    }

    @Test func float16FileDecodes() throws {
        let p = tempPath("h.f16bin")
        defer { unlink(p) }
        var bytes: [UInt8] = []
        for v: UInt32 in [2, 2] { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        for h: Float16 in [1, -2, 0.5, 3] { withUnsafeBytes(of: h.bitPattern.littleEndian) { bytes += $0 } }
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        let m = try BigANNFile.readVectors(p)
        #expect(m.values == [1, -2, 0.5, 3])
    }

    @Test func truncatedAndOversizedFilesAreRejected() throws {
        let p = tempPath("t.fbin")
        defer { unlink(p) }
        try BigANNFile.writeVectors(p, rows: 4, columns: 4, values: [Float](repeating: 1, count: 16))
        let full = try Data(contentsOf: URL(fileURLWithPath: p))
        for cut in [0, 4, 7, 8, 20, full.count - 1] {
            try full.prefix(cut).write(to: URL(fileURLWithPath: p))
            #expect(throws: VecError.self, "cut at \(cut)") { try BigANNFile.readVectors(p) }
        }
        try (full + Data([0])).write(to: URL(fileURLWithPath: p))
        #expect(throws: VecError.self) { try BigANNFile.readVectors(p) }
        // A header claiming an absurd dimension must not allocate.
        var bad = full
        bad.replaceSubrange(4..<8, with: [0xFF, 0xFF, 0xFF, 0x7F])
        try bad.write(to: URL(fileURLWithPath: p))
        #expect(throws: VecError.self) { try BigANNFile.readVectors(p) }
    }

    @Test func missingFileAndBadExtension() {
        #expect(throws: VecError.self) { try BigANNFile.readVectors("/nonexistent/x.fbin") }
        #expect(throws: VecError.self) { try BigANNFile.readVectors("/tmp/x.csv") }
    }
}
