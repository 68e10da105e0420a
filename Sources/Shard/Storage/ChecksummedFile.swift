#if canImport(Glibc)
import Glibc
#endif
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
        var out = header(for: payload)
        out.append(payload)
        return out
    }

    /// The 24-byte header that precedes `payload` in its envelope.
    static func header(for payload: Data) -> Data {
        var header = [UInt8](repeating: 0, count: headerSize)
        header.replaceSubrange(0..<4, with: magic)
        LittleEndian.store(UInt16(version), into: &header, at: 4)
        LittleEndian.store(UInt64(payload.count), into: &header, at: 8)
        let payloadCRC = payload.withUnsafeBytes { CRC32C.checksum($0) }
        LittleEndian.store(payloadCRC, into: &header, at: 16)
        let headerCRC = header.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<20])) }
        LittleEndian.store(headerCRC, into: &header, at: 20)
        return Data(header)
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
        guard raw.count >= headerSize else { throw shortFile(raw.count, source: source) }
        let storedCRC = try verifyHeader(
            UnsafeRawBufferPointer(rebasing: raw[0..<headerSize]), payloadBytes: raw.count - headerSize, source: source)
        let range = headerSize..<raw.count
        try verifyPayload(UnsafeRawBufferPointer(rebasing: raw[range]), storedCRC: storedCRC, source: source)
        return range
    }

    private static func shortFile(_ size: Int, source: String) -> StorageError {
        .corrupt(path: source, reason: "\(size) bytes is shorter than the \(headerSize)-byte header (truncated?)")
    }

    /// Checks a 24-byte header against the `payloadBytes` that follow it; returns the stored payload CRC.
    private static func verifyHeader(_ raw: UnsafeRawBufferPointer, payloadBytes: Int, source: String)
        throws(StorageError) -> UInt32
    {
        func corrupt(_ reason: String) -> StorageError { .corrupt(path: source, reason: reason) }
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
        guard length == UInt64(payloadBytes) else {
            throw corrupt("header says \(length) payload bytes but the file holds \(payloadBytes) (truncated or extended)")
        }
        return LittleEndian.load(UInt32.self, raw, at: 16)
    }

    private static func verifyPayload(_ payload: UnsafeRawBufferPointer, storedCRC: UInt32, source: String)
        throws(StorageError)
    {
        let crc = CRC32C.checksum(payload)
        guard storedCRC == crc else {
            throw .corrupt(path: source, reason: "payload checksum mismatch (stored \(hex(storedCRC)), computed \(hex(crc)))")
        }
    }

    /// Durably writes `payload` in an envelope to `path` (see `AtomicFile.write`). The payload is written as is,
    /// not copied into a combined buffer.
    ///
    /// - Throws: `StorageError.io`.
    public static func write(path: String, payload: Data) throws {
        do { try AtomicFile.writeParts(path: path, [header(for: payload), payload]) } catch { throw StorageError.io(error) }
    }

    /// Reads and verifies the envelope at `path`, returning its payload.
    ///
    /// - Parameter maxPayloadBytes: files whose size implies a larger payload are refused before any
    ///   allocation (`StorageError.tooLarge`).
    /// - Throws: `StorageError.notFound`, `.tooLarge`, `.corrupt` or `.io`.
    public static func read(path: String, maxPayloadBytes: Int = 1 << 30) throws -> Data {
        try readVerified(path: path, maxPayloadBytes: maxPayloadBytes)
    }

    /// `read` with its typed error: validates the header first, then reads the payload straight into the
    /// returned buffer (one allocation of exactly the payload size) and checks its CRC.
    static func readVerified(path: String, maxPayloadBytes: Int) throws(StorageError) -> Data {
        let fd: Int32
        do { fd = try FileIO.open(path, O_RDONLY) } catch {
            if error.code == ENOENT || error.code == ENOTDIR { throw .notFound(path: path) }
            throw .io(error)
        }
        defer { FileIO.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io(IOFailure(operation: "fstat", path: path, code: errno)) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw .notFound(path: path) }
        let size = Int(st.st_size)
        let limit = maxPayloadBytes + headerSize
        guard size <= limit else { throw .tooLarge(path: path, size: size, limit: limit) }
        guard size >= headerSize else { throw shortFile(size, source: path) }

        var header = [UInt8](repeating: 0, count: headerSize)
        var payload = Data(count: size - headerSize)
        var result: Result<Int, IOFailure> = .success(0)
        header.withUnsafeMutableBytes { b in
            result = Result { () throws(IOFailure) -> Int in try FileIO.pread(fd, into: b, at: 0, path: path) }
        }
        let headerRead: Int
        do { headerRead = try result.get() } catch { throw .io(error) }
        guard headerRead == headerSize else {
            throw .corrupt(path: path, reason: "file shrank while being read (\(headerRead) of \(size) bytes)")
        }
        var verified: Result<UInt32, StorageError> = .success(0)
        header.withUnsafeBytes { raw in
            verified = Result { () throws(StorageError) -> UInt32 in
                try verifyHeader(raw, payloadBytes: size - headerSize, source: path)
            }
        }
        let storedCRC = try verified.get()
        payload.withUnsafeMutableBytes { b in
            result = Result { () throws(IOFailure) -> Int in try FileIO.pread(fd, into: b, at: headerSize, path: path) }
        }
        let n: Int
        do { n = try result.get() } catch { throw .io(error) }
        guard n == payload.count else {
            throw .corrupt(path: path, reason: "file shrank while being read (\(headerSize + n) of \(size) bytes)")
        }
        let crc = payload.withUnsafeBytes { CRC32C.checksum($0) }
        guard crc == storedCRC else {
            throw .corrupt(path: path, reason: "payload checksum mismatch (stored \(hex(storedCRC)), computed \(hex(crc)))")
        }
        return payload
    }

    static func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
}
