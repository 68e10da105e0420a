/// Rows returned by `Shard.get`, `Shard.query` and with search hits: the primary keys plus the requested
/// output fields, column by column, in result order.
public struct ShardRows: Sendable, Equatable {
    /// The primary key of each row.
    public let primaryKeys: [PrimaryKey]
    /// One column per requested output field, in the order requested (`$meta` for the dynamic field).
    public let columns: [Column]

    public init(primaryKeys: [PrimaryKey], columns: [Column]) {
        self.primaryKeys = primaryKeys
        self.columns = columns
    }

    public var count: Int { primaryKeys.count }

    /// The column of output field `name`, if it was requested.
    public func column(named name: String) -> Column? { columns.first { $0.name == name } }

    /// Row `i` as field name → value (the primary key included).
    public func row(_ i: Int) -> [String: FieldValue] {
        var out: [String: FieldValue] = [:]
        for c in columns { out[c.name] = c.value(at: i) }
        return out
    }
}

/// The answer to one query vector of `Shard.search`: hits closest first.
public struct SearchHits: Sendable, Equatable {
    /// Primary keys, closest first.
    public let primaryKeys: [PrimaryKey]
    /// Internal distances (smaller is closer; see `VecCore.Metric`).
    public let distances: [Float]
    /// Milvus scores: the L2 distance for L2, the similarity for IP and COSINE.
    public let scores: [Float]
    /// The requested output fields of the hits, row `i` for hit `i`.
    public let fields: ShardRows
}

/// What `Shard.compact()` did.
public struct CompactionReport: Sendable, Equatable {
    /// Sealed segments merged away.
    public var mergedSegments: [SegmentID] = []
    /// The segment replacing them (nil when nothing was merged or no row survived).
    public var newSegment: SegmentID?
    /// Superseded rows dropped.
    public var droppedRows = 0
}
