extension ShardRows {
    /// The rows of `parts` one after another: how a node flattens a multi-query search's per-query hits into
    /// one reply. The parts must come from one request (the same output fields in the same order); empty
    /// parts are skipped, since an empty result may lack the `$meta` column a non-empty one has.
    public init(concatenating parts: [ShardRows]) {
        let filled = parts.filter { $0.count > 0 }
        guard var columns = filled.first?.columns else {
            self.init(primaryKeys: [], columns: parts.first?.columns ?? [])
            return
        }
        var keys = filled[0].primaryKeys
        for part in filled.dropFirst() {
            precondition(part.columns.map(\.name) == columns.map(\.name), "concatenating rows with different columns")
            keys.append(contentsOf: part.primaryKeys)
            for i in columns.indices { columns[i].append(part.columns[i]) }
        }
        self.init(primaryKeys: keys, columns: columns)
    }
}
