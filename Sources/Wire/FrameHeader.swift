import VecCore

/// The fixed 28-byte header in front of every frame on the wire. All integers are little-endian.
///
/// | offset | size | field | meaning |
/// | --- | --- | --- | --- |
/// | 0 | 4 | magic | `56 4E 57 46` ("VNWF"); anything else closes the connection |
/// | 4 | 1 | version | protocol version, currently 1; a different value gets an `unsupportedVersion` reply |
/// | 5 | 1 | flags | bit 0 response, bit 1 error (body is a `WireError`); other bits must be 0 |
/// | 6 | 2 | kind | `MessageKind` of the body (a response carries its request's kind) |
/// | 8 | 8 | request id | chosen by the caller, echoed in the response; unique among its calls in flight |
/// | 16 | 4 | body length | bytes after the header; checked against the frame size limit before allocating |
/// | 20 | 4 | body CRC | CRC-32C of the body |
/// | 24 | 4 | header CRC | CRC-32C of bytes 0..<24, so a corrupt length is caught before the body is read |
///
/// Validation order: magic, version, header CRC, flags, length — every later version keeps magic and
/// version in bytes 0…4 so an old node can always answer "unsupported version".
struct FrameHeader: Equatable, Sendable {
    /// Header size in bytes.
    static let size = 28
    /// "VNWF" read as a little-endian UInt32.
    static let magic: UInt32 = 0x4657_4E56
    /// The protocol version this build speaks.
    static let currentVersion: UInt8 = 1

    var version: UInt8
    var flags: FrameFlags
    var kind: MessageKind
    var requestID: UInt64
    var bodyLength: UInt32
    var bodyChecksum: UInt32

    init(
        version: UInt8 = FrameHeader.currentVersion, flags: FrameFlags, kind: MessageKind, requestID: UInt64,
        bodyLength: UInt32, bodyChecksum: UInt32
    ) {
        self.version = version
        self.flags = flags
        self.kind = kind
        self.requestID = requestID
        self.bodyLength = bodyLength
        self.bodyChecksum = bodyChecksum
    }

    /// Writes the header, including its CRC, into the first `size` bytes of `raw`.
    func encode(into raw: UnsafeMutableRawBufferPointer) {
        precondition(raw.count >= FrameHeader.size)
        raw.storeBytes(of: FrameHeader.magic.littleEndian, toByteOffset: 0, as: UInt32.self)
        raw.storeBytes(of: version, toByteOffset: 4, as: UInt8.self)
        raw.storeBytes(of: flags.rawValue, toByteOffset: 5, as: UInt8.self)
        raw.storeBytes(of: kind.rawValue.littleEndian, toByteOffset: 6, as: UInt16.self)
        raw.storeBytes(of: requestID.littleEndian, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: bodyLength.littleEndian, toByteOffset: 16, as: UInt32.self)
        raw.storeBytes(of: bodyChecksum.littleEndian, toByteOffset: 20, as: UInt32.self)
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<24]))
        raw.storeBytes(of: crc.littleEndian, toByteOffset: 24, as: UInt32.self)
    }

    /// Parses and validates a header from the first `size` bytes of `raw`.
    ///
    /// - Parameter maxBodySize: the frame size limit; a larger declared body throws `.tooLarge` before
    ///   anyone allocates for it.
    /// - Throws: `FrameError` naming the first check that failed.
    static func decode(_ raw: UnsafeRawBufferPointer, maxBodySize: Int) throws(FrameError) -> FrameHeader {
        guard raw.count >= size else { throw .truncated(raw.count) }
        let magic = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        guard magic == FrameHeader.magic else { throw .badMagic(magic) }
        let version = raw[4]
        guard version == currentVersion else { throw .unsupportedVersion(version) }
        let storedCRC = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<24])) == storedCRC else {
            throw .headerChecksumMismatch
        }
        let flags = FrameFlags(rawValue: raw[5])
        guard flags.subtracting(.known).isEmpty else { throw .unknownFlags(flags.rawValue) }
        let kind = MessageKind(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 6, as: UInt16.self)))
        let requestID = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let length = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        guard Int(length) <= maxBodySize else {
            throw .tooLarge(length: length, limit: maxBodySize, requestID: requestID, kind: kind)
        }
        let bodyCRC = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        return FrameHeader(
            version: version, flags: flags, kind: kind, requestID: requestID, bodyLength: length,
            bodyChecksum: bodyCRC)
    }

    /// Checks `body` against the header's length and CRC.
    func verifyBody(_ body: UnsafeRawBufferPointer) throws(FrameError) {
        guard body.count == Int(bodyLength), CRC32C.checksum(body) == bodyChecksum else {
            throw .bodyChecksumMismatch(requestID: requestID, kind: kind)
        }
    }
}

/// Bits of a frame header's flags byte.
struct FrameFlags: OptionSet, Sendable, Hashable {
    let rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The frame answers the request with the same id.
    static let response = FrameFlags(rawValue: 1)
    /// The body is a `WireError` (only with `response`).
    static let error = FrameFlags(rawValue: 2)
    /// Every flag version 1 defines.
    static let known: FrameFlags = [.response, .error]
}

