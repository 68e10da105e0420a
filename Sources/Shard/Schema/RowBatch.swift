import VecCore

/// A batch of rows stored column by column: the unit of insert, of the log payload, and of segment
/// appends.
///
/// ``columns`` follow ``CollectionSchema/fields`` order, plus a final JSON column named
/// ``CollectionSchema/dynamicFieldName`` when the dynamic field is enabled. Nullable fields carry a
/// validity bitset; vectors are one contiguous `rows × dimension` block. A batch is always consistent
/// with its schema: every initialiser validates.
///
/// Building from dynamic rows (the HTTP path) applies Milvus's rules: required fields must be present,
/// values must fit their type (range, max_length, max_capacity, dimension, finite vectors), missing or
/// null nullable fields become null, missing fields with a default take it, and keys that are not fields
/// go to the dynamic column when enabled and are rejected otherwise.
public struct RowBatch: Sendable, Equatable {
    public let schema: CollectionSchema
    public private(set) var columns: [Column]
    public let rowCount: Int

    /// Builds a batch from rows of dynamic values, validating every cell.
    /// - Parameters:
    ///   - schema: a schema that passed ``CollectionSchema/validate()``.
    ///   - rows: one dictionary per row, field name to value.
    ///   - autoIDs: the primary keys to assign when the key is auto-ID, one per row (the caller allocates
    ///     them); must be nil otherwise.
    /// - Throws: ``RowBatchError`` naming the first offending row and field.
    /// - Complexity: O(total cells + vector components).
    public init(schema: CollectionSchema, rows: [[String: FieldValue]], autoIDs: [Int64]? = nil) throws(RowBatchError) {
        let pk = schema.primaryKey
        let autoKey = (pk?.autoID ?? false) ? pk : nil
        if autoKey != nil {
            // No rows need no ids: shards build empty batches of auto-id schemas (growing segments).
            guard let ids = autoIDs ?? (rows.isEmpty ? [] : nil), ids.count == rows.count else {
                throw .autoIDCountMismatch(expected: rows.count, got: autoIDs?.count ?? 0)
            }
        } else if let ids = autoIDs {
            throw .columnMismatch("\(ids.count) auto ids given but the primary key is not auto-ID")
        }
        let fieldNames = Set(schema.fields.map(\.name))
        var cells = [[FieldValue]](repeating: [], count: schema.fields.count)
        for i in cells.indices { cells[i].reserveCapacity(rows.count) }
        var dynamic: [FieldValue] = []
        for (r, row) in rows.enumerated() {
            for (fi, field) in schema.fields.enumerated() {
                if let autoKey, field.name == autoKey.name {
                    if let given = row[field.name], given != .null { throw .autoIDProvided(row: r, field: field.name) }
                    cells[fi].append(.int(autoIDs![r]))
                    continue
                }
                let raw = row[field.name] ?? .null
                if case .null = raw {
                    if let d = field.defaultValue {
                        cells[fi].append(d)
                    } else if field.nullable {
                        cells[fi].append(.null)
                    } else {
                        throw .missingField(row: r, field: field.name)
                    }
                    continue
                }
                do {
                    cells[fi].append(try ScalarCoercion.check(raw, as: field.dataType, field: field))
                } catch {
                    throw error.rowError(row: r, field: field.name)
                }
            }
            if row.count > 0 {
                var extras: [String: FieldValue] = [:]
                for (k, v) in row where !fieldNames.contains(k) {
                    guard schema.enableDynamicField, k != CollectionSchema.dynamicFieldName else {
                        throw .unknownField(row: r, field: k)
                    }
                    if case .floatVector = v {
                        throw .wrongType(row: r, field: k, expected: "a JSON value", got: v.kindName)
                    }
                    guard ScalarCoercion.depth(of: v) < FieldValue.maxDepth - 1 else {
                        throw .outOfRange(row: r, field: k, value: "JSON nested deeper than \(FieldValue.maxDepth - 1) levels")
                    }
                    extras[k] = v
                }
                if schema.enableDynamicField { dynamic.append(.object(extras)) }
            } else if schema.enableDynamicField {
                dynamic.append(.object([:]))
            }
        }
        var columns: [Column] = []
        for (fi, field) in schema.fields.enumerated() {
            columns.append(Column.packing(cells[fi], field: field))
        }
        if schema.enableDynamicField {
            columns.append(Column(name: CollectionSchema.dynamicFieldName, data: .json(dynamic)))
        }
        self.schema = schema
        self.columns = columns
        self.rowCount = rows.count
    }

