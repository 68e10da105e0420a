import Foundation
import VecCore

/// Encoding and validation of the `ChannelLog` on-disk format (segment headers and record frames); the format
/// itself is documented on `ChannelLog`. Internal: only the log reads and writes these bytes.
enum LogFrame {
    static let segmentMagic: [UInt8] = Array("VNLOGSEG".utf8)
    static let segmentVersion: UInt16 = 1
    static let segmentHeaderSize = 32
    static let recordHeaderSize = 28
    /// The format's hard payload limit. Recovery never trusts a larger length, whatever the options say, so a
    /// corrupt length cannot cause a huge allocation or a long scan.
    static let maxPayloadBytes = 256 << 20

    /// The 32-byte header of a segment whose first record has position `firstLSN`.
    static func segmentHeader(firstLSN: UInt64) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: segmentHeaderSize)
        h.replaceSubrange(0..<8, with: segmentMagic)
        LittleEndian.store(segmentVersion, into: &h, at: 8)
        LittleEndian.store(firstLSN, into: &h, at: 16)
        let crc = h.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<24])) }
        LittleEndian.store(crc, into: &h, at: 24)
        return h
    }

    /// The first LSN recorded in a segment header, or why the header is invalid.
    static func parseSegmentHeader(_ raw: UnsafeRawBufferPointer) -> Result<UInt64, HeaderProblem> {
        guard raw.count >= segmentHeaderSize else {
            return .failure(HeaderProblem("file is \(raw.count) bytes, shorter than the \(segmentHeaderSize)-byte header"))
        }
        guard raw.prefix(8).elementsEqual(segmentMagic) else {
            return .failure(HeaderProblem("bad magic, not a vecnode log segment"))
        }
        let stored = LittleEndian.load(UInt32.self, raw, at: 24)
        guard stored == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<24])) else {
            return .failure(HeaderProblem("segment header checksum mismatch"))
        }
        let version = LittleEndian.load(UInt16.self, raw, at: 8)
        guard version == segmentVersion else {
            return .failure(HeaderProblem("segment format version \(version) is not supported (this build reads \(segmentVersion))"))
        }
        guard LittleEndian.load(UInt16.self, raw, at: 10) == 0, LittleEndian.load(UInt32.self, raw, at: 12) == 0,
            LittleEndian.load(UInt32.self, raw, at: 28) == 0
        else { return .failure(HeaderProblem("reserved segment header bytes are not zero")) }
        return .success(LittleEndian.load(UInt64.self, raw, at: 16))
    }

    struct HeaderProblem: Error { let reason: String; init(_ reason: String) { self.reason = reason } }

    /// Size of the frame for a payload of `payloadCount` bytes.
    @inline(__always)
    static func frameSize(payloadCount: Int) -> Int { recordHeaderSize + payloadCount }

    /// Appends one record frame to `buffer`.
    static func appendRecord(
        to buffer: inout [UInt8], kind: LogRecordKind, timestamp: UInt64, lsn: UInt64, payload: Data
    ) {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: recordHeaderSize))
        payload.withUnsafeBytes { buffer.append(contentsOf: $0) }
        buffer.withUnsafeMutableBytes { raw in
            let p = raw.baseAddress! + start
            p.storeBytes(of: UInt32(payload.count).littleEndian, toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: kind.rawValue, toByteOffset: 8, as: UInt8.self)
            p.storeBytes(of: timestamp.littleEndian, toByteOffset: 12, as: UInt64.self)
            p.storeBytes(of: lsn.littleEndian, toByteOffset: 20, as: UInt64.self)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(start: p + 4, count: recordHeaderSize - 4 + payload.count))
            p.storeBytes(of: crc.littleEndian, toByteOffset: 0, as: UInt32.self)
        }
    }

    /// The fields of a record header, unvalidated.
    struct RecordHeader {
        var crc: UInt32
        var length: Int
        var kindByte: UInt8
        var reservedZero: Bool
        var timestamp: UInt64
        var lsn: UInt64

        init(_ raw: UnsafeRawBufferPointer) {
            crc = LittleEndian.load(UInt32.self, raw, at: 0)
            length = Int(LittleEndian.load(UInt32.self, raw, at: 4))
            kindByte = raw[8]
            reservedZero = raw[9] == 0 && raw[10] == 0 && raw[11] == 0
            timestamp = LittleEndian.load(UInt64.self, raw, at: 12)
            lsn = LittleEndian.load(UInt64.self, raw, at: 20)
        }

        /// Why a record whose checksum matched is still invalid at `expectedLSN`, or `nil` if it is valid.
        func problem(expectedLSN: UInt64) -> String? {
            if LogRecordKind(rawValue: kindByte) == nil { return "unknown record kind \(kindByte)" }
            if !reservedZero { return "reserved record header bytes are not zero" }
            if lsn != expectedLSN { return "record has position \(lsn), expected \(expectedLSN)" }
            return nil
        }
    }

    /// Parses and verifies the complete frame in `raw` (exactly one frame) at `expectedLSN`.
    static func decodeRecord(_ raw: UnsafeRawBufferPointer, expectedLSN: UInt64) -> Result<LogRecord, HeaderProblem> {
        guard raw.count >= recordHeaderSize else { return .failure(HeaderProblem("record shorter than its header")) }
        let header = RecordHeader(raw)
        guard header.length == raw.count - recordHeaderSize else {
            return .failure(HeaderProblem("record length \(header.length) does not match its extent \(raw.count - recordHeaderSize)"))
        }
        guard header.crc == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[4...])) else {
            return .failure(HeaderProblem("record checksum mismatch"))
        }
        if let problem = header.problem(expectedLSN: expectedLSN) { return .failure(HeaderProblem(problem)) }
        return .success(
            LogRecord(
                position: LogPosition(header.lsn), kind: LogRecordKind(rawValue: header.kindByte)!,
                timestamp: header.timestamp, payload: Data(raw[recordHeaderSize...])))
    }

    /// The file name of the segment starting at `firstLSN`: 20 decimal digits and `.seg`.
    static func segmentFileName(firstLSN: UInt64) -> String {
        let digits = String(firstLSN)
        return String(repeating: "0", count: 20 - digits.count) + digits + ".seg"
    }

    /// The first LSN encoded in a segment file name, or `nil` if `name` is not a segment name.
    static func firstLSN(fromFileName name: String) -> UInt64? {
        guard name.utf8.count == 24, name.hasSuffix(".seg") else { return nil }
        let digits = name.prefix(20)
        guard digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return UInt64(digits)
    }
}
