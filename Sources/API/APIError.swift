/// A failure answered to an API client: Milvus's numeric error code and a message.
///
/// The Milvus routes send it as `{"code": code, "message": message}` with HTTP 200 (as Milvus does); the
/// seed routes map it to an HTTP status (see ``httpStatusCode``). Backends throw it to choose the code;
/// any other error a backend throws is answered as 65535 with its description.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Milvus's `merr` code (0 is success and never used here).
    public let code: Int
    public let message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "error \(code): \(message)" }

    /// Milvus's codes (`pkg/util/merr/errors.go`, `handler_v2.go`) used by vecnode.
    public enum Code {
        public static let serviceNotReady = 1
        public static let serviceUnavailable = 2
        public static let collectionNotFound = 100
        public static let collectionNotLoaded = 101
        public static let illegalSchema = 105
        public static let partitionNotFound = 202
        public static let replicaNotFound = 400
        public static let indexNotFound = 700
        public static let indexDuplicate = 702
        public static let databaseNotFound = 800
        public static let invalidParameter = 1100
        public static let parameterTooLarge = 1102
        public static let aliasNotFound = 1600
        public static let aliasAlreadyExists = 1602
        public static let fieldNotFound = 1700
        public static let notAuthenticated = 1800
        public static let malformedRequest = 1801
        public static let missingParameter = 1802
        public static let insertDataInvalid = 1804
        public static let unexpected = 65535
    }

    /// 100 `collection not found[collection=name]`, Milvus's wording.
    public static func collectionNotFound(_ name: String) -> APIError {
        APIError(code: Code.collectionNotFound, message: "collection not found[collection=\(name)]")
    }
    /// 101 `collection not loaded[collection=name]`.
    public static func collectionNotLoaded(_ name: String) -> APIError {
        APIError(code: Code.collectionNotLoaded, message: "collection not loaded[collection=\(name)]")
    }
    /// 202 `partition not found[partition=name]`.
    public static func partitionNotFound(_ name: String) -> APIError {
        APIError(code: Code.partitionNotFound, message: "partition not found[partition=\(name)]")
    }
    /// 700 `index not found[indexName=name]`.
    public static func indexNotFound(_ name: String) -> APIError {
        APIError(code: Code.indexNotFound, message: "index not found[indexName=\(name)]")
    }
    /// 1600 `alias not found[alias=name]`.
    public static func aliasNotFound(_ name: String) -> APIError {
        APIError(code: Code.aliasNotFound, message: "alias not found[alias=\(name)]")
    }
    /// 1100 `invalid parameter[…]` with the reason.
    public static func invalidParameter(_ reason: String) -> APIError {
        APIError(code: Code.invalidParameter, message: "invalid parameter[\(reason)]")
    }
    /// 1802, as Milvus's JSON binding reports a missing required field.
    public static func missingParameter(_ name: String) -> APIError {
        APIError(code: Code.missingParameter, message: "missing required parameters, error: Key: '\(name)' Error:Field validation for '\(name)' failed on the 'required' tag")
    }
    /// 1801, as Milvus answers a body that is not a JSON object.
    public static func malformedRequest(_ reason: String) -> APIError {
        APIError(code: Code.malformedRequest, message: "can only accept json format request, error: \(reason)")
    }
    /// 1800 `user hasn't authenticated`.
    public static let notAuthenticated = APIError(code: Code.notAuthenticated, message: "user hasn't authenticated")

    /// The HTTP status the seed routes use for this error (the Milvus routes always answer 200).
    public var httpStatusCode: Int {
        switch code {
        case Code.notAuthenticated: 401
        case Code.collectionNotFound, Code.partitionNotFound, Code.indexNotFound, Code.aliasNotFound,
            Code.databaseNotFound, Code.fieldNotFound: 404
        case Code.serviceNotReady, Code.serviceUnavailable, Code.collectionNotLoaded: 503
        case Code.unexpected: 500
        default: 400
        }
    }
}
