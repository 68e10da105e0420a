/// Recursive-descent parser from tokens to ``FilterSyntax``.
///
/// Precedence, lowest first: `or`/`||`; `and`/`&&`; prefix `not`/`!`; comparisons (`== != < <= > >=`,
/// two `<`/`<=` or two `>`/`>=` may chain: `1 < x <= 5`), `in`/`not in`, `like`, `is [not] null`;
/// `+ -`; `* / %`; prefix `-`/`+`; `**` (right-associative); postfix `[key]`; primaries.
///
/// Unlike Milvus's ANTLR grammar, where `not` binds tighter than comparisons, `not age > 5` here means
/// `not (age > 5)` (as in SQL); for every expression Milvus accepts with a boolean operand the two readings
/// agree.
struct FilterParser {
    private var tokens: [FilterToken]
    private var index = 0
    private let text: String
    /// Values of template parameters (`{name}`), as Milvus's `exprParams`.
    private let parameters: [String: FieldValue]
    /// Deepest nesting of brackets and prefix operators accepted (bounds recursion on hostile input).
    static let maxDepth = 200
    private var depth = 0

    /// Longest expression accepted, in Unicode scalars (room for an `in` list of ~200k ids).
    static let maxLength = 4 << 20

    static func parse(_ text: String, parameters: [String: FieldValue] = [:]) throws(FilterError) -> FilterSyntax {
        guard text.unicodeScalars.count <= maxLength else {
            throw FilterError(.syntax, "expression longer than \(maxLength) characters", at: maxLength, in: String(text.prefix(64)) + "…")
        }
        var p = FilterParser(tokens: try FilterLexer.tokenize(text), text: text, parameters: parameters)
        if case .end = p.current.kind { throw p.error("empty expression", at: p.current) }
        let e = try p.parseOr()
        guard case .end = p.current.kind else { throw p.unexpected() }
        return e
    }

    private init(tokens: [FilterToken], text: String, parameters: [String: FieldValue]) {
        self.tokens = tokens
        self.text = text
        self.parameters = parameters
    }

    /// The literal (or list of literals) a template parameter stands for.
    private func substitute(_ name: String, at token: FilterToken) throws(FilterError) -> FilterSyntax {
        guard let value = parameters[name] else {
            throw error("template parameter {\(name)} has no value in exprParams", at: token)
        }
        func literal(_ v: FieldValue) throws(FilterError) -> FilterSyntax {
            switch v {
            case .int(let i): return .literal(.int(i), at: token.position)
            case .double(let d) where d.isFinite: return .literal(.float(d), at: token.position)
            case .string(let s): return .literal(.string(s), at: token.position)
            case .bool(let b): return .literal(.bool(b), at: token.position)
            default:
                throw FilterError(.typeMismatch, "template parameter {\(name)} must be a number, string, bool or a list of them, not \(v.kindName)", at: token.position, in: text)
            }
        }
        if case .array(let items) = value {
            var list: [FilterSyntax] = []
            for item in items { list.append(try literal(item)) }
            return .list(list, at: token.position)
        }
        return try literal(value)
    }

