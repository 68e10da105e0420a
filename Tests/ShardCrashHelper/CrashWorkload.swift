import Foundation
import Shard

/// The deterministic workload of the log crash test, shared by the child process (which writes it) and the
/// test (which regenerates it to check what it reads back byte for byte).
///
/// Each record's payload starts with a 24-byte self-describing header — magic, round, writer, sequence number —
/// followed by bytes generated from those three values, so any record found in the log can be checked exactly
/// even if its acknowledgement was never printed.
public enum CrashWorkload {
    public static let magic: UInt32 = 0xC0FF_EE01
    public static let headerSize = 24

    /// Identity of one record in the workload.
    public struct Tag: Hashable, Sendable, CustomStringConvertible {
        public var round: UInt32
        public var writer: UInt32
        public var sequence: UInt64
        public init(round: UInt32, writer: UInt32, sequence: UInt64) {
            self.round = round
            self.writer = writer
            self.sequence = sequence
        }
        public var description: String { "round \(round) writer \(writer) seq \(sequence)" }
    }

    /// The kind, timestamp and payload of the record `tag`.
    public static func record(_ tag: Tag) -> (kind: LogRecordKind, timestamp: UInt64, payload: Data) {
        var rng = Generator(seed: UInt64(tag.round) << 40 ^ UInt64(tag.writer) << 32 ^ tag.sequence ^ 0x9E37_79B9)
        // Mostly small records; one in 16 is large (up to 40 KB) so records straddle segment rollovers.
        let roll = rng.next()
        let length = roll % 16 == 0 ? Int(rng.next() % 40_000) : Int(rng.next() % 600)
        var bytes = [UInt8](repeating: 0, count: headerSize + length)
        withUnsafeBytes(of: magic.littleEndian) { bytes.replaceSubrange(0..<4, with: $0) }
        withUnsafeBytes(of: tag.round.littleEndian) { bytes.replaceSubrange(4..<8, with: $0) }
        withUnsafeBytes(of: tag.writer.littleEndian) { bytes.replaceSubrange(8..<12, with: $0) }
        withUnsafeBytes(of: tag.sequence.littleEndian) { bytes.replaceSubrange(16..<24, with: $0) }
        var i = headerSize
        while i < bytes.count {
            var word = rng.next()
            for _ in 0..<8 where i < bytes.count {
                bytes[i] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                i += 1
            }
        }
        let kinds: [LogRecordKind] = [.insertBatch, .deleteBatch, .timeTick, .opaque, .user(5)]
        let kind = kinds[Int(tag.sequence % UInt64(kinds.count))]
        return (kind, UInt64(tag.round) << 32 | tag.sequence, Data(bytes))
    }

    /// The tag in a payload's header, or `nil` if the payload does not start with one.
    public static func tag(of payload: Data) -> Tag? {
        guard payload.count >= headerSize else { return nil }
        let b = [UInt8](payload.prefix(headerSize))
        func u32(_ at: Int) -> UInt32 { UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24 }
        guard u32(0) == magic else { return nil }
        let sequence = UInt64(u32(16)) | UInt64(u32(20)) << 32
        return Tag(round: u32(4), writer: u32(8), sequence: sequence)
    }

    /// SplitMix64.
    public struct Generator: RandomNumberGenerator {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476C_E5B9_E62D
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
