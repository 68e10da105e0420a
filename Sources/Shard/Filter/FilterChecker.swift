/// Resolves names and types of a ``FilterSyntax`` against a schema, producing a ``Predicate``.
///
/// Name resolution: a declared field; else, with the dynamic field enabled, a key of `$meta`; `$meta`
/// itself is the dynamic object. Typing: Int8…Int64/Float/Double fields, numeric literals, arithmetic,
/// `array_length` and numeric array elements are numbers; VarChar fields, string literals and VarChar
/// elements are strings; Bool fields, bool literals and predicates are booleans; a JSON path takes the
/// type of what it is compared with. Constant sub-expressions are folded here.
struct FilterChecker {
    let schema: CollectionSchema
    let text: String

    /// What a sub-expression denotes once resolved.
    enum Typed {
        case predicate(Predicate)
        case numeric(NumericExpr)
        case string(StringExpr)
        case json(String, [JSONPathKey])
        case array(String, DataType)
        case list([FilterSyntax], at: Int)
    }

    func error(_ kind: FilterError.Kind, _ message: String, at position: Int) -> FilterError {
        FilterError(kind, message, at: position, in: text)
    }

    func checkRoot(_ syntax: FilterSyntax) throws(FilterError) -> Predicate {
        try predicate(syntax, context: "a filter expression")
    }

    func describe(_ t: Typed) -> String {
        switch t {
        case .predicate(.constant): "a bool literal"
        case .predicate(.boolColumn(let n)): "Bool field '\(n)'"
        case .predicate: "a boolean expression"
        case .numeric(.column(let n, let type)): "\(type) field '\(n)'"
        case .numeric(.int): "an integer literal"
        case .numeric(.float): "a float literal"
        case .numeric: "a number"
        case .string(.column(let n)): "VarChar field '\(n)'"
        case .string(.constant): "a string literal"
        case .string: "a string"
        case .json(let c, let p): p.isEmpty ? "JSON field '\(c)'" : "JSON path \(c)\(p.map(\.description).joined())"
        case .array(let n, let e): "Array<\(e)> field '\(n)'"
        case .list: "a list"
        }
    }

    // MARK: - Predicates

    func predicate(_ syntax: FilterSyntax, context: String) throws(FilterError) -> Predicate {
        switch try typed(syntax) {
        case .predicate(let p): return p
        case .json(let c, let path): return .boolJSON(c, path)
        case let other:
            throw error(.typeMismatch, "\(context) must be boolean, but this is \(describe(other))", at: syntax.position)
        }
    }

