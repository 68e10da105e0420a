import VecCore

/// The in-memory, append-only segment that receives a shard's inserts until it is sealed.
///
/// Rows are kept columnar (one array per field, vectors as one contiguous block). Each vector field starts
/// with an exact scan; an HNSW field switches to an incrementally built `HNSWIndex` once the segment holds
/// `hnswThreshold` rows (below that a scan is as fast as a graph walk and exact). Not thread-safe on its own:
/// the owning `Shard` serialises appends against reads.
final class GrowingSegment: Segment, @unchecked Sendable {
    let id: SegmentID
    let schema: CollectionSchema
    let specs: [IndexSpec]
    let hnswThreshold: Int
    /// Clock reading (ms) when the first row arrived; the seal policy's age is measured from it.
    private(set) var createdAtMilliseconds: UInt64?
    private(set) var columns: [Column]
    private(set) var rowCount = 0
    private(set) var insertedAt: [UInt64] = []
    private(set) var supersededAt: [UInt64] = []
    private(set) var vectorIndexes: [String: VectorFieldIndex] = [:]
    /// Sum of the encoded sizes of the appended batches (the seal policy's byte measure).
    private(set) var encodedBytes = 0

    func supersede(row: Int, at timestamp: UInt64) { supersededAt[row] = timestamp }

    /// Growing data changes under every write; its visibility is always scanned.
    func allRowsVisible(at timestamp: UInt64) -> Bool { false }

    init(id: SegmentID, schema: CollectionSchema, specs: [IndexSpec], hnswThreshold: Int) throws(ShardError) {
        self.id = id
        self.schema = schema
        self.specs = specs
        self.hnswThreshold = hnswThreshold
        // An empty batch has one empty column per field (and $meta), which `append` extends.
        do {
            columns = try RowBatch(schema: schema, rows: []).columns
        } catch {
            throw .rowBatch(error)
        }
        for spec in specs {
            guard let d = schema.field(named: spec.fieldName)?.dimension else { continue }
            do { vectorIndexes[spec.fieldName] = try VectorFieldIndex(spec: spec, dimension: d) } catch { throw .vector(error) }
        }
    }

    var rows: RowBatch { RowBatch(unchecked: schema, columns: columns, rowCount: rowCount) }

    /// Appends a validated batch written at `timestamp`. Vectors were checked by the caller (finite, non-zero
    /// for COSINE), so index appends cannot fail on the data.
    func append(_ batch: RowBatch, timestamp: UInt64, encodedBytes bytes: Int, nowMilliseconds: UInt64,
                pool: WorkerPool?) throws(ShardError) {
        precondition(batch.columns.count == columns.count, "batch does not match the segment schema")
        if batch.rowCount == 0 { return }
        if createdAtMilliseconds == nil { createdAtMilliseconds = nowMilliseconds }
        let firstRow = rowCount
        for i in columns.indices { columns[i].append(batch.columns[i]) }
        rowCount += batch.rowCount
        insertedAt.append(contentsOf: repeatElement(timestamp, count: batch.rowCount))
        supersededAt.append(contentsOf: repeatElement(UInt64.max, count: batch.rowCount))
        encodedBytes += bytes
        for (field, index) in vectorIndexes {
            guard let vectors = batch.column(named: field)?.data.floatVectors else { continue }
            do {
                if !index.isHNSW, index.hnswParameters != nil, rowCount >= hnswThreshold {
                    guard let all = rows.column(named: field)?.data.floatVectors else { continue }
                    try index.buildHNSW(values: all.values, rows: rowCount, pool: pool)
                } else {
                    try index.append(values: vectors.values, firstRow: firstRow, pool: pool)
                }
            } catch {
                throw .vector(error)
            }
        }
    }

    /// The immutable segment holding the same rows, with the spec's index for every non-FLAT field (reusing
    /// the HNSW graph built while growing, or building the index now; HNSW_SQ8 and IVF are built only here).
    /// With `buildIndexes` false (deferred builds) fields without a graph keep the exact scan.
    func seal(pool: WorkerPool?, buildIndexes: Bool = true) throws(ShardError) -> SealedSegment {
        for (field, index) in vectorIndexes where buildIndexes && !index.isBuilt && index.buildsIndex && rowCount > 0 {
            guard let all = rows.column(named: field)?.data.floatVectors else { continue }
            do { try index.buildIndex(values: all.values, rows: rowCount, pool: pool) } catch { throw .vector(error) }
        }
        return SealedSegment(id: id, rows: rows, insertedAt: insertedAt, supersededAt: supersededAt, vectorIndexes: vectorIndexes)
    }
}
