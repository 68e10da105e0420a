import Foundation
import VecCore

/// A checksummed envelope around a payload, for snapshots, metadata and object-store objects: reading verifies
/// the magic, version, exact length and CRC-32C, so a damaged or truncated file is reported, never returned.
///
/// On-disk format (little-endian):
///
/// | offset | size | field                                         |
/// |--------|------|-----------------------------------------------|
/// | 0      | 4    | magic `"VNCF"` (0x56 0x4E 0x43 0x46)          |
/// | 4      | 2    | format version, currently 1                   |
/// | 6      | 2    | reserved, 0                                   |
/// | 8      | 8    | payload length `n` in bytes                   |
/// | 16     | 4    | CRC-32C of the payload                        |
/// | 20     | 4    | CRC-32C of bytes 0..<20 (the header)          |
/// | 24     | n    | payload                                       |
///
/// The file is exactly `24 + n` bytes; trailing bytes are corruption. The header has its own checksum so a
/// damaged length is reported as such instead of as a confusing size mismatch.
public enum ChecksummedFile {
    /// Size of the envelope header in bytes.
    public static let headerSize = 24
    /// The current (and only) format version.
    public static let version: UInt16 = 1
    static let magic: [UInt8] = Array("VNCF".utf8)

    /// The envelope bytes (header + payload) for `payload`.
    public static func encode(_ payload: Data) -> Data {
        var header = [UInt8](repeating: 0, count: headerSize)
        header.replaceSubrange(0..<4, with: magic)
        LittleEndian.store(UInt16(version), into: &header, at: 4)
        LittleEndian.store(UInt64(payload.count), into: &header, at: 8)
        let payloadCRC = payload.withUnsafeBytes { CRC32C.checksum($0) }
        LittleEndian.store(payloadCRC, into: &header, at: 16)
        let headerCRC = header.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<20])) }
        LittleEndian.store(headerCRC, into: &header, at: 20)
        var out = Data(capacity: headerSize + payload.count)
        out.append(contentsOf: header)
        out.append(payload)
        return out
    }

    /// Verifies an envelope and returns its payload.
    ///
    /// - Parameter source: the file path or object name, used in error messages.
    /// - Throws: `StorageError.corrupt` saying which check failed.
    public static func decode(_ bytes: Data, source: String) throws -> Data {
        try bytes.withUnsafeBytes { raw in
            let range = try payloadRange(raw, source: source)
            return Data(raw[range])
        }
    }

    /// Validates the envelope in `raw` and returns the payload's byte range within it.
    static func payloadRange(_ raw: UnsafeRawBufferPointer, source: String) throws(StorageError) -> Range<Int> {
        func corrupt(_ reason: String) -> StorageError { .corrupt(path: source, reason: reason) }
        guard raw.count >= headerSize else {
            throw corrupt("\(raw.count) bytes is shorter than the \(headerSize)-byte header (truncated?)")
        }
        guard raw.prefix(4).elementsEqual(magic) else { throw corrupt("bad magic, not a vecnode checksummed file") }
        let storedHeaderCRC = LittleEndian.load(UInt32.self, raw, at: 20)
        let headerCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<20]))
        guard storedHeaderCRC == headerCRC else {
            throw corrupt("header checksum mismatch (stored \(hex(storedHeaderCRC)), computed \(hex(headerCRC)))")
        }
        let fileVersion = LittleEndian.load(UInt16.self, raw, at: 4)
        guard fileVersion == version else {
            throw corrupt("format version \(fileVersion) is not supported (this build reads version \(version))")
        }
        guard LittleEndian.load(UInt16.self, raw, at: 6) == 0 else { throw corrupt("reserved header bytes are not zero") }
        let length = LittleEndian.load(UInt64.self, raw, at: 8)
        let available = UInt64(raw.count - headerSize)
        guard length == available else {
            throw corrupt("header says \(length) payload bytes but the file holds \(available) (truncated or extended)")
        }
        let range = headerSize..<raw.count
        let storedCRC = LittleEndian.load(UInt32.self, raw, at: 16)
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[range]))
        guard storedCRC == crc else {
            throw corrupt("payload checksum mismatch (stored \(hex(storedCRC)), computed \(hex(crc)))")
        }
        return range
    }

    /// Durably writes `payload` in an envelope to `path` (see `AtomicFile.write`).
    ///
    /// - Throws: `StorageError.io`.
    public static func write(path: String, payload: Data) throws {
        try AtomicFile.write(path: path, data: encode(payload))
    }

    /// Reads and verifies the envelope at `path`, returning its payload.
    ///
    /// - Parameter maxPayloadBytes: files whose size implies a larger payload are refused before any
    ///   allocation (`StorageError.tooLarge`).
    /// - Throws: `StorageError.notFound`, `.tooLarge`, `.corrupt` or `.io`.
    public static func read(path: String, maxPayloadBytes: Int = 1 << 30) throws -> Data {
        let outcome: FileIO.ReadOutcome
        do { outcome = try FileIO.readFile(path, maxBytes: maxPayloadBytes + headerSize) } catch {
            throw StorageError.io(error)
        }
        switch outcome {
        case .missing: throw StorageError.notFound(path: path)
        case .tooLarge(let size): throw StorageError.tooLarge(path: path, size: size, limit: maxPayloadBytes + headerSize)
        case .bytes(let bytes):
            return try bytes.withUnsafeBytes { raw in
                let range = try payloadRange(raw, source: path)
                return Data(raw[range])
            }
        }
    }

    static func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
}
