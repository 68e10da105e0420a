/// The one error a wire call throws, and the body of an error reply frame.
///
/// A remote handler's failure travels back as an error frame whose body is this struct's encoding
/// (`code: UInt16`, `retriable: Bool`, `message: String`); the caller's `call` rethrows it unchanged.
/// Failures on the caller's side (deadline, cancellation, connection lost, peer unreachable) use the same
/// type, so a caller catches one error type and decides on `retriable`.
///
/// Codes below 1000 belong to the protocol (the statics on `Code`). Roles define their own codes from 1000 up
/// (`extension WireError.Code { static let collectionNotFound = Code(1001) }`) and either throw `WireError`
/// from handlers or make their error type conform to `WireErrorConvertible`.
public struct WireError: Error, Equatable, Sendable, CustomStringConvertible, WireCodable {
    /// A numeric error code, stable across versions.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public init(_ rawValue: UInt16) { self.rawValue = rawValue }

        /// The server has no handler for the request's message kind.
        public static let unknownKind = Code(1)
        /// A message body did not decode (truncated, invalid value, trailing bytes).
        public static let malformedMessage = Code(2)
        /// A frame failed validation (magic, header or body checksum, flags); the connection is closed.
        public static let malformedFrame = Code(3)
        /// The peer speaks a protocol version this node does not; the connection is closed.
        public static let unsupportedVersion = Code(4)
        /// A frame's declared body length exceeds the configured limit; the connection is closed.
        public static let frameTooLarge = Code(5)
        /// The handshake failed: wrong cluster secret or a protocol violation before authentication.
        public static let authenticationFailed = Code(6)
        /// The call's deadline passed before a reply arrived.
        public static let deadlineExceeded = Code(7)
        /// The calling task was cancelled.
        public static let cancelled = Code(8)
        /// The connection closed while the call was in flight.
        public static let connectionClosed = Code(9)
        /// The peer cannot be reached (connect failed, nothing listening, in reconnect backoff).
        public static let unavailable = Code(10)
        /// A handler failed with an error that has no wire code of its own.
        public static let handlerFailed = Code(11)
        /// The server or transport is shutting down.
        public static let shuttingDown = Code(12)
        /// A configuration value is invalid.
        public static let invalidConfiguration = Code(13)
        /// A request id was reused while the first request was still in flight.
        public static let duplicateRequest = Code(14)

        public var description: String {
            switch self {
            case .unknownKind: return "unknownKind"
            case .malformedMessage: return "malformedMessage"
            case .malformedFrame: return "malformedFrame"
            case .unsupportedVersion: return "unsupportedVersion"
            case .frameTooLarge: return "frameTooLarge"
            case .authenticationFailed: return "authenticationFailed"
            case .deadlineExceeded: return "deadlineExceeded"
            case .cancelled: return "cancelled"
            case .connectionClosed: return "connectionClosed"
            case .unavailable: return "unavailable"
            case .handlerFailed: return "handlerFailed"
            case .shuttingDown: return "shuttingDown"
            case .invalidConfiguration: return "invalidConfiguration"
            case .duplicateRequest: return "duplicateRequest"
            default: return "code \(rawValue)"
            }
        }
    }

    /// What went wrong, as a stable number.
    public var code: Code
    /// Whether the same call may succeed if retried (possibly on another connection or replica).
    public var retriable: Bool
    /// A human-readable explanation saying what to do.
    public var message: String

    public init(_ code: Code, retriable: Bool = false, _ message: String) {
        self.code = code
        self.retriable = retriable
        self.message = message
    }

    public var description: String {
        "\(code)\(retriable ? " (retriable)" : ""): \(message)"
    }

    /// Longest message accepted when decoding an error reply.
    static let maxMessageBytes = 64 * 1024

    public func encode(into w: inout WireWriter) {
        w.writeUInt16(code.rawValue)
        w.writeBool(retriable)
        w.writeString(message)
    }

    public init(from r: inout WireReader) throws(WireDecodingError) {
        code = Code(try r.readUInt16())
        retriable = try r.readBool()
        message = try r.readString(limit: WireError.maxMessageBytes)
    }
}

/// An error type that knows its wire representation. Handlers may throw such errors; the server replies
/// with `wireError` instead of the generic `handlerFailed`.
public protocol WireErrorConvertible: Error {
    var wireError: WireError { get }
}

extension WireError {
    /// Maps any error a handler threw to the reply sent to the caller.
    static func from(handlerError error: any Error) -> WireError {
        switch error {
        case let e as WireError: return e
        case let e as WireErrorConvertible: return e.wireError
        case let e as WireDecodingError: return WireError(.malformedMessage, "request body: \(e)")
        case is CancellationError: return WireError(.cancelled, "the handler was cancelled")
        default: return WireError(.handlerFailed, "handler failed: \(error)")
        }
    }
}
