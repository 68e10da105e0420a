import Foundation
import VecCore

extension Shard {
    /// Seals the growing segment (if it has rows), writes it to the object store, commits a manifest whose
    /// checkpoint is the log's end, and truncates the log below it. Also persists deletions applied to sealed
    /// segments since the last flush.
    public func flush() throws(ShardError) {
        try sequencer.exclusively { () throws(ShardError) in
            try lock.writing { () throws(ShardError) in
                try checkOpen()
                try flushLocked()
            }
        }
    }

    /// Seals and flushes the growing segment if the `SealPolicy` says so (by rows, bytes or age on the
    /// shard clock). Writes call this automatically; call it periodically to enforce the age limit on an idle
    /// shard. Returns whether it sealed.
    @discardableResult
    public func sealIfDue() throws(ShardError) -> Bool {
        try sequencer.exclusively { () throws(ShardError) -> Bool in
            try lock.writing { () throws(ShardError) -> Bool in
                try checkOpen()
                guard sealIsDue() else { return false }
                try flushLocked()
                return true
            }
        }
    }

    func sealIsDue() -> Bool {
        let g = state.growing
        let age = g.createdAtMilliseconds.map { options.clock() &- $0 } ?? 0
        return options.sealPolicy.shouldSeal(rows: g.rowCount, bytes: g.encodedBytes, ageMilliseconds: age)
    }

    /// After a write: seal if due. A failure does not fail the (already durable) write; it is kept in
    /// `state.sealError` and the seal is retried on the next write.
    func sealIfDueLocked() {
        guard sealIsDue() else { return }
        do {
            try flushLocked()
            state.sealError = nil
        } catch {
            state.sealError = error
        }
    }

    func flushLocked() throws(ShardError) {
        var newSegment: SealedSegment?
        if state.growing.rowCount > 0 {
            let s = try state.growing.seal(pool: pool, buildIndexes: !options.deferIndexBuilds)
            try s.write(to: store)
            newSegment = s
        }
        let checkpoint = state.appliedEnd
        let next = newSegment == nil ? state.nextSegmentID : SegmentID(state.nextSegmentID.rawValue + 1)
        let segments = state.sealed + (newSegment.map { [$0] } ?? [])
        try commitManifest(state.manifest(checkpoint: checkpoint, nextSegmentID: next, segments: segments, schema: schema, specs: indexes))
        state.flushedChannelCheckpoint = state.channelEnd
        if let s = newSegment {
            state.add(sealed: s)
            state.growing = try GrowingSegment(id: state.nextSegmentID, schema: schema, specs: indexes,
                                               hnswThreshold: options.effectiveGrowingHNSWThreshold)
            state.nextSegmentID = next
        }
        state.checkpoint = checkpoint
        do { try log.truncate(below: checkpoint) } catch { throw .log("truncation below \(checkpoint) failed: \(error)") }
    }

    func commitManifest(_ manifest: ShardManifest) throws(ShardError) {
        do { try store.put(ShardManifest.key, Data(manifest.encode())) } catch {
            throw .objectStore("writing the manifest: \(error)")
        }
    }

