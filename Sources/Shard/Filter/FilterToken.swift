/// One lexical token of a filter expression, with the offset (in Unicode scalars) where it starts.
struct FilterToken: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        /// An integer literal's magnitude; the parser applies a preceding unary minus, which lets
        /// `-9223372036854775808` be written.
        case integer(UInt64)
        case float(Double)
        case string(String)
        case bool(Bool)
        /// `{name}`: a template parameter, replaced by a value from `exprParams`.
        case template(String)
        case keyword(Keyword)
        case symbol(Symbol)
        case end
    }

    /// Words with meaning to the grammar; like Milvus, accepted in all-lower or all-upper case.
    enum Keyword: String, CaseIterable {
        case and, or, not, `in`, like, `is`, null, exists
    }

    enum Symbol: String, CaseIterable {
        case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", comma = ","
        case plus = "+", minus = "-", star = "*", slash = "/", percent = "%", power = "**"
        case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
        case andAnd = "&&", orOr = "||", bang = "!"
        // Recognised only to report them as unsupported rather than as garbage.
        case ampersand = "&", pipe = "|", caret = "^", tilde = "~", shl = "<<", shr = ">>", regexMatch = "=~", regexNotMatch = "!~"
        case lbrace = "{", rbrace = "}", assign = "="
    }

    var kind: Kind
    var position: Int

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case .identifier(let s): "'\(s)'"
        case .integer(let v): "'\(v)'"
        case .float(let v): "'\(v)'"
        case .string(let s): "string \"\(s)\""
        case .bool(let b): "'\(b)'"
        case .template(let name): "'{\(name)}'"
        case .keyword(let k): "'\(k.rawValue)'"
        case .symbol(let s): "'\(s.rawValue)'"
        case .end: "end of expression"
        }
    }
}
