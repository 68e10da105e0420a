import Wire

/// Why a user operation was refused. Every case is the caller's fault; the message says what to change.
public enum UserError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The user name breaks Milvus's rule.
    case invalidName(String)
    /// The password is not 6…256 bytes.
    case invalidPassword
    case userExists(String)
    case userNotFound(String)
    /// The old password given to a password change is wrong.
    case wrongPassword(String)
    /// `root` cannot be dropped.
    case cannotDropRoot

    public var description: String {
        switch self {
        case .invalidName(let n):
            return "invalid user name '\(n)': 1…32 characters, a letter first, then letters, digits or underscores"
        case .invalidPassword: return "invalid password: it must be 6…256 bytes long"
        case .userExists(let n): return "user '\(n)' already exists"
        case .userNotFound(let n): return "user '\(n)' does not exist"
        case .wrongPassword(let n): return "the old password of user '\(n)' is not correct"
        case .cannotDropRoot: return "the root user cannot be dropped"
        }
    }
}

extension WireError.Code {
    public static let invalidUserName = WireError.Code(1070)
    public static let invalidPassword = WireError.Code(1071)
    public static let userExists = WireError.Code(1072)
    public static let userNotFound = WireError.Code(1073)
    public static let wrongPassword = WireError.Code(1074)
    public static let cannotDropRoot = WireError.Code(1075)
}

extension UserError: WireErrorConvertible {
    public var wireError: WireError {
        let code: WireError.Code
        switch self {
        case .invalidName: code = .invalidUserName
        case .invalidPassword: code = .invalidPassword
        case .userExists: code = .userExists
        case .userNotFound: code = .userNotFound
        case .wrongPassword: code = .wrongPassword
        case .cannotDropRoot: code = .cannotDropRoot
        }
        return WireError(code, description)
    }
}