    /// A batch from ready-made columns (segments, decoders, tests), checked against the schema: one column
    /// per field in order (plus `$meta` if enabled), matching types, equal lengths, a validity bitset exactly
    /// on nullable fields, vector dimensions, max_length, max_capacity, and finite vectors.
    public init(schema: CollectionSchema, columns: [Column]) throws(RowBatchError) {
        try RowBatch.check(columns, against: schema)
        self.schema = schema
        self.columns = columns
        self.rowCount = columns.first?.count ?? 0
    }

    /// The column for field `name` (or `$meta`).
    public func column(named name: String) -> Column? { columns.first { $0.name == name } }

    /// Row `i` as field name → value: nulls included as `.null`, dynamic keys flattened in (as Milvus
    /// returns them).
    public func row(_ i: Int) -> [String: FieldValue] {
        var out: [String: FieldValue] = [:]
        for c in columns {
            if c.name == CollectionSchema.dynamicFieldName, case .object(let o) = c.value(at: i) {
                for (k, v) in o { out[k] = v }
            } else {
                out[c.name] = c.value(at: i)
            }
        }
        return out
    }

    /// The rows at `positions` (each in `0..<rowCount`, repeats allowed), in that order: how a batch is
    /// split by shard or filtered.
    public func selecting(_ positions: [Int]) -> RowBatch {
        for p in positions { precondition(p >= 0 && p < rowCount, "row \(p) out of 0..<\(rowCount)") }
        var copy = self
        copy.columns = columns.map { $0.selecting(positions) }
        return RowBatch(unchecked: schema, columns: copy.columns, rowCount: positions.count)
    }

    /// The rows in `range`.
    public func slice(_ range: Range<Int>) -> RowBatch { selecting(Array(range)) }

    init(unchecked schema: CollectionSchema, columns: [Column], rowCount: Int) {
        self.schema = schema
        self.columns = columns
        self.rowCount = rowCount
    }
}

extension RowBatch {
    static func check(_ columns: [Column], against schema: CollectionSchema) throws(RowBatchError) {
        let expected = schema.fields.count + (schema.enableDynamicField ? 1 : 0)
        guard columns.count == expected else {
            throw .columnMismatch("\(columns.count) columns for \(expected) fields")
        }
        let rows = columns.first?.count ?? 0
        for (i, column) in columns.enumerated() {
            guard column.count == rows else {
                throw .columnMismatch("column '\(column.name)' has \(column.count) rows, the first has \(rows)")
            }
            if i == schema.fields.count {
                guard column.name == CollectionSchema.dynamicFieldName, case .json(let values) = column.data,
                    column.validity == nil
                else { throw .columnMismatch("the last column must be the non-null JSON column '$meta'") }
                for (r, v) in values.enumerated() {
                    guard case .object = v else { throw .wrongType(row: r, field: column.name, expected: "an object", got: v.kindName) }
                }
                continue
            }
            let field = schema.fields[i]
            guard column.name == field.name else {
                throw .columnMismatch("column \(i) is '\(column.name)', the schema says '\(field.name)'")
            }
            guard column.dataType == field.dataType else {
                throw .columnMismatch("column '\(field.name)' holds \(column.dataType), the schema says \(field.dataType)")
            }
            guard (column.validity != nil) == field.nullable else {
                throw .columnMismatch("column '\(field.name)' \(field.nullable ? "needs" : "must not have") a validity bitset")
            }
            try checkValues(column.data, field: field)
        }
    }