    func typed(_ syntax: FilterSyntax) throws(FilterError) -> Typed {
        switch syntax {
        case .literal(let lit, _):
            switch lit {
            case .int(let v): return .numeric(.int(v))
            case .float(let v): return .numeric(.float(v))
            case .string(let s): return .string(.constant(s))
            case .bool(let b): return .predicate(.constant(b))
            }
        case .list(let items, let at):
            return .list(items, at: at)
        case .identifier(let name, let at):
            return try resolve(name, at: at)
        case .subscripted(let base, let key, let at):
            switch try typed(base) {
            case .json(let c, let path): return .json(c, path + [key])
            case .array(let c, let element):
                guard case .index(let i) = key else {
                    throw error(.typeMismatch, "Array field '\(c)' is indexed by integers, not \(key)", at: at)
                }
                switch element {
                case .bool: return .predicate(.boolArrayElement(c, index: i))
                case .varChar: return .string(.arrayElement(c, index: i))
                default: return .numeric(.arrayElement(c, element, index: i))
                }
            case let other:
                throw error(.typeMismatch, "cannot subscript \(describe(other)); only JSON and Array fields have elements", at: at)
            }
        case .negate(let inner, let at):
            let n = try numeric(inner, for: "unary '-'", at: at)
            switch n {
            case .int(let v): return .numeric(.int(0 &- v))
            case .float(let v): return .numeric(.float(-v))
            default: return .numeric(.negate(n))
            }
        case .arithmetic(let op, let l, let r, let at):
            let a = try numeric(l, for: "'\(op.rawValue)'", at: at)
            let b = try numeric(r, for: "'\(op.rawValue)'", at: at)
            if a.isConstant && b.isConstant {
                guard let folded = NumericExpr.fold(op, a, b) else {
                    throw error(.typeMismatch, "division by zero in a constant expression", at: at)
                }
                return .numeric(folded)
            }
            return .numeric(.arithmetic(op, a, b))
        case .not(let inner, _):
            let p = try predicate(inner, context: "the operand of 'not'")
            if case .constant(let b) = p { return .predicate(.constant(!b)) }
            return .predicate(.not(p))
        case .and(let l, let r):
            let a = try predicate(l, context: "an operand of 'and'"), b = try predicate(r, context: "an operand of 'and'")
            // Folding is exact under three-valued logic: true and x = x, false and x = false.
            switch (a, b) {
            case (.constant(true), let x), (let x, .constant(true)): return .predicate(x)
            case (.constant(false), _), (_, .constant(false)): return .predicate(.constant(false))
            default: return .predicate(.and(a, b))
            }
        case .or(let l, let r):
            let a = try predicate(l, context: "an operand of 'or'"), b = try predicate(r, context: "an operand of 'or'")
            // false or x = x, true or x = true.
            switch (a, b) {
            case (.constant(false), let x), (let x, .constant(false)): return .predicate(x)
            case (.constant(true), _), (_, .constant(true)): return .predicate(.constant(true))
            default: return .predicate(.or(a, b))
            }
        case .comparison(let op, let l, let r, let at):
            return .predicate(try comparison(op, try typed(l), try typed(r), at: at))
        case .inList(let lhs, let list, let negated, let at):
            return .predicate(try inList(try typed(lhs), list, negated: negated, at: at))
        case .like(let lhs, let pattern, let at):
            // Wildcard matching is O(pattern × text) in the worst case; bound the pattern.
            guard pattern.utf8.count <= LikePattern.maxBytes else {
                throw error(.syntax, "'like' pattern is longer than \(LikePattern.maxBytes) bytes", at: at)
            }
            let s: StringExpr
            switch try typed(lhs) {
            case .string(let e): s = e
            case .json(let c, let p): s = .json(c, p)
            case let other: throw error(.typeMismatch, "'like' needs a VarChar field or a JSON path, not \(describe(other))", at: at)
            }
            if case .constant(let c) = s { return .predicate(.constant(LikePattern(pattern).matches(c))) }
            return .predicate(.like(s, LikePattern(pattern)))
        case .isNull(let operand, let negated, let at):
            switch try typed(operand) {
            case .json(let c, let p) where !p.isEmpty: return .predicate(.isNull(.json(c, p), negated: negated))
            case .json(let c, _), .array(let c, _), .numeric(.column(let c, _)), .string(.column(let c)),
                .predicate(.boolColumn(let c)):
                return .predicate(.isNull(.column(c), negated: negated))
            case let other:
                throw error(.typeMismatch, "'is null' applies to a field or a JSON path, not \(describe(other))", at: at)
            }
        case .exists(let operand, let at):
            guard case .json(let c, let p) = try typed(operand), !p.isEmpty else {
                throw error(.typeMismatch, "'exists' needs a JSON path such as meta[\"key\"]", at: at)
            }
            return .predicate(.exists(c, p))
        case .call(let name, let args, let at):
            return try call(name, args, at: at)
        }
    }

    func resolve(_ name: String, at: Int) throws(FilterError) -> Typed {
        if let f = schema.field(named: name) {
            switch f.dataType {
            case .bool: return .predicate(.boolColumn(name))
            case .int8, .int16, .int32, .int64, .float, .double: return .numeric(.column(name, f.dataType))
            case .varChar: return .string(.column(name))
            case .json: return .json(name, [])
            case .array: return .array(name, f.elementType ?? .bool)
            case .floatVector, .float16Vector:
                throw error(.typeMismatch, "vector field '\(name)' cannot be used in a filter", at: at)
            }
        }
        guard schema.enableDynamicField else {
            throw error(.unknownField, "unknown field '\(name)'", at: at)
        }
        if name == CollectionSchema.dynamicFieldName { return .json(name, []) }
        return .json(CollectionSchema.dynamicFieldName, [.key(name)])
    }

