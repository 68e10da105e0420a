/// Why a segment's index object could not be built, written or used. A loader that gets one of these for an
/// object ignores the object and builds the index from the segment's vectors instead (or scans them, with
/// deferred index builds); an index node reports it to the index coordinator.
public enum SegmentIndexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The shard directory has no manifest (nothing flushed there yet).
    case noManifest(String)
    /// The manifest does not name this segment (never flushed, or merged away by a compaction).
    case unknownSegment(SegmentID)
    /// The index object's bytes do not decode (damaged, truncated, or not an index object at all).
    case corrupt(key: String, reason: String)
    /// The index object decodes but was built for something else: another segment, row count, field, index
    /// spec, or other vectors (the fingerprint differs).
    case mismatch(key: String, reason: String)
    /// The segment's data object or the manifest could not be read or decoded.
    case segment(ShardError)
    /// Building the index failed on the vectors.
    case build(String)
    /// The object store failed (read or atomic put).
    case objectStore(String)

    public var description: String {
        switch self {
        case .noManifest(let root):
            return "no shard manifest in \(root): nothing has been flushed there yet"
        case .unknownSegment(let id):
            return "the shard manifest names no segment \(id) (not flushed, or compacted away): nothing to index"
        case .corrupt(let key, let reason):
            return "index object \(key) is damaged (\(reason)); it is ignored and the index is rebuilt from the vectors"
        case .mismatch(let key, let reason):
            return "index object \(key) belongs to something else (\(reason)); it is ignored and the index is "
                + "rebuilt from the vectors"
        case .segment(let error):
            return "cannot read the segment: \(error)"
        case .build(let reason):
            return "building the index failed: \(reason)"
        case .objectStore(let reason):
            return "object store: \(reason); retry once storage is healthy"
        }
    }
}
