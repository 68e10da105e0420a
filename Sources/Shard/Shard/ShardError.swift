import VecCore

/// Errors of the shard facade, its segments and its manifest.
public enum ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A caller-supplied argument is unusable (k, ef, limits, a field that is not a vector…).
    case invalidArgument(String)
    /// The schema or index specs are invalid, or differ from the ones the shard was created with.
    case schema(String)
    /// A row batch does not fit the schema.
    case rowBatch(RowBatchError)
    /// A filter expression failed to parse or evaluate.
    case filter(FilterError)
    /// A write's timestamp is below the shard's last write timestamp (writes must be non-decreasing).
    case timestampRegression(given: UInt64, last: UInt64)
    /// The log failed (append, read, truncate); the shard must be reopened.
    case log(String)
    /// The object store failed (I/O, permissions, space).
    case objectStore(String)
    /// A file or object the shard wrote is damaged; restore it from a replica or backup.
    case corrupt(what: String, reason: String)
    /// The vector engine rejected the data or query.
    case vector(VecError)
    /// The shard was closed, or an earlier failure left memory and log out of step; reopen it.
    case closed(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m): "invalid argument: \(m)"
        case .schema(let m): "schema: \(m)"
        case .rowBatch(let e): "row batch: \(e)"
        case .filter(let e): "filter: \(e)"
        case .timestampRegression(let g, let l):
            "write timestamp \(g) is below the shard's last write timestamp \(l); timestamps must not decrease"
        case .log(let m): "log: \(m); reopen the shard"
        case .objectStore(let m): "object store: \(m)"
        case .corrupt(let what, let reason): "corrupt \(what): \(reason); restore it from a replica or backup"
        case .vector(let e): "vector: \(e)"
        case .closed(let m): "shard unavailable: \(m)"
        }
    }
}
