#if canImport(Glibc)
import Glibc
#endif
@testable import Shard

/// A deliberately naive row-at-a-time interpreter of the parsed filter syntax, written from the documented
/// semantics (docs/filter-expressions.md) rather than from the column-wise evaluator, used as an oracle.
struct ReferenceFilterEvaluator {
    let schema: CollectionSchema

    /// A value during reference evaluation.
    enum Value {
        case unknown
        case int(Int64)
        case double(Double)
        case string(String)
        case bool(Bool)
        /// A JSON value (nil: absent or null row).
        case json(FieldValue?)
        /// A typed array's elements (nil: null row).
        case array([FieldValue]?)
        case list([FieldValue])

        /// Unwraps JSON scalars into typed values; other JSON becomes unknown.
        var scalar: Value {
            guard case .json(let v) = self else { return self }
            switch v {
            case .int(let x)?: return .int(x)
            case .double(let x)?: return .double(x)
            case .string(let s)?: return .string(s)
            case .bool(let b)?: return .bool(b)
            default: return .unknown
            }
        }
    }

    /// The truth of `syntax` for one row (nil = unknown).
    func matches(_ syntax: FilterSyntax, row: [String: FieldValue], meta: FieldValue?) -> Bool? {
        truth(eval(syntax, row, meta))
    }

    func truth(_ v: Value) -> Bool? {
        if case .bool(let b) = v.scalar { return b }
        return nil
    }

    func eval(_ s: FilterSyntax, _ row: [String: FieldValue], _ meta: FieldValue?) -> Value {
        switch s {
        case .literal(.int(let v), _): return .int(v)
        case .literal(.float(let v), _): return .double(v)
        case .literal(.string(let v), _): return .string(v)
        case .literal(.bool(let v), _): return .bool(v)
        case .list(let items, _):
            return .list(items.map {
                switch eval($0, row, meta) {
                case .int(let v): .int(v)
                case .double(let v): .double(v)
                case .string(let v): .string(v)
                case .bool(let v): .bool(v)
                default: .null
                }
            })
        case .identifier(let name, _):
            if let f = schema.field(named: name) {
                let v = row[name] ?? .null
                switch f.dataType {
                case .json: return .json(v == .null ? nil : v)
                case .array: if case .array(let a) = v { return .array(a) } else { return .array(nil) }
                default: return fromField(v)
                }
            }
            if name == "$meta" { return .json(meta) }
            if case .object(let o) = meta { return .json(o[name]) }
            return .json(nil)
        case .subscripted(let base, let key, _):
            switch eval(base, row, meta) {
            case .json(let v): return .json(v?.lookup([key]))
            case .array(let a):
                guard let a, case .index(let i) = key, i < a.count else { return .unknown }
                return fromField(a[i])
            default: return .unknown
            }
        case .negate(let inner, _):
            switch jsonAsDouble(eval(inner, row, meta)) {
            case .int(let v): return .int(0 &- v)
            case .double(let v): return .double(-v)
            default: return .unknown
            }
        case .arithmetic(let op, let l, let r, _):
            // JSON numbers take part in arithmetic as Double.
            let a = jsonAsDouble(eval(l, row, meta)), b = jsonAsDouble(eval(r, row, meta))
            if case .int(let x) = a, case .int(let y) = b, op != .pow {
                switch op {
                case .add: return .int(x &+ y)
                case .sub: return .int(x &- y)
                case .mul: return .int(x &* y)
                case .div: return y == 0 ? .unknown : .int(x.dividedReportingOverflow(by: y).partialValue)
                case .mod: return y == 0 ? .unknown : .int(x.remainderReportingOverflow(dividingBy: y).partialValue)
                case .pow: return .unknown
                }
            }
            guard let x = number(a), let y = number(b) else { return .unknown }
            switch op {
            case .add: return .double(x + y)
            case .sub: return .double(x - y)
            case .mul: return .double(x * y)
            case .div: return y == 0 ? .unknown : .double(x / y)
            case .mod: return y == 0 ? .unknown : .double(x.truncatingRemainder(dividingBy: y))
            case .pow: return .double(pow(x, y))
            }
        case .not(let inner, _):
            guard let t = truth(eval(inner, row, meta)) else { return .unknown }
            return .bool(!t)
        case .and(let l, let r):
            let a = truth(eval(l, row, meta)), b = truth(eval(r, row, meta))
            if a == false || b == false { return .bool(false) }
            if a == true && b == true { return .bool(true) }
            return .unknown
        case .or(let l, let r):
            let a = truth(eval(l, row, meta)), b = truth(eval(r, row, meta))
            if a == true || b == true { return .bool(true) }
            if a == false && b == false { return .bool(false) }
            return .unknown
        case .comparison(let op, let l, let r, _):
            let a = eval(l, row, meta).scalar, b = eval(r, row, meta).scalar
            switch (a, b) {
            case (.int(let x), .int(let y)): return .bool(compare(op, x, y))
            case (.string(let x), .string(let y)): return .bool(compare(op, x, y))
            case (.bool(let x), .bool(let y)):
                if op == .eq { return .bool(x == y) }
                if op == .ne { return .bool(x != y) }
                return .unknown
            default:
                guard let x = number(a), let y = number(b) else { return .unknown }
                return .bool(compare(op, x, y))
            }
        case .inList(let l, let list, let negated, _):
            // x in [a, b] ≡ x == a or x == b (Kleene); not in ≡ not (in).
            guard case .list(let items) = eval(list, row, meta) else { return .unknown }
            let x = eval(l, row, meta).scalar
            var result: Bool? = false
            for item in items {
                let eq: Bool?
                switch (x, item) {
                case (.int(let a), .int(let b)): eq = a == b
                case (.string(let a), .string(let b)): eq = a == b
                case (.bool(let a), .bool(let b)): eq = a == b
                default:
                    if let a = number(x), let b = item.numericValue { eq = a == b } else { eq = nil }
                }
                if eq == true { result = true } else if eq == nil, result == false { result = nil }
            }
            guard let r = result else { return .unknown }
            return .bool(negated ? !r : r)
        case .like(let l, let pattern, _):
            guard case .string(let x) = eval(l, row, meta).scalar else { return .unknown }
            return .bool(like(Array(x.unicodeScalars)[...], Array(pattern.unicodeScalars)[...]))
        case .isNull(let operand, let negated, _):
            let isNull: Bool
            switch eval(operand, row, meta) {
            case .json(let v): isNull = v == nil || v == .null
            case .array(let a): isNull = a == nil
            case .unknown: isNull = true
            default: isNull = false
            }
            return .bool(negated ? !isNull : isNull)
        case .exists(let operand, _):
            guard case .json(let v) = eval(operand, row, meta) else { return .unknown }
            return .bool(v != nil)
        case .call(let name, let args, _):
            let target = eval(args[0], row, meta)
            var items: [FieldValue]
            switch target {
            case .json(.array(let a)?): items = a
            case .array(let a?): items = a
            default: return .unknown
            }
            if name == "array_length" { return .int(Int64(items.count)) }
            let wanted: [FieldValue]
            switch eval(args[1], row, meta) {
            case .list(let l): wanted = l
            case .int(let x): wanted = [.int(x)]
            case .double(let x): wanted = [.double(x)]
            case .string(let x): wanted = [.string(x)]
            case .bool(let x): wanted = [.bool(x)]
            default: return .unknown
            }
            let has = wanted.map { w in items.contains { equal($0, w) } }
            if name.hasSuffix("_all") { return .bool(has.allSatisfy { $0 }) }
            return .bool(has.contains(true))
        }
    }

