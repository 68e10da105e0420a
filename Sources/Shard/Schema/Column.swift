import VecCore

/// One named column of a ``RowBatch`` (or of a segment): typed values plus, for nullable fields, which
/// rows are non-null.
public struct Column: Sendable, Equatable {
    /// The field name (``CollectionSchema/dynamicFieldName`` for the dynamic column).
    public let name: String
    public internal(set) var data: ColumnData
    /// Set bits mark non-null rows; nil when the column cannot hold nulls (every row valid).
    public internal(set) var validity: Bitset?

    /// A column; `validity`, when given, must have one bit per row.
    public init(name: String, data: ColumnData, validity: Bitset? = nil) {
        precondition(validity == nil || validity!.count == data.count, "validity must cover every row")
        self.name = name
        self.data = data
        self.validity = validity
    }

    public var count: Int { data.count }
    public var dataType: DataType { data.dataType }

    /// Whether row `i` is null.
    public func isNull(_ i: Int) -> Bool { validity.map { !$0.contains(i) } ?? false }

    /// Row `i` as a dynamic value, `.null` for null rows.
    public func value(at i: Int) -> FieldValue { isNull(i) ? .null : data.value(at: i) }

    /// The rows at `positions`, in that order.
    public func selecting(_ positions: [Int]) -> Column {
        var v: Bitset?
        if let validity {
            var b = Bitset(count: positions.count)
            for (i, p) in positions.enumerated() where validity.contains(p) { b.insert(i) }
            v = b
        }
        return Column(name: name, data: data.selecting(positions), validity: v)
    }
}
