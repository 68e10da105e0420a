/// A value with a wire encoding: `encode(into:)` writes it, `init(from:)` reads it back. Decoding must
/// consume exactly what encoding wrote, and must throw (never trap) on any input.
public protocol WireCodable: Sendable {
    /// Appends this value's encoding.
    func encode(into writer: inout WireWriter)
    /// Reads a value; throws `WireDecodingError` on truncated or invalid input.
    init(from reader: inout WireReader) throws(WireDecodingError)
}

/// A message that travels as the body of a frame of kind `kind`.
public protocol WireMessage: WireCodable {
    /// The frame's message kind; unique across the protocol (see `MessageKind` for the ranges).
    static var kind: MessageKind { get }
}

/// A call: a request message and the type of its reply. A role defines one call with one small struct pair:
///
/// ```swift
/// struct GetSegment: WireRequest {
///     static let kind = MessageKind(0x0301)
///     typealias Response = SegmentInfo          // any WireCodable
///     var id: UInt64
///     func encode(into w: inout WireWriter) { w.writeUInt64(id) }
///     init(from r: inout WireReader) throws(WireDecodingError) { id = try r.readUInt64() }
/// }
/// ```
/// Serve it with `WireRouter.on(GetSegment.self) { request, context in ... }` and call it with
/// `client.call(GetSegment(id: 7))`.
public protocol WireRequest: WireMessage {
    associatedtype Response: WireCodable
    /// Which connection of a peer's pool carries the call: `.bulk` for calls whose request or reply may be
    /// large, so they never delay small calls (head-of-line blocking). Default `.interactive`.
    static var lane: WireLane { get }
}

extension WireRequest {
    public static var lane: WireLane { .interactive }
}

/// The connection class a call travels on. Each TCP peer keeps one connection per lane.
public enum WireLane: Int, Sendable, CaseIterable {
    /// Small, latency-sensitive calls.
    case interactive
    /// Calls that move large bodies (segment transfers, big batches).
    case bulk
}

/// An empty body, for calls with nothing to return.
public struct WireEmpty: WireCodable, Equatable {
    public init() {}
    public func encode(into writer: inout WireWriter) {}
    public init(from reader: inout WireReader) throws(WireDecodingError) {}
}

extension UInt8: WireCodable {
    public func encode(into w: inout WireWriter) { w.writeUInt8(self) }
    public init(from r: inout WireReader) throws(WireDecodingError) { self = try r.readUInt8() }
}
extension UInt16: WireCodable {
    public func encode(into w: inout WireWriter) { w.writeUInt16(self) }
    public init(from r: inout WireReader) throws(WireDecodingError) { self = try r.readUInt16() }
}
extension UInt32: WireCodable {
    public func encode(into w: inout WireWriter) { w.writeUInt32(self) }
    public init(from r: inout WireReader) throws(WireDecodingError) { self = try r.readUInt32() }
}
extension UInt64: WireCodable {
    public func encode(into w: inout WireWriter) { w.writeUInt64(self) }
    public init(from r: inout WireReader) throws(WireDecodingError) { self = try r.readUInt64() }
}
extension Int32: WireCodable {
    public func encode(into w: inout WireWriter) { w.writeInt32(self) }
    public init(from r: inout WireReader) throws(WireDecodingError) { self = try r.readInt32() }
}
extension Int64: WireCodable {
    public func encode(into w: inout WireWriter) { w.writeInt64(self) }
    public init(from r: inout WireReader) throws(WireDecodingError) { self = try r.readInt64() }
}
extension Float: WireCodable {
    public func encode(into w: inout WireWriter) { w.writeFloat(self) }
    public init(from r: inout WireReader) throws(WireDecodingError) { self = try r.readFloat() }
}
extension Double: WireCodable {
    public func encode(into w: inout WireWriter) { w.writeDouble(self) }
    public init(from r: inout WireReader) throws(WireDecodingError) { self = try r.readDouble() }
}
extension Bool: WireCodable {
    public func encode(into w: inout WireWriter) { w.writeBool(self) }
    public init(from r: inout WireReader) throws(WireDecodingError) { self = try r.readBool() }
}
extension String: WireCodable {
    public func encode(into w: inout WireWriter) { w.writeString(self) }
    public init(from r: inout WireReader) throws(WireDecodingError) { self = try r.readString() }
}
