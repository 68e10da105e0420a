import VecCore

/// What growing and sealed segments share: columnar rows, each row's insert timestamp and the timestamp at
/// which it was superseded (deleted, or replaced by a later write of the same primary key), and one
/// `VectorFieldIndex` per vector field.
///
/// MVCC rule: row `i` is visible at read timestamp `T` iff `insertedAt[i] <= T < supersededAt[i]`
/// (`supersededAt` is `UInt64.max` while the row is the latest version of its key). See docs/storage.md.
protocol Segment: AnyObject, ColumnarSource {
    var id: SegmentID { get }
    var schema: CollectionSchema { get }
    var rowCount: Int { get }
    /// The rows as a batch (a view over the same copy-on-write column arrays).
    var rows: RowBatch { get }
    var insertedAt: [UInt64] { get }
    var supersededAt: [UInt64] { get set }
    var vectorIndexes: [String: VectorFieldIndex] { get }
}

extension Segment {
    func column(named name: String) -> Column? { rows.column(named: name) }

    /// Rows visible at `timestamp`.
    func visibility(at timestamp: UInt64) -> Bitset {
        // `UInt64.max` reads everything: writes never carry it, and live rows have `supersededAt == .max`.
        let timestamp = min(timestamp, UInt64.max - 1)
        let n = rowCount
        var words = [UInt64](repeating: 0, count: (n + 63) >> 6)
        insertedAt.withUnsafeBufferPointer { ins in
            supersededAt.withUnsafeBufferPointer { sup in
                for i in 0..<n where ins[i] <= timestamp && sup[i] > timestamp {
                    words[i >> 6] |= 1 << UInt64(i & 63)
                }
            }
        }
        return Bitset(words: words, count: n)
    }

    /// Rows visible at `timestamp` that match `filter` (all visible rows when nil): the search allow-list and
    /// the query row set.
    func allowList(at timestamp: UInt64, filter: FilterExpression?) throws(ShardError) -> Bitset {
        var allow = visibility(at: timestamp)
        if let filter, !filter.isAlwaysTrue, allow.popcount > 0 {
            do { allow.formIntersection(try filter.evaluate(on: rows)) } catch { throw .filter(error) }
        }
        return allow
    }

    /// The primary-key column.
    var primaryKeyColumn: Column {
        guard let pk = schema.primaryKey, let c = rows.column(named: pk.name) else {
            preconditionFailure("validated schemas have a primary key")
        }
        return c
    }
}