    /// Flushes, then merges the sealed segments under `ShardOptions.smallSegmentRows` rows (and any segment
    /// with superseded rows) into one, dropping rows superseded at or before `dropSupersededAtOrBefore`
    /// (default: the last write timestamp — so reads at older timestamps may no longer see rows deleted
    /// since; pass an older timestamp to keep that history).
    @discardableResult
    public func compact(dropSupersededAtOrBefore cutoff: UInt64? = nil) throws(ShardError) -> CompactionReport {
        try sequencer.exclusively { () throws(ShardError) -> CompactionReport in try lock.writing { () throws(ShardError) -> CompactionReport in
            try checkOpen()
            try flushLocked()
            let drop = cutoff ?? state.lastTimestamp
            let candidates = state.sealed.filter { s in
                s.rowCount < options.smallSegmentRows || s.supersededAt.contains { $0 <= drop }
            }
            let droppable = candidates.reduce(0) { n, s in n + s.supersededAt.reduce(0) { $0 + ($1 <= drop ? 1 : 0) } }
            guard candidates.count >= 2 || droppable > 0 else { return CompactionReport() }

            // Concatenate the surviving rows in segment order (timestamps stay non-decreasing).
            var columns: [Column]
            do throws(RowBatchError) { columns = try RowBatch(schema: schema, rows: []).columns } catch { throw .rowBatch(error) }
            var insertedAt: [UInt64] = []
            var supersededAt: [UInt64] = []
            for s in candidates {
                let keep = (0..<s.rowCount).filter { s.supersededAt[$0] > drop }
                if keep.isEmpty { continue }
                let part = keep.count == s.rowCount ? s.rows : s.rows.selecting(keep)
                for i in columns.indices { columns[i].append(part.columns[i]) }
                insertedAt.append(contentsOf: keep.map { s.insertedAt[$0] })
                supersededAt.append(contentsOf: keep.map { s.supersededAt[$0] })
            }
            var report = CompactionReport(mergedSegments: candidates.map(\.id), droppedRows: droppable)
            var merged: SealedSegment?
            if !insertedAt.isEmpty {
                // The (empty, just flushed) growing segment's id goes to the merged segment; the growing one
                // takes the next id.
                let id = state.growing.id
                let rows = RowBatch(unchecked: schema, columns: columns, rowCount: insertedAt.count)
                merged = try Self.buildSealed(id: id, rows: rows, insertedAt: insertedAt, supersededAt: supersededAt,
                                              specs: indexes, pool: pool, buildIndexes: !options.deferIndexBuilds)
                try merged!.write(to: store)
                report.newSegment = id
            }
            let doomed = Set(candidates.map(\.id))
            let survivors = state.sealed.filter { !doomed.contains($0.id) } + (merged.map { [$0] } ?? [])
            let next = merged == nil ? state.nextSegmentID : SegmentID(state.nextSegmentID.rawValue + 1)
            try commitManifest(state.manifest(checkpoint: state.checkpoint, nextSegmentID: next,
                                              segments: survivors.sorted { $0.id < $1.id }, schema: schema, specs: indexes))
            state.remove(sealed: doomed)
            if let merged {
                state.add(sealed: merged)
                let pk = merged.primaryKeyColumn
                for row in 0..<merged.rowCount where merged.supersededAt[row] == .max {
                    state.latest[PrimaryKey.key(of: pk, at: row)] = RowLocation(segment: merged.id, row: row)
                }
                state.growing = try GrowingSegment(id: state.nextSegmentID, schema: schema, specs: indexes,
                                                   hnswThreshold: options.effectiveGrowingHNSWThreshold)
                state.nextSegmentID = next
            }
            for s in candidates { s.delete(from: store) }
            return report
        } }
    }

    /// A sealed segment over `rows` with its vector indexes built (HNSW graphs, IVF training on `pool`), or
    /// exact scans only when `buildIndexes` is false (deferred builds).
    static func buildSealed(id: SegmentID, rows: RowBatch, insertedAt: [UInt64], supersededAt: [UInt64],
                            specs: [IndexSpec], pool: WorkerPool?, buildIndexes: Bool = true) throws(ShardError) -> SealedSegment {
        var indexes: [String: VectorFieldIndex] = [:]
        for spec in specs {
            guard let d = rows.schema.field(named: spec.fieldName)?.dimension,
                let vectors = rows.column(named: spec.fieldName)?.data.floatVectors
            else { continue }
            do {
                let index = try VectorFieldIndex(spec: spec, dimension: d)
                if buildIndexes && index.buildsIndex && (index.hnswParameters != nil || rows.rowCount > 0) {
                    try index.buildIndex(values: vectors.values, rows: rows.rowCount, pool: pool)
                } else {
                    try index.append(values: vectors.values, firstRow: 0, pool: pool)
                }
                indexes[spec.fieldName] = index
            } catch {
                throw .vector(error)
            }
        }
        return SealedSegment(id: id, rows: rows, insertedAt: insertedAt, supersededAt: supersededAt, vectorIndexes: indexes)
    }
}