/// Why a frame was rejected. The connection that produced any of them is answered with an error frame (when
/// possible) and closed. Only `tooLarge` and `bodyChecksumMismatch` come from a header that passed its CRC,
/// so only their error replies carry the request id; the others are answered with request id 0.
enum FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(Int)
    case badMagic(UInt32)
    case unsupportedVersion(UInt8)
    case headerChecksumMismatch
    case unknownFlags(UInt8)
    case tooLarge(length: UInt32, limit: Int, requestID: UInt64, kind: MessageKind)
    case bodyChecksumMismatch(requestID: UInt64, kind: MessageKind)

    var description: String {
        switch self {
        case .truncated(let n): return "frame header truncated after \(n) of \(FrameHeader.size) bytes"
        case .badMagic(let m):
            return "bad frame magic 0x\(String(m, radix: 16)) (peer is not speaking the vecnode wire protocol)"
        case .unsupportedVersion(let v):
            return "peer speaks wire protocol version \(v); this node speaks version \(FrameHeader.currentVersion)"
        case .headerChecksumMismatch: return "frame header CRC-32C mismatch (corrupt stream)"
        case .unknownFlags(let f): return "frame has unknown flag bits 0x\(String(f, radix: 16))"
        case .tooLarge(let length, let limit, _, let kind):
            return "frame body of \(length) bytes (\(kind)) exceeds the frame size limit of \(limit) bytes"
        case .bodyChecksumMismatch(_, let kind): return "frame body CRC-32C mismatch (\(kind))"
        }
    }

    /// The error reply sent to the peer before closing.
    var wireError: WireError {
        switch self {
        case .unsupportedVersion: return WireError(.unsupportedVersion, description)
        case .tooLarge: return WireError(.frameTooLarge, description)
        default: return WireError(.malformedFrame, description)
        }
    }

    /// The request id the error reply should carry (0 when the header cannot be trusted).
    var replyRequestID: UInt64 {
        switch self {
        case .tooLarge(_, _, let id, _), .bodyChecksumMismatch(let id, _): return id
        default: return 0
        }
    }
}

/// Sealing a writer's storage into frame bytes.
enum Frame {
    /// Fills the header room of `writer` and returns the complete frame (no body copy).
    ///
    /// Pass the writer as its last use: it is consumed, so its storage stays uniquely referenced and is
    /// sealed in place rather than copied.
    /// With `checksumBody: false` the body CRC field is left 0 (in-process frames only; see `InMemoryNetwork`).
    static func seal(
        _ writer: consuming WireWriter, kind: MessageKind, requestID: UInt64, flags: FrameFlags, checksumBody: Bool = true
    ) -> [UInt8] {
        var storage: [UInt8] = []
        swap(&storage, &writer.storage)
        #if DEBUG_WIRE_COPIES
        let before = storage.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        defer {
            let after = storage.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
            if before != after { print("Frame.seal copied a \(storage.count)-byte frame") }
        }
        #endif
        let bodyLength = storage.count - FrameHeader.size
        precondition(bodyLength <= Int(UInt32.max), "frame body over 4 GiB")
        storage.withUnsafeMutableBytes { raw in
            let crc = checksumBody ? CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[FrameHeader.size...])) : 0
            FrameHeader(
                flags: flags, kind: kind, requestID: requestID, bodyLength: UInt32(bodyLength), bodyChecksum: crc
            ).encode(into: raw)
        }
        return storage
    }

    /// An error reply frame carrying `error`.
    static func error(_ error: WireError, kind: MessageKind, requestID: UInt64, checksumBody: Bool = true) -> [UInt8] {
        var w = WireWriter(capacity: error.message.utf8.count + 8)
        error.encode(into: &w)
        return seal(w, kind: kind, requestID: requestID, flags: [.response, .error], checksumBody: checksumBody)
    }

    /// Parses a complete frame held in one array (the in-memory transport's path): validates the header
    /// exactly as the TCP reader does, and the body length and (with `verifyBody`) CRC, and returns the
    /// header and a reader over the body.
    static func open(_ frame: [UInt8], maxBodySize: Int, verifyBody: Bool = true) throws(FrameError) -> (FrameHeader, WireReader) {
        let parsed = frame.withUnsafeBytes { raw -> Result<FrameHeader, FrameError> in
            Result { () throws(FrameError) -> FrameHeader in
                let header = try FrameHeader.decode(raw, maxBodySize: maxBodySize)
                guard raw.count == FrameHeader.size + Int(header.bodyLength) else {
                    throw .bodyChecksumMismatch(requestID: header.requestID, kind: header.kind)
                }
                if verifyBody { try header.verifyBody(UnsafeRawBufferPointer(rebasing: raw[FrameHeader.size...])) }
                return header
            }
        }
        let header = try parsed.get()
        return (header, WireReader(storage: frame, start: FrameHeader.size))
    }
}
