/// Rows stored column by column that a ``FilterExpression`` can be evaluated over: a ``RowBatch`` today,
/// growing and sealed segments later.
///
/// A conformer returns, for every field the expression references, a column with exactly ``rowCount``
/// rows, of the field's type, with a validity bitset if the field is nullable; the dynamic field is the
/// JSON column named ``CollectionSchema/dynamicFieldName``. Columns are returned by value; `Column` holds
/// copy-on-write arrays, so this does not copy the data.
public protocol ColumnarSource {
    /// Number of rows; the evaluated bitset has this many positions.
    var rowCount: Int { get }
    /// The column for field `name`, or nil if the source does not hold it.
    func column(named name: String) -> Column?
}

extension RowBatch: ColumnarSource {}