    private var current: FilterToken { tokens[index] }
    private mutating func advance() -> FilterToken {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    private func error(_ message: String, at token: FilterToken) -> FilterError {
        FilterError(.syntax, message, at: token.position, in: text)
    }
    private func unexpected(_ expecting: String? = nil) -> FilterError {
        let what = current.kind == .end ? "unexpected end of expression" : "unexpected token \(current.display)"
        return FilterError(.syntax, expecting.map { "\(what), expected \($0)" } ?? what, at: current.position, in: text)
    }

    private func isSymbol(_ s: FilterToken.Symbol) -> Bool { current.kind == .symbol(s) }
    private func isKeyword(_ k: FilterToken.Keyword) -> Bool { current.kind == .keyword(k) }
    private mutating func expect(_ s: FilterToken.Symbol, _ what: String) throws(FilterError) {
        guard isSymbol(s) else { throw unexpected(what) }
        _ = advance()
    }

    private mutating func nest() throws(FilterError) {
        depth += 1
        guard depth <= FilterParser.maxDepth else {
            throw error("expression nested deeper than \(FilterParser.maxDepth) levels", at: current)
        }
    }

    mutating func parseOr() throws(FilterError) -> FilterSyntax {
        var terms = [try parseAnd()]
        while isKeyword(.or) || isSymbol(.orOr) {
            _ = advance()
            terms.append(try parseAnd())
        }
        return FilterParser.balanced(terms[...]) { .or($0, $1) }
    }

    mutating func parseAnd() throws(FilterError) -> FilterSyntax {
        var terms = [try parseNot()]
        while isKeyword(.and) || isSymbol(.andAnd) {
            _ = advance()
            terms.append(try parseNot())
        }
        return FilterParser.balanced(terms[...]) { .and($0, $1) }
    }

    /// `and`/`or` are associative (also in three-valued logic), so a chain of n terms becomes a balanced
    /// tree of depth log₂ n: `id == 1 or id == 2 or …` with thousands of terms cannot exhaust the stack of
    /// the checker or the evaluator.
    static func balanced(_ terms: ArraySlice<FilterSyntax>, _ make: (FilterSyntax, FilterSyntax) -> FilterSyntax) -> FilterSyntax {
        if terms.count == 1 { return terms.first! }
        let mid = terms.startIndex + terms.count / 2
        return make(balanced(terms[..<mid], make), balanced(terms[mid...], make))
    }

    mutating func parseNot() throws(FilterError) -> FilterSyntax {
        if isKeyword(.not) || isSymbol(.bang) {
            let t = advance()
            try nest()
            defer { depth -= 1 }
            return .not(try parseNot(), at: t.position)
        }
        return try parsePredicate()
    }

    private static func comparison(_ kind: FilterToken.Kind) -> FilterSyntax.ComparisonOp? {
        guard case .symbol(let s) = kind else { return nil }
        switch s {
        case .eq: return .eq
        case .ne: return .ne
        case .lt: return .lt
        case .le: return .le
        case .gt: return .gt
        case .ge: return .ge
        default: return nil
        }
    }

    mutating func parsePredicate() throws(FilterError) -> FilterSyntax {
        let lhs = try parseAdditive()
        if let op = FilterParser.comparison(current.kind) {
            let opToken = advance()
            let mid = try parseAdditive()
            guard let op2 = FilterParser.comparison(current.kind) else {
                return .comparison(op, lhs, mid, at: opToken.position)
            }
            let op2Token = current
            let ascending: Set<FilterSyntax.ComparisonOp> = [.lt, .le]
            let descending: Set<FilterSyntax.ComparisonOp> = [.gt, .ge]
            guard (ascending.contains(op) && ascending.contains(op2)) || (descending.contains(op) && descending.contains(op2)) else {
                throw error("comparison '\(op2.rawValue)' cannot be chained after '\(op.rawValue)' (only a < x < b or a > x > b)", at: op2Token)
            }
            _ = advance()
            let rhs = try parseAdditive()
            if FilterParser.comparison(current.kind) != nil {
                throw error("at most two comparisons can be chained", at: current)
            }
            return .and(.comparison(op, lhs, mid, at: opToken.position), .comparison(op2, mid, rhs, at: op2Token.position))
        }
        if isKeyword(.in) || (isKeyword(.not) && tokens[index + 1].kind == .keyword(.in)) {
            let t = current
            let negated = isKeyword(.not)
            if negated { _ = advance() }
            _ = advance()
            if case .template = current.kind {} else if !isSymbol(.lbracket) { throw unexpected("a list '[…]' after 'in'") }
            let list = try parseAdditive()
            return .inList(lhs, list, negated: negated, at: t.position)
        }
        if isKeyword(.like) {
            let t = advance()
            if case .template(let name) = current.kind {
                let param = current
                _ = advance()
                guard case .literal(.string(let pattern), _) = try substitute(name, at: param) else {
                    throw FilterError(.typeMismatch, "template parameter {\(name)} after 'like' must be a string", at: param.position, in: text)
                }
                return .like(lhs, pattern: pattern, at: t.position)
            }
            guard case .string(let pattern) = current.kind else { throw unexpected("a string pattern after 'like'") }
            _ = advance()
            return .like(lhs, pattern: pattern, at: t.position)
        }
        if isKeyword(.is) {
            let t = advance()
            let negated = isKeyword(.not)
            if negated { _ = advance() }
            guard isKeyword(.null) else { throw unexpected(negated ? "'null' after 'is not'" : "'null' or 'not null' after 'is'") }
            _ = advance()
            return .isNull(lhs, negated: negated, at: t.position)
        }
        if case .symbol(let s) = current.kind, [.ampersand, .pipe, .caret, .shl, .shr, .regexMatch, .regexNotMatch].contains(s) {
            throw FilterError(.unsupported, "operator '\(s.rawValue)' is not supported", at: current.position, in: text)
        }
        return lhs
    }

    mutating func parseAdditive() throws(FilterError) -> FilterSyntax {
        var lhs = try parseMultiplicative()
        // Each operator of a left-associative chain deepens the tree by one level.
        var levels = 0
        defer { depth -= levels }
        while isSymbol(.plus) || isSymbol(.minus) {
            try nest()
            levels += 1
            let t = advance()
            lhs = .arithmetic(t.kind == .symbol(.plus) ? .add : .sub, lhs, try parseMultiplicative(), at: t.position)
        }
        return lhs
    }

    mutating func parseMultiplicative() throws(FilterError) -> FilterSyntax {
        var lhs = try parseUnary()
        var levels = 0
        defer { depth -= levels }
        while isSymbol(.star) || isSymbol(.slash) || isSymbol(.percent) {
            try nest()
            levels += 1
            let t = advance()
            let op: FilterSyntax.ArithmeticOp = t.kind == .symbol(.star) ? .mul : t.kind == .symbol(.slash) ? .div : .mod
            lhs = .arithmetic(op, lhs, try parseUnary(), at: t.position)
        }
        return lhs
    }

    mutating func parseUnary() throws(FilterError) -> FilterSyntax {
        if isSymbol(.minus) || isSymbol(.plus) {
            let t = advance()
            // Fold `-<integer>` into one literal so Int64.min can be written; not when `**` follows,
            // since `-2 ** 2` is `-(2 ** 2)`.
            if t.kind == .symbol(.minus), tokens[index + 1].kind != .symbol(.power) {
                if case .integer(let v) = current.kind {
                    let lit = advance()
                    guard v <= UInt64(Int64.max) + 1 else { throw error("integer -\(v) is out of range for Int64", at: lit) }
                    return .literal(.int(v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v)), at: t.position)
                }
                if case .float(let v) = current.kind {
                    _ = advance()
                    return .literal(.float(-v), at: t.position)
                }
            }
            try nest()
            defer { depth -= 1 }
            let operand = try parseUnary()
            if t.kind == .symbol(.plus) { return operand }
            return .negate(operand, at: t.position)
        }
        if isSymbol(.tilde) {
            throw FilterError(.unsupported, "operator '~' is not supported", at: current.position, in: text)
        }
        return try parsePower()
    }