    func numeric(_ syntax: FilterSyntax, for op: String, at: Int) throws(FilterError) -> NumericExpr {
        switch try typed(syntax) {
        case .numeric(let n): return n
        case .json(let c, let p): return .json(c, p)
        case let other: throw error(.typeMismatch, "\(op) needs numbers, but got \(describe(other))", at: syntax.position)
        }
    }

    // MARK: - Comparisons

    func comparison(_ op: FilterSyntax.ComparisonOp, _ l: Typed, _ r: Typed, at: Int) throws(FilterError) -> Predicate {
        func mismatch() -> FilterError {
            error(.typeMismatch, "cannot compare \(describe(l)) with \(describe(r)) using '\(op.rawValue)'", at: at)
        }
        switch (l, r) {
        case (.numeric(let a), .numeric(let b)):
            if case .int(let x) = a, case .int(let y) = b { return .constant(op.holds(x, y)) }
            if a.isConstant, b.isConstant { return .constant(op.holds(a.constantValue!, b.constantValue!)) }
            return .compareNumeric(op, a, b)
        case (.numeric(let a), .json(let c, let p)): return .compareNumeric(op, a, .json(c, p))
        case (.json(let c, let p), .numeric(let b)): return .compareNumeric(op, .json(c, p), b)
        case (.string(let a), .string(let b)):
            if case .constant(let x) = a, case .constant(let y) = b { return .constant(op.holds(x, y)) }
            return .compareString(op, a, b)
        case (.string(let a), .json(let c, let p)): return .compareString(op, a, .json(c, p))
        case (.json(let c, let p), .string(let b)): return .compareString(op, .json(c, p), b)
        case (.predicate(let a), .predicate(let b)):
            guard !op.isOrdering else { throw error(.typeMismatch, "booleans can only be compared with == or !=", at: at) }
            return .boolEquals(a, b, negated: op == .ne)
        case (.predicate(let a), .json(let c, let p)), (.json(let c, let p), .predicate(let a)):
            guard !op.isOrdering else { throw error(.typeMismatch, "booleans can only be compared with == or !=", at: at) }
            return .boolEquals(.boolJSON(c, p), a, negated: op == .ne)
        case (.json(let c1, let p1), .json(let c2, let p2)):
            return .compareJSONValues(op, c1, p1, c2, p2)
        default:
            throw mismatch()
        }
    }

    func literals(_ list: FilterSyntax, what: String, at: Int) throws(FilterError) -> [FieldValue] {
        guard case .list(let items, _) = list else {
            throw error(.syntax, "\(what) needs a list of literals '[…]'", at: list.position)
        }
        var out: [FieldValue] = []
        for item in items {
            switch item {
            case .literal(.int(let v), _): out.append(.int(v))
            case .literal(.float(let v), _): out.append(.double(v))
            case .literal(.string(let s), _): out.append(.string(s))
            case .literal(.bool(let b), _): out.append(.bool(b))
            default:
                throw error(.typeMismatch, "\(what) accepts only literal values in its list", at: item.position)
            }
        }
        return out
    }

    func inList(_ lhs: Typed, _ list: FilterSyntax, negated: Bool, at: Int) throws(FilterError) -> Predicate {
        let values = try literals(list, what: "'in'", at: at)
        // `x in [a, b]` means `x == a or x == b`, so an empty list is false for every row (and `not in []`
        // true), null rows included.
        if values.isEmpty {
            if case .list = lhs { throw error(.typeMismatch, "'in' cannot be applied to \(describe(lhs))", at: at) }
            if case .array = lhs { throw error(.typeMismatch, "'in' cannot be applied to \(describe(lhs))", at: at) }
            return .constant(negated)
        }
        func mismatch(_ v: FieldValue) -> FilterError {
            error(.typeMismatch, "'in' list has \(v.kindName) \(v) but \(describe(lhs)) needs values of its own type", at: list.position)
        }
        switch lhs {
        case .numeric(let n):
            var ints: [Int64] = [], doubles: [Double] = []
            for v in values {
                switch v {
                case .int(let i): ints.append(i)
                case .double(let d): doubles.append(d)
                default: throw mismatch(v)
                }
            }
            return .numericIn(n, NumericSet(ints: ints, doubles: doubles), negated: negated)
        case .string(let s):
            var set = Set<String>()
            for v in values {
                guard case .string(let str) = v else { throw mismatch(v) }
                set.insert(str)
            }
            return .stringIn(s, set, negated: negated)
        case .predicate(let p):
            var set = Set<Bool>()
            for v in values {
                guard case .bool(let b) = v else { throw mismatch(v) }
                set.insert(b)
            }
            return .boolIn(p, set, negated: negated)
        case .json(let c, let p):
            return .jsonIn(c, p, values, negated: negated)
        default:
            throw error(.typeMismatch, "'in' cannot be applied to \(describe(lhs))", at: at)
        }
    }

