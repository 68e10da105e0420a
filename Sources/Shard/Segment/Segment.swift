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
    var supersededAt: [UInt64] { get }
    var vectorIndexes: [String: VectorFieldIndex] { get }
    /// Marks `row` superseded at `timestamp` (the only way a segment's visibility changes after it is built).
    func supersede(row: Int, at timestamp: UInt64)
    /// Whether every row is visible at `timestamp`, known without a scan (a sealed segment with no superseded
    /// row read after its last insert: the common case for searches). False means "scan to find out".
    func allRowsVisible(at timestamp: UInt64) -> Bool
}

extension Segment {
    func column(named name: String) -> Column? { rows.column(named: name) }

    /// Rows visible at `timestamp`.
    func visibility(at timestamp: UInt64) -> Bitset {
        // `UInt64.max` reads everything: writes never carry it, and live rows have `supersededAt == .max`.
        let timestamp = min(timestamp, UInt64.max - 1)
        let n = rowCount
        if allRowsVisible(at: timestamp) { return Bitset(count: n, allSet: true) }
        // Every search computes this for every segment: one word of 64 rows at a time, branch-free, through
        // raw pointers (element-wise `words[i >> 6] |= …` cost a uniqueness check per row and was ~20 % of
        // a 4-shard search's CPU).
        let words = [UInt64](unsafeUninitializedCapacity: (n + 63) >> 6) { w, initialized in
            insertedAt.withUnsafeBufferPointer { ins in
                supersededAt.withUnsafeBufferPointer { sup in
                    guard let insBase = ins.baseAddress, let supBase = sup.baseAddress else { return }
                    var base = 0
                    var wi = 0
                    while base < n {
                        let count = min(64, n - base)
                        var bits: UInt64 = 0
                        for j in 0..<count {
                            let visible = (insBase[base + j] <= timestamp) && (supBase[base + j] > timestamp)
                            bits |= UInt64(visible ? 1 : 0) << UInt64(j)
                        }
                        w[wi] = bits
                        wi += 1
                        base += 64
                    }
                }
            }
            initialized = (n + 63) >> 6
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
