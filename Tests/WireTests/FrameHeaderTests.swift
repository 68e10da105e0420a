import Testing
import VecCore

@testable import Wire

@Suite struct FrameHeaderTests {
    private func sealed(_ text: String = "hi", id: UInt64 = 42) -> [UInt8] {
        frame(Echo(text: text), id: id)
    }

    private func decode(_ bytes: [UInt8], limit: Int = 1 << 20) -> Result<FrameHeader, FrameError> {
        bytes.withUnsafeBytes { raw in Result { () throws(FrameError) in try FrameHeader.decode(raw, maxBodySize: limit) } }
    }

    /// Rewrites the header CRC after a test has edited bytes 0..<24.
    private func fixHeaderCRC(_ bytes: inout [UInt8]) {
        let crc = CRC32C.checksum(bytes[0..<24])
        withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { bytes[24 + i] = $0[i] } }
    }

    @Test func layoutMatchesTheDocumentedTable() {
        let bytes = sealed("hi", id: 0x0102_0304_0506_0708)
        #expect(Array(bytes[0..<4]) == Array("VNWF".utf8))
        #expect(bytes[4] == 1)
        #expect(bytes[5] == 0)
        #expect(Array(bytes[6..<8]) == [0x00, 0x01])
        #expect(Array(bytes[8..<16]) == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(Array(bytes[16..<20]) == [3, 0, 0, 0])
        #expect(Array(bytes[28...]) == [2, 0x68, 0x69])
        let bodyCRC = CRC32C.checksum(bytes[28...])
        #expect(Array(bytes[20..<24]) == withUnsafeBytes(of: bodyCRC.littleEndian) { Array($0) })
    }

    @Test func openReturnsHeaderAndBody() throws {
        let (header, reader) = try Frame.open(sealed("hello", id: 9), maxBodySize: 1024)
        #expect(header.kind == Echo.kind)
        #expect(header.requestID == 9)
        #expect(header.flags.isEmpty)
        var r = reader
        #expect(try Echo(from: &r).text == "hello")
    }

    @Test func badMagicIsRejected() {
        var bytes = sealed()
        bytes[0] = 0x47
        guard case .failure(.badMagic) = decode(bytes) else { Issue.record("accepted bad magic"); return }
    }

    @Test func otherVersionsAreRejected() {
        var bytes = sealed()
        bytes[4] = 2
        #expect(decode(bytes) == .failure(.unsupportedVersion(2)))
        #expect(FrameError.unsupportedVersion(2).wireError.code == .unsupportedVersion)
    }

    @Test func corruptHeaderFailsTheHeaderCRC() {
        for offset in [5, 6, 9, 16, 20, 25] {
            var bytes = sealed()
            bytes[offset] ^= 0x10
            #expect(decode(bytes) == .failure(.headerChecksumMismatch), "byte \(offset)")
        }
    }

    @Test func unknownFlagsAreRejected() {
        var bytes = sealed()
        bytes[5] = 0x80
        fixHeaderCRC(&bytes)
        #expect(decode(bytes) == .failure(.unknownFlags(0x80)))
    }

    @Test func lengthOverTheLimitIsRejectedFromTheHeaderAlone() {
        var bytes = Array(sealed()[0..<FrameHeader.size])
        withUnsafeBytes(of: UInt32.max.littleEndian) { for i in 0..<4 { bytes[16 + i] = $0[i] } }
        fixHeaderCRC(&bytes)
        guard case .failure(.tooLarge(let length, let limit, let id, _)) = decode(bytes, limit: 1 << 20) else {
            Issue.record("accepted a 4 GiB body"); return
        }
        #expect(length == UInt32.max && limit == 1 << 20 && id == 42)
    }

    @Test func inProcessFramesSkipOnlyTheBodyCRC() throws {
        var w = WireWriter()
        Echo(text: "in memory").encode(into: &w)
        let bytes = Frame.seal(w, kind: Echo.kind, requestID: 3, flags: [], checksumBody: false)
        #expect(Array(bytes[20..<24]) == [0, 0, 0, 0])
        var (header, reader) = try Frame.open(bytes, maxBodySize: 1024, verifyBody: false)
        #expect(header.requestID == 3)
        #expect(try Echo(from: &reader).text == "in memory")
        #expect(throws: FrameError.self) { try Frame.open(bytes, maxBodySize: 1024) }  // a TCP reader would refuse it
        #expect(throws: FrameError.self) { try Frame.open(Array(bytes.dropLast()), maxBodySize: 1024, verifyBody: false) }
        var corruptHeader = bytes
        corruptHeader[9] ^= 1
        #expect(throws: FrameError.headerChecksumMismatch) { try Frame.open(corruptHeader, maxBodySize: 1024, verifyBody: false) }
    }

    @Test func corruptBodyFailsTheBodyCRC() {
        var bytes = sealed("payload")
        bytes[30] ^= 1
        #expect(throws: FrameError.bodyChecksumMismatch(requestID: 42, kind: Echo.kind)) {
            try Frame.open(bytes, maxBodySize: 1024)
        }
        #expect(throws: FrameError.self) { try Frame.open(Array(sealed("payload").dropLast()), maxBodySize: 1024) }
        #expect(throws: FrameError.truncated(10)) { try Frame.open(Array(sealed()[0..<10]), maxBodySize: 1024) }
    }
}
