/// Failures of the process runtime itself (threads, signals): programming or system errors, each with a
/// message that says what to change.
public enum RuntimeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An argument outside its documented range.
    case invalidArgument(String)
    /// A system call failed; `errno` is its error number.
    case system(call: String, errno: Int32)

    public var description: String {
        switch self {
        case let .invalidArgument(message):
            return message
        case let .system(call, code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
