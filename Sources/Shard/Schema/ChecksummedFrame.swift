import VecCore

/// The envelope shared by the schema, index-spec and row-batch encodings:
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 4 | magic (ASCII, per format) |
/// | 4 | 2 | format version, u16 little-endian |
/// | 6 | n | body |
/// | 6 + n | 4 | CRC-32C of bytes 0 ..< 6 + n, u32 little-endian |
///
/// The checksum is verified before any field is parsed, so a flipped bit is reported as such rather than
/// as whatever field it happened to land in.
enum ChecksummedFrame {
    static let overhead = 10

    /// Starts a frame: magic and version written, body to follow.
    static func begin(magic: StaticString, version: UInt16, reservingCapacity n: Int = 64) -> ByteSink {
        var sink = ByteSink(reservingCapacity: n + overhead)
        precondition(magic.utf8CodeUnitCount == 4)
        magic.withUTF8Buffer { sink.bytes.append(contentsOf: $0) }
        sink.u16(version)
        return sink
    }

    /// Appends the checksum and returns the finished bytes.
    static func finish(_ sink: consuming ByteSink) -> [UInt8] {
        var sink = sink
        let crc = sink.bytes.withUnsafeBytes { CRC32C.checksum($0) }
        sink.u32(crc)
        return sink.bytes
    }

    /// Verifies size, checksum, magic and version; returns a source positioned at the body whose last
    /// four bytes (the checksum) are excluded, plus the version found.
    static func open(
        _ bytes: [UInt8], magic: StaticString, supportedVersions: ClosedRange<UInt16>, what: String
    ) throws(DecodeFailure) -> (ByteSource, UInt16) {
        guard bytes.count >= overhead else {
            throw DecodeFailure(reason: "\(what) is \(bytes.count) bytes, shorter than its \(overhead)-byte envelope")
        }
        let bodyEnd = bytes.count - 4
        let stored = UInt32(bytes[bodyEnd]) | UInt32(bytes[bodyEnd + 1]) << 8
            | UInt32(bytes[bodyEnd + 2]) << 16 | UInt32(bytes[bodyEnd + 3]) << 24
        let actual = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<bodyEnd])) }
        guard stored == actual else {
            throw DecodeFailure(reason: "\(what) checksum mismatch (stored \(hex(stored)), computed \(hex(actual)))")
        }
        let expected = magic.withUTF8Buffer { Array($0) }
        guard Array(bytes[0..<4]) == expected else {
            throw DecodeFailure(reason: "\(what) has the wrong magic bytes")
        }
        let version = UInt16(bytes[4]) | UInt16(bytes[5]) << 8
        guard supportedVersions.contains(version) else {
            throw DecodeFailure(reason: "\(what) format version \(version) is not supported (supported: \(supportedVersions.lowerBound)…\(supportedVersions.upperBound))")
        }
        return (ByteSource(Array(bytes[0..<bodyEnd]), position: 6), version)
    }

    private static func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
}