    private static func checkValues(_ data: ColumnData, field: FieldSchema) throws(RowBatchError) {
        switch data {
        case .string(let values):
            let max = field.maxLength ?? FieldSchema.Limits.maxLength.upperBound
            for (r, s) in values.enumerated() where s.utf8.count > max {
                throw .tooLong(row: r, field: field.name, length: s.utf8.count, maxLength: max)
            }
        case .floatVector(let d, let v):
            guard d > 0, d == field.dimension, v.count % d == 0 else {
                throw .wrongDimension(row: 0, field: field.name, expected: field.dimension ?? 0, got: d)
            }
            for (i, x) in v.enumerated() where !x.isFinite {
                throw .nonFiniteVector(row: i / d, field: field.name, component: i % d)
            }
        case .float16Vector(let d, let v):
            guard d > 0, d == field.dimension, v.count % d == 0 else {
                throw .wrongDimension(row: 0, field: field.name, expected: field.dimension ?? 0, got: d)
            }
            for (i, x) in v.enumerated() where !x.isFinite {
                throw .nonFiniteVector(row: i / d, field: field.name, component: i % d)
            }
        case .array(let a):
            guard a.elementType == field.elementType, a.offsets.first == 0,
                a.offsets.last == a.elements.count
            else { throw .columnMismatch("array column '\(field.name)' has inconsistent elements or offsets") }
            let cap = field.maxCapacity ?? FieldSchema.Limits.maxCapacity.upperBound
            for r in 0..<a.count {
                let n = a.offsets[r + 1] - a.offsets[r]
                guard n >= 0 else { throw .columnMismatch("array column '\(field.name)' offsets decrease at row \(r)") }
                guard n <= cap else { throw .tooManyElements(row: r, field: field.name, count: n, maxCapacity: cap) }
            }
            if case .string = a.elements { try checkValues(a.elements, field: field) }
        case .json(let values):
            for (r, v) in values.enumerated() where ScalarCoercion.depth(of: v) >= FieldValue.maxDepth {
                throw .outOfRange(row: r, field: field.name, value: "JSON nested deeper than \(FieldValue.maxDepth - 1) levels")
            }
        default:
            break
        }
    }
}

extension Column {
    /// Packs normalised values (see ``ScalarCoercion``) into typed storage; `.null` entries become
    /// placeholders with a clear validity bit.
    static func packing(_ values: [FieldValue], field: FieldSchema) -> Column {
        var validity: Bitset?
        if field.nullable {
            var b = Bitset(count: values.count)
            for (i, v) in values.enumerated() where v != .null { b.insert(i) }
            validity = b
        }
        return Column(name: field.name, data: ColumnData.packing(values, as: field.dataType, field: field), validity: validity)
    }
}

extension ColumnData {
    static func packing(_ values: [FieldValue], as type: DataType, field: FieldSchema) -> ColumnData {
        func ints<T: FixedWidthInteger>(_: T.Type) -> [T] {
            values.map { if case .int(let v) = $0 { T(truncatingIfNeeded: v) } else { 0 } }
        }
        func doubles() -> [Double] { values.map { $0.numericValue ?? 0 } }
        switch type {
        case .bool: return .bool(values.map { $0 == .bool(true) })
        case .int8: return .int8(ints(Int8.self))
        case .int16: return .int16(ints(Int16.self))
        case .int32: return .int32(ints(Int32.self))
        case .int64: return .int64(ints(Int64.self))
        case .float: return .float(doubles().map { Float($0) })
        case .double: return .double(doubles())
        case .varChar: return .string(values.map { if case .string(let s) = $0 { s } else { "" } })
        case .json: return .json(values)
        case .array:
            var offsets = [0]
            offsets.reserveCapacity(values.count + 1)
            var flat: [FieldValue] = []
            for v in values {
                if case .array(let items) = v { flat.append(contentsOf: items) }
                offsets.append(flat.count)
            }
            return .array(ArrayColumn(offsets: offsets, elements: packing(flat, as: field.elementType ?? .bool, field: field)))
        case .floatVector, .float16Vector:
            let d = field.dimension ?? 1
            var block: [Float] = []
            block.reserveCapacity(values.count * d)
            for v in values {
                if case .floatVector(let f) = v { block.append(contentsOf: f) }
            }
            return type == .floatVector
                ? .floatVector(dimension: d, values: block)
                : .float16Vector(dimension: d, values: block.map { Float16($0) })
        }
    }
}
