import Shard
import Wire

// Calls served by the log node (kinds 0x0501…0x05FF; docs/cluster.md has the table). A channel is one
// shard's ordered, durable write stream, named by `ChannelName`. Positions are the channel's record
// numbers (`LogPosition`): dense, starting at 0, never reused, stable across restarts.

/// Longest channel name accepted.
let channelNameLimit = 255
/// Largest payload one append may carry (the channel log's record limit).
public let maxChannelPayloadBytes = 16 << 20
/// Most records one read returns.
public let maxChannelReadRecords = 65_536

/// The channel of shard `shard` of collection `collection`: `"c<collection>-s<shard>"`.
public struct ChannelName: Hashable, Sendable, CustomStringConvertible, WireCodable {
    public var collection: Int64
    public var shard: Int
    public init(collection: Int64, shard: Int) {
        self.collection = collection
        self.shard = shard
    }
    public var description: String { "c\(collection)-s\(shard)" }
    public func encode(into w: inout WireWriter) {
        w.writeInt64(collection)
        w.writeUInt32(UInt32(shard))
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        collection = try r.readInt64()
        let s = try r.readUInt32()
        guard s < 1024 else { throw .invalidValue("shard \(s) out of range (at most 1024 shards)") }
        shard = Int(s)
    }
}

/// Appends one record to a channel (creating the channel on first use) and replies once it is fsynced.
/// The log node keeps each channel's timestamps non-decreasing: the stored timestamp is
/// `max(timestamp, last stored)`, and the reply carries it.
public struct AppendToChannel: WireRequest, Equatable {
    public static let kind = MessageKind(0x0501)
    public static var lane: WireLane { .bulk }
    public typealias Response = AppendAck
    public var channel: ChannelName
    public var recordKind: LogRecordKind
    public var timestamp: UInt64
    public var payload: [UInt8]
    public init(channel: ChannelName, recordKind: LogRecordKind, timestamp: UInt64, payload: [UInt8]) {
        self.channel = channel
        self.recordKind = recordKind
        self.timestamp = timestamp
        self.payload = payload
    }
    public func encode(into w: inout WireWriter) {
        channel.encode(into: &w)
        w.writeUInt8(recordKind.rawValue)
        w.writeUInt64(timestamp)
        w.writeBytes(payload)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        channel = try ChannelName(from: &r)
        let k = try r.readUInt8()
        guard let kind = LogRecordKind(rawValue: k) else { throw .invalidValue("record kind \(k)") }
        recordKind = kind
        timestamp = try r.readUInt64()
        payload = try r.readBytes(limit: maxChannelPayloadBytes)
    }
}

/// Where an appended record landed and the timestamp it was stored with.
public struct AppendAck: WireCodable, Equatable {
    public var position: LogPosition
    public var timestamp: UInt64
    public init(position: LogPosition, timestamp: UInt64) {
        self.position = position
        self.timestamp = timestamp
    }
    public func encode(into w: inout WireWriter) {
        w.writeUInt64(position.rawValue)
        w.writeUInt64(timestamp)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        position = LogPosition(try r.readUInt64())
        timestamp = try r.readUInt64()
    }
}

/// Reads records at and after `from`, waiting up to `waitMilliseconds` (≤ 10 000) for the first one when
/// none is there yet (long poll). An unknown channel reads as empty. A position before the channel's first
/// retained record is an error (`WireError` code `.channelTruncated`): the reader must reload from the newest
/// flushed manifest.
public struct ReadChannel: WireRequest, Equatable {
    public static let kind = MessageKind(0x0502)
    public static var lane: WireLane { .bulk }
    public typealias Response = ChannelRecords
    public var channel: ChannelName
    public var from: LogPosition
    public var maxRecords: Int
    public var maxBytes: Int
    public var waitMilliseconds: Int
    public init(channel: ChannelName, from: LogPosition, maxRecords: Int = 4096, maxBytes: Int = 8 << 20,
                waitMilliseconds: Int = 0) {
        self.channel = channel
        self.from = from
        self.maxRecords = maxRecords
        self.maxBytes = maxBytes
        self.waitMilliseconds = waitMilliseconds
    }
    public func encode(into w: inout WireWriter) {
        channel.encode(into: &w)
        w.writeUInt64(from.rawValue)
        w.writeUInt32(UInt32(clamping: maxRecords))
        w.writeUInt32(UInt32(clamping: maxBytes))
        w.writeUInt32(UInt32(clamping: waitMilliseconds))
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        channel = try ChannelName(from: &r)
        from = LogPosition(try r.readUInt64())
        maxRecords = Int(try r.readUInt32())
        maxBytes = Int(try r.readUInt32())
        waitMilliseconds = Int(try r.readUInt32())
        guard (1...maxChannelReadRecords).contains(maxRecords) else { throw .invalidValue("maxRecords \(maxRecords) not in 1...\(maxChannelReadRecords)") }
        guard (1...(64 << 20)).contains(maxBytes) else { throw .invalidValue("maxBytes \(maxBytes) not in 1...\(64 << 20)") }
        guard waitMilliseconds <= 10_000 else { throw .invalidValue("waitMilliseconds \(waitMilliseconds) over 10000") }
    }
}

