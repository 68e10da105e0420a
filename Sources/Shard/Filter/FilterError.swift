/// Why a filter expression was rejected, with the position of the offending character.
///
/// ``description`` is the message for users: what went wrong, the position, the expression, and a caret
/// under the position, e.g.
///
///     unexpected token ')' at 6: age > )
///                                      ^
public struct FilterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of problem, for callers that map errors to codes.
    public enum Kind: Sendable, Equatable {
        /// The text is not a well-formed expression (bad token, missing operand, unbalanced brackets…).
        case syntax
        /// An identifier names no field (and there is no dynamic field to fall back on).
        case unknownField
        /// Operands have types the operator cannot combine (e.g. `age > "x"`, `name + 1`).
        case typeMismatch
        /// Valid Milvus syntax that vecnode does not implement (e.g. `text_match`, bitwise operators).
        case unsupported
        /// The evaluated source lacks a column the expression needs, or holds it with another type.
        case sourceMismatch
    }

    public let kind: Kind
    /// What went wrong, without the position (e.g. `unexpected token ')'`).
    public let message: String
    /// 0-based offset, in Unicode scalars, of the offending character in ``expression``.
    public let position: Int
    /// The expression text as given.
    public let expression: String

    public init(_ kind: Kind, _ message: String, at position: Int, in expression: String) {
        self.kind = kind
        self.message = message
        self.position = position
        self.expression = expression
    }

    /// `"<message> at <position>: <expression>"` then a line with a caret under the position.
    public var description: String {
        let head = "\(message) at \(position): "
        let caretColumn = head.unicodeScalars.count + position
        return head + expression + "\n" + String(repeating: " ", count: caretColumn) + "^"
    }
}
