import Wire

/// Wire error codes of the root coordinator (role codes start at 1000; docs/coordinator.md lists them).
extension WireError.Code {
    public static let invalidName = WireError.Code(1001)
    public static let invalidArgument = WireError.Code(1002)
    public static let invalidSchema = WireError.Code(1003)
    public static let databaseNotFound = WireError.Code(1010)
    public static let databaseExists = WireError.Code(1011)
    public static let databaseNotEmpty = WireError.Code(1012)
    public static let collectionNotFound = WireError.Code(1020)
    public static let collectionExists = WireError.Code(1021)
    public static let collectionHasAliases = WireError.Code(1022)
    public static let partitionNotFound = WireError.Code(1030)
    public static let partitionExists = WireError.Code(1031)
    public static let cannotDropDefaultPartition = WireError.Code(1032)
    public static let aliasNotFound = WireError.Code(1040)
    public static let aliasExists = WireError.Code(1041)
    public static let indexNotFound = WireError.Code(1050)
    public static let indexExists = WireError.Code(1051)
    public static let limitExceeded = WireError.Code(1060)
    /// Renew of a session that expired or was replaced: register again.
    public static let unknownSession = WireError.Code(1100)
    public static let invalidRegistration = WireError.Code(1101)
    /// A compare-and-set lost a race (retriable after re-reading).
    public static let metaRevisionMismatch = WireError.Code(1200)
    /// The meta store could not persist the change (disk full, I/O error); nothing was applied.
    public static let metaStoreFailure = WireError.Code(1201)
    /// The meta store's files are damaged.
    public static let metaStoreCorrupt = WireError.Code(1202)
}

extension CatalogError: WireErrorConvertible {
    public var wireError: WireError {
        let code: WireError.Code
        switch self {
        case .invalidName: code = .invalidName
        case .invalidArgument: code = .invalidArgument
        case .invalidSchema: code = .invalidSchema
        case .databaseNotFound: code = .databaseNotFound
        case .databaseExists: code = .databaseExists
        case .databaseNotEmpty: code = .databaseNotEmpty
        case .collectionNotFound: code = .collectionNotFound
        case .collectionExists: code = .collectionExists
        case .collectionHasAliases: code = .collectionHasAliases
        case .partitionNotFound: code = .partitionNotFound
        case .partitionExists: code = .partitionExists
        case .cannotDropDefaultPartition: code = .cannotDropDefaultPartition
        case .aliasNotFound: code = .aliasNotFound
        case .aliasExists: code = .aliasExists
        case .indexNotFound: code = .indexNotFound
        case .indexExists: code = .indexExists
        case .limitExceeded: code = .limitExceeded
        }
        return WireError(code, description)
    }
}

extension SessionError: WireErrorConvertible {
    public var wireError: WireError {
        switch self {
        case .unknownSession: return WireError(.unknownSession, description)
        case .invalidRegistration: return WireError(.invalidRegistration, description)
        }
    }
}

extension MetaStoreError: WireErrorConvertible {
    public var wireError: WireError {
        switch self {
        case .revisionMismatch: return WireError(.metaRevisionMismatch, retriable: true, description)
        case .invalidKey, .tooLarge: return WireError(.invalidArgument, description)
        case .corrupt: return WireError(.metaStoreCorrupt, description)
        case .log(let e) where e == .closed: return WireError(.shuttingDown, retriable: true, description)
        case .closed: return WireError(.shuttingDown, retriable: true, description)
        case .log, .storage: return WireError(.metaStoreFailure, description)
        }
    }
}