/// One record of a channel.
public struct ChannelRecord: WireCodable, Equatable {
    public var position: LogPosition
    public var recordKind: LogRecordKind
    public var timestamp: UInt64
    public var payload: [UInt8]
    public init(position: LogPosition, recordKind: LogRecordKind, timestamp: UInt64, payload: [UInt8]) {
        self.position = position
        self.recordKind = recordKind
        self.timestamp = timestamp
        self.payload = payload
    }
    public func encode(into w: inout WireWriter) {
        w.writeUInt64(position.rawValue)
        w.writeUInt8(recordKind.rawValue)
        w.writeUInt64(timestamp)
        w.writeBytes(payload)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        position = LogPosition(try r.readUInt64())
        let k = try r.readUInt8()
        guard let kind = LogRecordKind(rawValue: k) else { throw .invalidValue("record kind \(k)") }
        recordKind = kind
        timestamp = try r.readUInt64()
        payload = try r.readBytes(limit: maxChannelPayloadBytes)
    }
}

/// Records read, in position order, and the channel's end (the position the next append will get) at the
/// time of the read: a reader is caught up when it has applied everything below `end`.
public struct ChannelRecords: WireCodable, Equatable {
    public var records: [ChannelRecord]
    public var end: LogPosition
    public init(records: [ChannelRecord], end: LogPosition) {
        self.records = records
        self.end = end
    }
    public func encode(into w: inout WireWriter) {
        w.writeArray(records)
        w.writeUInt64(end.rawValue)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        records = try r.readArray(of: ChannelRecord.self, maxCount: maxChannelReadRecords)
        end = LogPosition(try r.readUInt64())
    }
}

/// The channel's first retained position, end position and last stored timestamp.
public struct DescribeChannel: WireRequest, Equatable {
    public static let kind = MessageKind(0x0503)
    public typealias Response = ChannelState
    public var channel: ChannelName
    public init(channel: ChannelName) { self.channel = channel }
    public func encode(into w: inout WireWriter) { channel.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { channel = try ChannelName(from: &r) }
}

public struct ChannelState: WireCodable, Equatable {
    public var first: LogPosition
    public var end: LogPosition
    public var lastTimestamp: UInt64
    public init(first: LogPosition, end: LogPosition, lastTimestamp: UInt64) {
        self.first = first
        self.end = end
        self.lastTimestamp = lastTimestamp
    }
    public func encode(into w: inout WireWriter) {
        w.writeUInt64(first.rawValue)
        w.writeUInt64(end.rawValue)
        w.writeUInt64(lastTimestamp)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        first = LogPosition(try r.readUInt64())
        end = LogPosition(try r.readUInt64())
        lastTimestamp = try r.readUInt64()
    }
}

/// Deletes a channel and its files (the collection was dropped). Idempotent.
public struct DropChannel: WireRequest, Equatable {
    public static let kind = MessageKind(0x0504)
    public typealias Response = WireEmpty
    public var channel: ChannelName
    public init(channel: ChannelName) { self.channel = channel }
    public func encode(into w: inout WireWriter) { channel.encode(into: &w) }
    public init(from r: inout WireReader) throws(WireDecodingError) { channel = try ChannelName(from: &r) }
}

/// Deletes the channel's records below `below` (whole log segments only; the reply's `first` says where the
/// channel now starts). Sent by the data coordinator once a flushed manifest covers them. Reads below the new
/// start fail with `WireError.Code.channelTruncated`: the reader reloads from the newest manifest.
public struct TruncateChannel: WireRequest, Equatable {
    public static let kind = MessageKind(0x0505)
    public typealias Response = ChannelState
    public var channel: ChannelName
    public var below: LogPosition
    public init(channel: ChannelName, below: LogPosition) {
        self.channel = channel
        self.below = below
    }
    public func encode(into w: inout WireWriter) {
        channel.encode(into: &w)
        w.writeUInt64(below.rawValue)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        channel = try ChannelName(from: &r)
        below = LogPosition(try r.readUInt64())
    }
}
