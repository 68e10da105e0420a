extension ChannelLog {
    /// Deletes the segment files whose records all lie below `position` (a consumer checkpoint: everything
    /// below it is persisted elsewhere). Whole segments only, oldest first, never the segment being appended
    /// to; afterwards `firstPosition` is the first position of the oldest remaining segment (≤ `position`).
    ///
    /// Each deletion is made durable (directory fsync) before the next, so a crash mid-way leaves a contiguous
    /// run of segments.
    ///
    /// - Returns: how many segment files were deleted.
    /// - Throws: `LogError.closed`, `.io` (segments not yet deleted stay readable).
    @discardableResult
    public func truncate(below position: LogPosition) throws -> Int {
        try core.truncation.withLock { _ throws(LogError) -> Int in try truncateSerialized(below: position) }
    }

    /// `truncate` with `core.truncation` held.
    private func truncateSerialized(below position: LogPosition) throws(LogError) -> Int {
        let doomed = try core.state.withLock { s throws(LogError) -> [LogState.Segment] in
            if s.closed { throw .closed }
            var count = 0
            while count + 1 < s.segments.count && s.segments[count + 1].file.firstLSN <= position.rawValue {
                count += 1
            }
            defer { s.segments.removeFirst(count) }
            return Array(s.segments.prefix(count))
        }
        for (i, segment) in doomed.enumerated() {
            do {
                try FileIO.unlink(segment.file.path, missingOK: true)
                try FileIO.fsyncDirectory(directory)
            } catch {
                // Put back what is still on disk so readers and a later truncate see it.
                core.state.withLock { $0.segments.insert(contentsOf: doomed[i...], at: 0) }
                throw .io(error)
            }
        }
        return doomed.count
    }
}
