/// Checks one incoming value against a field's type and normalises it: integers become `.int`, Float and
/// Double values `.double`, vectors `.floatVector`, array elements their element type's form.
///
/// Shared by row validation (``RowBatch/init(schema:rows:autoIDs:)``) and default-value validation
/// (``FieldSchema/validate()``), so both apply exactly the same rules.
enum ScalarCoercion {
    enum Failure: Error {
        case wrongType(expected: String, got: String)
        case outOfRange(String)
        case tooLong(length: Int, maxLength: Int)
        case tooManyElements(count: Int, maxCapacity: Int)
        case wrongDimension(expected: Int, got: Int)
        case nonFinite(component: Int)

        var reason: String {
            switch self {
            case .wrongType(let e, let g): "expects \(e), got \(g)"
            case .outOfRange(let v): "value \(v) is out of range"
            case .tooLong(let l, let m): "\(l) bytes exceed max_length \(m)"
            case .tooManyElements(let c, let m): "\(c) elements exceed max_capacity \(m)"
            case .wrongDimension(let e, let g): "expects dimension \(e), got \(g)"
            case .nonFinite(let c): "component \(c) is NaN or infinite"
            }
        }

        func rowError(row: Int, field: String) -> RowBatchError {
            switch self {
            case .wrongType(let e, let g): .wrongType(row: row, field: field, expected: e, got: g)
            case .outOfRange(let v): .outOfRange(row: row, field: field, value: v)
            case .tooLong(let l, let m): .tooLong(row: row, field: field, length: l, maxLength: m)
            case .tooManyElements(let c, let m): .tooManyElements(row: row, field: field, count: c, maxCapacity: m)
            case .wrongDimension(let e, let g): .wrongDimension(row: row, field: field, expected: e, got: g)
            case .nonFinite(let c): .nonFiniteVector(row: row, field: field, component: c)
            }
        }
    }

    /// `value` (never `.null`; callers handle nulls) checked and normalised for a field of `type`. For
    /// Array fields `type` is `.array` and the element type and limits come from `field`.
    static func check(_ value: FieldValue, as type: DataType, field: FieldSchema) throws(Failure) -> FieldValue {
        switch type {
        case .bool:
            guard case .bool = value else { throw .wrongType(expected: "a bool", got: value.kindName) }
            return value
        case .int8, .int16, .int32, .int64:
            guard case .int(let v) = value else { throw .wrongType(expected: "an integer (\(type))", got: value.kindName) }
            guard type.integerRange!.contains(v) else { throw .outOfRange("\(v) for \(type)") }
            return value
        case .float, .double:
            guard let d = value.numericValue else { throw .wrongType(expected: "a number (\(type))", got: value.kindName) }
            if type == .float, d.isFinite, abs(d) > Double(Float.greatestFiniteMagnitude) {
                throw .outOfRange("\(d) for Float")
            }
            return .double(d)
        case .varChar:
            guard case .string(let s) = value else { throw .wrongType(expected: "a string", got: value.kindName) }
            let n = s.utf8.count
            let max = field.maxLength ?? FieldSchema.Limits.maxLength.upperBound
            guard n <= max else { throw .tooLong(length: n, maxLength: max) }
            return value
        case .json:
            if case .floatVector = value { throw .wrongType(expected: "a JSON value", got: value.kindName) }
            guard depth(of: value) < FieldValue.maxDepth else {
                throw .outOfRange("JSON nested deeper than \(FieldValue.maxDepth) levels")
            }
            return value
        case .array:
            guard case .array(let items) = value, let element = field.elementType else {
                throw .wrongType(expected: "an array of \(field.elementType?.name ?? "?")", got: value.kindName)
            }
            let cap = field.maxCapacity ?? FieldSchema.Limits.maxCapacity.upperBound
            guard items.count <= cap else { throw .tooManyElements(count: items.count, maxCapacity: cap) }
            var out: [FieldValue] = []
            out.reserveCapacity(items.count)
            for item in items {
                if case .null = item { throw .wrongType(expected: "\(element) array elements", got: "null") }
                out.append(try check(item, as: element, field: field))
            }
            return .array(out)
        case .floatVector, .float16Vector:
            let dim = field.dimension ?? 0
            var floats: [Float]
            switch value {
            case .floatVector(let v): floats = v
            case .array(let items):
                floats = []
                floats.reserveCapacity(items.count)
                for (i, item) in items.enumerated() {
                    guard let d = item.numericValue else {
                        throw .wrongType(expected: "a vector of numbers", got: "\(item.kindName) at index \(i)")
                    }
                    floats.append(Float(d))
                }
            default:
                throw .wrongType(expected: "a vector of \(dim) numbers", got: value.kindName)
            }
            guard floats.count == dim else { throw .wrongDimension(expected: dim, got: floats.count) }
            let limit: Float = type == .float16Vector ? Float(Float16.greatestFiniteMagnitude) : .greatestFiniteMagnitude
            for (i, x) in floats.enumerated() where !(abs(x) <= limit) { throw .nonFinite(component: i) }
            return .floatVector(floats)
        }
    }

    /// Nesting depth of a JSON value (scalars are 0), stopping early once past the limit.
    static func depth(of value: FieldValue, current: Int = 0) -> Int {
        guard current < FieldValue.maxDepth else { return current }
        switch value {
        case .array(let a): return a.map { depth(of: $0, current: current + 1) }.max() ?? current + 1
        case .object(let o): return o.values.map { depth(of: $0, current: current + 1) }.max() ?? current + 1
        default: return current
        }
    }
}