    mutating func parsePower() throws(FilterError) -> FilterSyntax {
        let base = try parsePostfix()
        guard isSymbol(.power) else { return base }
        let t = advance()
        try nest()
        defer { depth -= 1 }
        return .arithmetic(.pow, base, try parseUnary(), at: t.position)
    }

    mutating func parsePostfix() throws(FilterError) -> FilterSyntax {
        var e = try parsePrimary()
        while isSymbol(.lbracket) {
            let t = advance()
            let key: JSONPathKey
            switch current.kind {
            case .string(let s): key = .key(s)
            case .integer(let v) where v <= UInt64(Int32.max): key = .index(Int(v))
            default: throw unexpected("a string key or a non-negative integer index inside '[ ]'")
            }
            _ = advance()
            try expect(.rbracket, "']'")
            e = .subscripted(e, key, at: t.position)
        }
        return e
    }

    mutating func parsePrimary() throws(FilterError) -> FilterSyntax {
        let t = current
        switch t.kind {
        case .integer(let v):
            _ = advance()
            guard v <= UInt64(Int64.max) else { throw error("integer \(v) is out of range for Int64", at: t) }
            return .literal(.int(Int64(v)), at: t.position)
        case .float(let v):
            _ = advance()
            return .literal(.float(v), at: t.position)
        case .string(let s):
            _ = advance()
            return .literal(.string(s), at: t.position)
        case .bool(let b):
            _ = advance()
            return .literal(.bool(b), at: t.position)
        case .identifier(let name):
            _ = advance()
            if isSymbol(.lparen) {
                _ = advance()
                try nest()
                defer { depth -= 1 }
                var args: [FilterSyntax] = []
                if !isSymbol(.rparen) {
                    args.append(try parseOr())
                    while isSymbol(.comma) {
                        _ = advance()
                        args.append(try parseOr())
                    }
                }
                try expect(.rparen, "',' or ')' in the argument list")
                // Like Milvus, function names are all-lower or all-upper case; anything else is unknown.
                let canonical = name == name.uppercased() ? name.lowercased() : name
                return .call(canonical, args, at: t.position)
            }
            return .identifier(name, at: t.position)
        case .symbol(.lparen):
            _ = advance()
            try nest()
            defer { depth -= 1 }
            let inner = try parseOr()
            try expect(.rparen, "')'")
            return inner
        case .symbol(.lbracket):
            _ = advance()
            try nest()
            defer { depth -= 1 }
            var items: [FilterSyntax] = []
            while !isSymbol(.rbracket) {
                items.append(try parseOr())
                guard isSymbol(.comma) else { break }
                _ = advance()
            }
            try expect(.rbracket, "',' or ']' in the list")
            return .list(items, at: t.position)
        case .keyword(.exists):
            _ = advance()
            return .exists(try parsePostfix(), at: t.position)
        case .template(let name):
            _ = advance()
            return try substitute(name, at: t)
        default:
            throw unexpected()
        }
    }
}