    // MARK: - Functions

    static let unsupportedFunctions: Set<String> = [
        "text_match", "phrase_match", "random_sample", "element_filter", "match_all", "match_any", "match_least",
        "match_most", "match_exact", "st_equals", "st_touches", "st_overlaps", "st_crosses", "st_contains",
        "st_intersects", "st_within", "st_dwithin", "st_isvalid",
    ]

    func call(_ name: String, _ args: [FilterSyntax], at: Int) throws(FilterError) -> Typed {
        let mode: ContainsMode
        switch name {
        case "array_contains", "json_contains": mode = .one
        case "array_contains_all", "json_contains_all": mode = .all
        case "array_contains_any", "json_contains_any": mode = .any
        case "array_length":
            guard args.count == 1 else { throw error(.syntax, "array_length takes 1 argument, got \(args.count)", at: at) }
            switch try typed(args[0]) {
            case .array(let c, _): return .numeric(.arrayLength(c))
            case .json(let c, let p): return .numeric(.jsonArrayLength(c, p))
            case let other: throw error(.typeMismatch, "array_length needs an Array field or a JSON path, not \(describe(other))", at: args[0].position)
            }
        default:
            if FilterChecker.unsupportedFunctions.contains(name) {
                throw error(.unsupported, "function '\(name)' is not supported", at: at)
            }
            throw error(.syntax, "unknown function '\(name)'", at: at)
        }
        guard args.count == 2 else { throw error(.syntax, "\(name) takes 2 arguments, got \(args.count)", at: at) }
        let values: [FieldValue]
        if mode == .one {
            values = try literals(.list([args[1]], at: args[1].position), what: name, at: at)
        } else {
            values = try literals(args[1], what: name, at: at)
        }
        switch try typed(args[0]) {
        case .array(let c, let element):
            var normalized: [FieldValue] = []
            for v in values {
                switch (element, v) {
                case (.bool, .bool), (.varChar, .string): normalized.append(v)
                case (let e, .int) where e.isNumeric: normalized.append(v)
                case (let e, .double) where e.isNumeric: normalized.append(v)
                default:
                    throw error(.typeMismatch, "\(name) on Array<\(element)> field '\(c)' cannot look for \(v.kindName) \(v)", at: args[1].position)
                }
            }
            return .predicate(.arrayContains(c, mode, normalized))
        case .json(let c, let p):
            return .predicate(.jsonContains(c, p, mode, values))
        case let other:
            throw error(.typeMismatch, "\(name) needs an Array field or a JSON path, not \(describe(other))", at: args[0].position)
        }
    }
}

extension FilterSyntax.ComparisonOp {
    func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
        switch self {
        case .eq: a == b
        case .ne: a != b
        case .lt: a < b
        case .le: a <= b
        case .gt: a > b
        case .ge: a >= b
        }
    }

    /// The operator with its operands swapped (`a < b` ⇔ `b > a`).
    var flipped: Self {
        switch self {
        case .eq, .ne: self
        case .lt: .gt
        case .le: .ge
        case .gt: .lt
        case .ge: .le
        }
    }
}

extension NumericExpr {
    var constantValue: Double? {
        switch self {
        case .int(let v): Double(v)
        case .float(let v): v
        default: nil
        }
    }

    /// Folds an operation on two constants with the evaluator's rules; nil on division by zero.
    static func fold(_ op: FilterSyntax.ArithmeticOp, _ a: NumericExpr, _ b: NumericExpr) -> NumericExpr? {
        if case .int(let x) = a, case .int(let y) = b, op != .pow {
            guard let v = NumericKernels.intOp(op, x, y) else { return nil }
            return .int(v)
        }
        guard let v = NumericKernels.doubleOp(op, a.constantValue!, b.constantValue!) else { return nil }
        return .float(v)
    }
}
