import HNSW
import VecCore

/// The index of one vector field in one segment, over the segment's row positions (the index ids are row
/// numbers): an exact scan (`FlatIndex`) for FLAT fields and for small growing segments, an `HNSWIndex` for
/// HNSW fields once the segment is large enough to matter.
///
/// Searches take an allow-list over rows (MVCC visibility ∧ filter) and map it to the index's slots.
/// Not thread-safe on its own: the owning `Shard` serialises appends against searches.
final class VectorFieldIndex: @unchecked Sendable {
    let spec: IndexSpec
    let dimension: Int
    let metric: Metric
    private(set) var flat: FlatIndex?
    private(set) var hnsw: HNSWIndex?
    /// HNSW slot of each row; nil while the mapping is the identity (slot == row).
    private var slotOfRow: [Int32]?

    static func metric(of spec: IndexSpec) -> Metric {
        switch spec.metric {
        case .l2: .l2
        case .innerProduct: .ip
        case .cosine: .cosine
        }
    }

    var hnswParameters: HNSWParameters? {
        if case .hnsw(let m, let ef) = spec.kind { return HNSWParameters(connectivity: m, efConstruction: ef) }
        return nil
    }

    /// An empty exact-scan index.
    init(spec: IndexSpec, dimension: Int) throws(VecError) {
        self.spec = spec
        self.dimension = dimension
        self.metric = Self.metric(of: spec)
        self.flat = try FlatIndex(dimension: dimension, metric: metric)
    }

    /// An index over an existing HNSW graph whose ids are row numbers `0..<rows`.
    init(spec: IndexSpec, hnsw: HNSWIndex, rows: Int) throws(ShardError) {
        self.spec = spec
        self.dimension = hnsw.dimension
        self.metric = hnsw.metric
        self.hnsw = hnsw
        guard hnsw.count == rows, hnsw.slotCount == rows else {
            throw .corrupt(what: "index of \(spec.fieldName)", reason: "holds \(hnsw.count) vectors, segment has \(rows) rows")
        }
        var map = [Int32](repeating: -1, count: rows)
        var identity = true
        for row in 0..<rows {
            guard let s = hnsw.slot(of: Int64(row)) else {
                throw .corrupt(what: "index of \(spec.fieldName)", reason: "row \(row) missing from the graph")
            }
            map[row] = Int32(s)
            if s != row { identity = false }
        }
        slotOfRow = identity ? nil : map
    }

    var isHNSW: Bool { hnsw != nil }
    var count: Int { hnsw?.count ?? flat?.slotCount ?? 0 }

    /// Appends rows `firstRow..<firstRow + n` (`values` holds `n × dimension` floats).
    func append(values: [Float], firstRow: Int, pool: WorkerPool?) throws(VecError) {
        let n = values.count / dimension
        if let hnsw {
            let ids = (0..<n).map { Int64(firstRow + $0) }
            try values.withUnsafeBufferPointer { (b) throws(VecError) in try hnsw.add(ids: ids, vectors: b, pool: pool) }
            if slotOfRow != nil || (0..<n).contains(where: { hnsw.slot(of: Int64(firstRow + $0)) != firstRow + $0 }) {
                rebuildSlotMap(rows: firstRow + n)
            }
        } else if let flat {
            try values.withUnsafeBufferPointer { (b) throws(VecError) in
                for r in 0..<n {
                    try flat.add(id: Int64(firstRow + r), vector: UnsafeBufferPointer(rebasing: b[(r * dimension)..<((r + 1) * dimension)]))
                }
            }
        }
    }

    private func rebuildSlotMap(rows: Int) {
        guard let hnsw else { return }
        slotOfRow = (0..<rows).map { Int32(hnsw.slot(of: Int64($0)) ?? -1) }
    }

    /// Replaces the exact scan by an HNSW graph over all `rows` vectors in `values` (HNSW fields only).
    func buildHNSW(values: [Float], rows: Int, pool: WorkerPool?) throws(VecError) {
        guard let parameters = hnswParameters, hnsw == nil else { return }
        let graph = try HNSWIndex(dimension: dimension, metric: metric, parameters: parameters, capacity: max(rows, 1024))
        let ids = (0..<rows).map { Int64($0) }
        try values.withUnsafeBufferPointer { (b) throws(VecError) in try graph.add(ids: ids, vectors: b, pool: pool) }
        hnsw = graph
        flat = nil
        slotOfRow = nil
        if (0..<rows).contains(where: { graph.slot(of: Int64($0)) != $0 }) { rebuildSlotMap(rows: rows) }
    }

    /// The `k` nearest allowed rows to `query` (hit ids are row numbers), closest first.
    func search(_ query: UnsafeBufferPointer<Float>, k: Int, ef: Int, allowRows: Bitset) throws(VecError) -> [SearchHit] {
        if allowRows.popcount == 0 { return [] }
        if let hnsw {
            var allow = allowRows
            if let map = slotOfRow {
                allow = Bitset(count: hnsw.slotCount)
                allowRows.forEachSet { r in if r < map.count, map[r] >= 0 { allow.insert(Int(map[r])) } }
            }
            return try hnsw.search(query, k: k, ef: max(ef, k), filter: allow)
        }
        guard let flat else { return [] }
        var allow = allowRows
        if allow.count != flat.slotCount { allow.resize(to: flat.slotCount) }
        return try flat.search(Array(query), k: k, filter: allow)
    }
}