    func jsonAsDouble(_ v: Value) -> Value {
        if case .json(.int(let x)?) = v { return .double(Double(x)) }
        return v.scalar
    }

    func fromField(_ v: FieldValue) -> Value {
        switch v {
        case .int(let x): .int(x)
        case .double(let x): .double(x)
        case .string(let s): .string(s)
        case .bool(let b): .bool(b)
        default: .unknown
        }
    }

    func number(_ v: Value) -> Double? {
        switch v {
        case .int(let x): Double(x)
        case .double(let x): x
        default: nil
        }
    }

    func compare<T: Comparable>(_ op: FilterSyntax.ComparisonOp, _ a: T, _ b: T) -> Bool {
        switch op {
        case .eq: a == b
        case .ne: a != b
        case .lt: a < b
        case .le: a <= b
        case .gt: a > b
        case .ge: a >= b
        }
    }

    func sameKind(_ a: FieldValue, _ b: FieldValue) -> Bool {
        switch (a, b) {
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double), (.string, .string), (.bool, .bool): true
        default: false
        }
    }

    func equal(_ a: FieldValue, _ b: FieldValue) -> Bool {
        if let x = a.numericValue, let y = b.numericValue {
            if case .int(let i) = a, case .int(let j) = b { return i == j }
            return x == y
        }
        return a == b
    }

    /// SQL LIKE over Unicode scalars, recursively: % any run, _ one scalar, \ escapes.
    func like(_ s: ArraySlice<Unicode.Scalar>, _ p: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let c = p.first else { return s.isEmpty }
        switch c {
        case "%":
            var rest = s
            while true {
                if like(rest, p.dropFirst()) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        case "_":
            return !s.isEmpty && like(s.dropFirst(), p.dropFirst())
        case "\\" where p.count > 1:
            let literal = p[p.startIndex + 1]
            return s.first == literal && like(s.dropFirst(), p.dropFirst(2))
        default:
            return s.first == c && like(s.dropFirst(), p.dropFirst())
        }
    }
}
